// shutdown(SD_BOTH) with received data unread resets the connection (Winsock);
// Linux alone would send FIN and keep the data readable.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';

export default {
  name: 'sd-both-unread-rst',
  title: 'shutdown(SD_BOTH) with unread data resets',
  topic: 'winsock',
  steps: ['server: send "never read"; the client leaves it unread', 'client: shutdown(SD_BOTH): RST', 'server: recv fails WSAECONNRESET'],
  expected: {
    calls: { 'shutdown(client, SD_BOTH)': { rc: 0 } },
    segments: ['server PSH,ACK', 'client RST,ACK'],
    never: ['client FIN'],
    peer: { 'server recv after SD_BOTH': 'WSAECONNRESET' },
    states: { 'client after SD_BOTH': 'CLOSED' },
  },
  async run(x: Lab) {
    await x.connect();
    x.unreadOnClient('never read');
    x.mark('client SD_BOTH');
    x.call('client', 'shutdown(client, SD_BOTH)', () => W.shutdown(x.client, W.SD_BOTH));
    await x.settle();
    x.observe('server recv after SD_BOTH', x.server, 'server');
    x.kernel('client after SD_BOTH', 'client');
    await x.cleanup({ abortive: true });
  },
} satisfies Scenario;
