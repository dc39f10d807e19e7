// Winsock: TCP data arriving after shutdown(SD_RECEIVE) resets the connection.
// Linux would buffer it; the library notices the data by itself and resets.
import * as W from '../index.js';
import { delay, type Lab } from './lab.js';
import type { Scenario } from './model.js';

export default {
  name: 'data-after-sd-receive-rst',
  title: 'Data arriving after SD_RECEIVE makes the receiver reset',
  topic: 'winsock',
  steps: [
    'client: shutdown(SD_RECEIVE) (nothing on the wire)',
    'server: send "late data"; no call on the client',
    'the client side resets: RST; the server recv fails WSAECONNRESET',
  ],
  expected: {
    calls: { 'shutdown(client, SD_RECEIVE)': { rc: 0 }, 'send(server)': { rc: 9 } },
    segments: ['server PSH,ACK', 'client RST,ACK'],
    peer: { 'server recv after RST': 'WSAECONNRESET' },
    states: { 'client after RST': 'CLOSED' },
  },
  async run(x: Lab) {
    await x.connect();
    x.call('client', 'shutdown(client, SD_RECEIVE)', () => W.shutdown(x.client, W.SD_RECEIVE));
    await x.settle(50);
    x.mark('server sends');
    x.call('server', 'send(server)', () => W.send(x.server, Buffer.from('late data')));
    await x.waitSegment({ from: x.r.client, flags: 'RST' }, x.r.marks['server sends']!, 1500);
    if (!x.cap) await delay(200);
    x.observe('server recv after RST', x.server, 'server');
    x.call('client', 'recv(client) after reset', () => W.recv(x.client, Buffer.alloc(16)));
    x.kernel('client after RST', 'client');
    await x.cleanup({ abortive: true });
  },
} satisfies Scenario;
