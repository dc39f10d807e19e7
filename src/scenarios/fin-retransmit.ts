// A lost FIN is retransmitted: the closer stays in FIN_WAIT_1 until its FIN is
// acknowledged; the peer knows nothing of the close until the copy arrives.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

export default {
  name: 'fin-retransmit',
  title: 'A dropped FIN: the closer stays in FIN_WAIT_1 and sends it again',
  topic: 'close',
  namespace: {},
  seconds: 1,
  steps: [
    "nft in the run's namespace drops the client's first FIN",
    'client: shutdown(SD_SEND): the FIN leaves and is dropped (client FIN_WAIT_1, server still ESTABLISHED)',
    'the retransmission timer fires: the same FIN again, now ACKed (client FIN_WAIT_2, server CLOSE_WAIT)',
    'server: recv returns 0, closesocket; the usual end',
  ],
  expected: {
    calls: { 'shutdown(client, SD_SEND)': { rc: 0 } },
    segments: [...HANDSHAKE, 'client FIN,ACK dropped', 'client FIN,ACK', 'server ACK', 'server FIN,ACK', 'client ACK'],
    never: ['client RST', 'server RST'],
    states: {
      'client while its FIN is lost': 'FIN_WAIT_1',
      'server while the FIN is lost': 'ESTABLISHED',
      'server after the repeated FIN': 'CLOSE_WAIT',
      'client final': 'TIME_WAIT',
    },
    peer: { 'server recv after the repeated FIN': 'EOF' },
    figures: { 'FIN retransmitted after ms': { min: 150, max: 1500 }, 'segments dropped by nft': { min: 1, max: 1 } },
  },
  async run(x: Lab) {
    await x.connect();
    x.drop({ dport: x.la.port, flags: 'FIN' }, 1);
    const m = x.segIndex;
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    const fin1 = await x.waitSegment({ from: x.r.client, flags: 'FIN' }, m);
    await x.settle(20, 100);
    x.held('client while its FIN is lost', x.client);
    x.held('server while the FIN is lost', x.server);
    const fin2 = await x.waitSegment({ from: x.r.client, flags: 'FIN' }, x.segIndex, 3000);
    if (fin1 && fin2) x.figure('FIN retransmitted after ms', (fin2.time - fin1.time) * 1000);
    await x.settle();
    x.held('server after the repeated FIN', x.server);
    x.observe('server recv after the repeated FIN', x.server, 'server');
    await x.close('server');
    await x.settle();
    x.kernel('client final', 'client');
    await x.cleanup();
  },
} satisfies Scenario;
