// The four-way close: the active closer's FIN and its ACK, then the passive
// closer's FIN and its ACK. The passive side pauses before closing so that its
// ACK of the first FIN leaves on its own (DESIGN.md: otherwise it rides on the FIN).
import * as W from '../index.js';
import { delay, type Lab } from './lab.js';
import type { Scenario } from './model.js';

const HANDSHAKE = ['client SYN', 'server SYN,ACK', 'client ACK'];

export default {
  name: 'four-way-close',
  title: 'Four-way close: FIN and ACK each way, the passive side pausing before it closes',
  topic: 'close',
  tour: true,
  steps: [
    'connect a client to a listener on loopback; accept',
    'client: shutdown(SD_SEND): its FIN leaves (FIN_WAIT_1), the server ACKs it (client FIN_WAIT_2, server CLOSE_WAIT)',
    'server: recv returns 0 (EOF), pause 20 ms, closesocket: its FIN leaves (LAST_ACK)',
    "client: ACKs the server's FIN and enters TIME_WAIT; recv returns 0; closesocket",
  ],
  expected: {
    segments: [...HANDSHAKE, 'client FIN,ACK', 'server ACK', 'server FIN,ACK', 'client ACK'],
    never: ['client RST', 'server RST'],
    calls: { 'shutdown(client, SD_SEND)': { rc: 0 }, 'closesocket(server)': { rc: 0 }, 'closesocket(client)': { rc: 0 } },
    states: {
      'client before': 'ESTABLISHED',
      'client after SD_SEND': ['FIN_WAIT_1', 'FIN_WAIT_2'],
      'server after EOF': 'CLOSE_WAIT',
      'server after closesocket': ['LAST_ACK', 'CLOSED'],
      'client after server FIN': 'TIME_WAIT',
      'client final': 'TIME_WAIT',
      'server final': 'CLOSED',
    },
    peer: { 'server recv after client FIN': 'EOF', 'client recv after server FIN': 'EOF' },
  },
  async run(x: Lab) {
    await x.connect();
    x.held('client before', x.client);
    x.held('server before', x.server);
    const m0 = x.segIndex;
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.mark('client SD_SEND');
    await x.waitSegment({ from: x.r.server, flags: 'ACK', withoutFlags: 'FIN' }, m0);
    x.held('client after SD_SEND', x.client);
    x.observe('server recv after client FIN', x.server, 'server');
    x.held('server after EOF', x.server);
    await delay(20);
    x.mark('server close');
    await x.close('server');
    x.kernel('server after closesocket', 'server');
    await x.waitSegment({ from: x.r.client, flags: 'ACK', withoutFlags: 'FIN' }, x.r.marks['server close']!);
    x.kernel('client after server FIN', 'client');
    x.observe('client recv after server FIN', x.client, 'client');
    await x.close('client');
    await x.close('listener');
    await x.settle();
    x.kernel('client final', 'client');
    x.kernel('server final', 'server');
    await x.releaseAll();
  },
} satisfies Scenario;

export { HANDSHAKE };
