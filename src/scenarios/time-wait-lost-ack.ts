// Why TIME_WAIT exists: the active closer's last ACK is lost (an nft rule
// drops it once), the passive closer, still in LAST_ACK, retransmits its FIN,
// and the side in TIME_WAIT is still there to ACK it again; the passive side
// then leaves LAST_ACK. The retransmitted FIN also restarts TIME_WAIT's timer.
import * as W from '../index.js';
import { findConnections } from '../harness/tcpstate.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

function timeWaitTimer(x: Lab): number | undefined {
  const row = findConnections(x.tracked.client!.local!, x.tracked.client!.remote!).find((c) => c.state === 'TIME_WAIT');
  return row?.timer === 'time-wait' ? row.timerSeconds : undefined;
}

export default {
  name: 'time-wait-lost-ack',
  title: 'TIME_WAIT at work: the last ACK is lost, the FIN comes again, TIME_WAIT answers it',
  topic: 'time-wait',
  namespace: {},
  seconds: 1,
  tour: true,
  steps: [
    'client: shutdown(SD_SEND) (FIN); server: recv returns 0',
    "nft in the run's namespace drops the next pure ACK from the client to the server, once",
    'server: closesocket: FIN (LAST_ACK); the client ACKs it and enters TIME_WAIT, but the ACK is dropped',
    "the server's retransmission timer fires: the same FIN again; the client, in TIME_WAIT, ACKs it again",
    'the server leaves LAST_ACK (CLOSED); TIME_WAIT restarted its 60 s timer on the repeated FIN',
  ],
  expected: {
    calls: { 'shutdown(client, SD_SEND)': { rc: 0 }, 'closesocket(server)': { rc: 0 } },
    segments: [...HANDSHAKE, 'client FIN,ACK', 'server ACK', 'server FIN,ACK', 'client ACK dropped', 'server FIN,ACK', 'client ACK'],
    never: ['client RST', 'server RST'],
    states: {
      'client while its ACK is lost': 'TIME_WAIT',
      'server while the ACK is lost': 'LAST_ACK',
      'client final': 'TIME_WAIT',
      'server final': 'CLOSED',
    },
    figures: {
      'FIN retransmitted after ms': { min: 150, max: 1500 },
      're-ACK after the repeated FIN ms': { min: 0, max: 50 },
      'TIME_WAIT timer before the repeated FIN s': { min: 55, max: 60 },
      'TIME_WAIT timer after the re-ACK s': { min: 59, max: 60 },
      'TIME_WAIT s gained from the repeated FIN': { min: 0.1, max: 2 },
      'segments dropped by nft': { min: 1, max: 1 },
    },
    released: ['client', 'listener'],
  },
  async run(x: Lab) {
    await x.connect();
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.observe('server recv after client FIN', x.server, 'server');
    await x.settle();
    x.drop({ dport: x.la.port, exactFlags: 'ACK' }, 1);
    const m = x.segIndex;
    await x.close('server');
    const fin1 = await x.waitSegment({ from: x.la.port, flags: 'FIN' }, m);
    await x.waitSegment({ from: x.r.client, exactFlags: 'ACK' }, m);
    await x.settle(20, 100);
    x.kernel('client while its ACK is lost', 'client');
    x.kernel('server while the ACK is lost', 'server');
    const before = timeWaitTimer(x);
    const readBefore = Date.now();
    if (before !== undefined) x.figure('TIME_WAIT timer before the repeated FIN s', before);
    const fin2 = fin1 && (await x.waitSegment({ from: x.la.port, flags: 'FIN' }, x.segIndex, 3000));
    const reack = await x.waitSegment({ from: x.r.client, exactFlags: 'ACK' }, x.segIndex - 1, 1000);
    if (fin1 && fin2) x.figure('FIN retransmitted after ms', (fin2.time - fin1.time) * 1000);
    if (fin2 && reack) x.figure('re-ACK after the repeated FIN ms', (reack.time - fin2.time) * 1000);
    await x.settle();
    const after = timeWaitTimer(x);
    if (after !== undefined) x.figure('TIME_WAIT timer after the re-ACK s', after);
    // Without a restart the timer would have run down by the time between the readings.
    if (before !== undefined && after !== undefined)
      x.figure('TIME_WAIT s gained from the repeated FIN', after - (before - (Date.now() - readBefore) / 1000));
    x.kernel('client final', 'client');
    x.kernel('server final', 'server');
    await x.cleanup();
  },
} satisfies Scenario;
