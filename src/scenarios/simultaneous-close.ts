// Simultaneous close: both FINs are in flight at once, so each side receives
// the other's FIN before its own is acknowledged: FIN_WAIT_1 -> CLOSING ->
// TIME_WAIT on both sides, and both hold TIME_WAIT. On loopback a FIN is
// delivered before the sending call returns, so the two first FINs are dropped
// (nft, once each) and their retransmissions, due at the same timer tick, cross.
import * as W from '../index.js';
import { ladderModel } from '../harness/ladder.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

export default {
  name: 'simultaneous-close',
  title: 'Simultaneous close: the FINs cross, both sides pass through CLOSING',
  topic: 'close',
  namespace: {},
  seconds: 1,
  steps: [
    "nft in the run's namespace drops the first FIN each way",
    'client and server: shutdown(SD_SEND) one right after the other (both FIN_WAIT_1)',
    'both retransmission timers fire together: the FINs cross, each side gets a FIN before its own is ACKed (CLOSING)',
    'each ACKs the other: both TIME_WAIT',
  ],
  expected: {
    calls: { 'shutdown(client, SD_SEND)': { rc: 0 }, 'shutdown(server, SD_SEND)': { rc: 0 } },
    // The two retransmissions leave in the same timer tick, in either order.
    segments: [...HANDSHAKE, 'client FIN,ACK dropped', 'server FIN,ACK dropped'],
    never: ['client RST', 'server RST'],
    states: {
      'client while both FINs are lost': 'FIN_WAIT_1',
      'server while both FINs are lost': 'FIN_WAIT_1',
      'client on the wire after the crossing FINs': 'CLOSING',
      'server on the wire after the crossing FINs': 'CLOSING',
      'client final': 'TIME_WAIT',
      'server final': 'TIME_WAIT',
    },
    figures: { 'segments dropped by nft': { min: 2, max: 2 }, 'FINs delivered each way': { min: 1, max: 1 } },
  },
  async run(x: Lab) {
    await x.connect();
    x.drop({ dport: x.la.port, flags: 'FIN' }, 1);
    x.drop({ sport: x.la.port, flags: 'FIN' }, 1);
    const m = x.segIndex;
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.call('server', 'shutdown(server, SD_SEND)', () => W.shutdown(x.server, W.SD_SEND));
    x.held('client while both FINs are lost', x.client);
    x.held('server while both FINs are lost', x.server);
    // Wait for both retransmissions and their ACKs.
    await x.waitSegment({ from: x.r.client, flags: 'FIN' }, m + 2, 3000);
    await x.waitSegment({ from: x.r.server, flags: 'FIN' }, m + 2, 3000);
    await x.settle(50);
    if (x.cap) {
      const fins = x.cap.find({ flags: 'FIN' }, m).filter((s) => !s.dropped);
      const each = [x.r.client, x.r.server].map((ep) => fins.filter((s) => s.src === ep).length);
      if (each[0] === each[1]) x.figure('FINs delivered each way', each[0]!);
      const model = ladderModel(x.cap.segments);
      if (model.rows.some((r) => r.clientPath.includes('CLOSING'))) x.r.states['client on the wire after the crossing FINs'] = 'CLOSING';
      if (model.rows.some((r) => r.serverPath.includes('CLOSING'))) x.r.states['server on the wire after the crossing FINs'] = 'CLOSING';
    }
    x.kernel('client final', 'client');
    x.kernel('server final', 'server');
    await x.cleanup();
  },
} satisfies Scenario;
