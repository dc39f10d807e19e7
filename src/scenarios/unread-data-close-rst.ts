// closesocket with received data still unread: RST (RFC 2525), both on
// Windows and on Linux; the peer's recv fails WSAECONNRESET.
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';

export default {
  name: 'unread-data-close-rst',
  title: 'closesocket with unread received data: RST',
  topic: 'winsock',
  steps: [
    'server: send "unread at close"; the client leaves it unread',
    'client: closesocket: RST instead of FIN',
    'server: recv fails WSAECONNRESET',
  ],
  expected: {
    calls: { 'closesocket(client)': { rc: 0 } },
    segments: ['server PSH,ACK', 'client RST,ACK'],
    never: ['client FIN'],
    peer: { 'server recv after close': 'WSAECONNRESET' },
    states: { 'client after closesocket': 'CLOSED' },
  },
  async run(x: Lab) {
    await x.connect();
    x.unreadOnClient('unread at close');
    x.mark('client close');
    await x.close('client');
    await x.settle();
    x.kernel('client after closesocket', 'client');
    x.observe('server recv after close', x.server, 'server');
    await x.release('client', { abortive: true });
    await x.cleanup();
  },
} satisfies Scenario;
