// closesocket with linger {1,0}: an abortive close. RST, no FIN, no TIME_WAIT,
// and the port is free again at once.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

export default {
  name: 'linger-zero-rst',
  title: 'closesocket with linger {1,0}: RST, no TIME_WAIT (abortive close)',
  topic: 'winsock',
  tour: true,
  steps: [
    'client: setsockopt(SO_LINGER, {1,0}); closesocket: RST',
    'server: recv fails WSAECONNRESET',
    'no TIME_WAIT; the port is bindable again',
  ],
  expected: {
    calls: { 'setsockopt(client, SO_LINGER, {1,0})': { rc: 0 }, 'closesocket(client)': { rc: 0 } },
    segments: [...HANDSHAKE, 'client RST,ACK'],
    never: ['client FIN', 'server FIN'],
    peer: { 'server recv after abortive close': 'WSAECONNRESET' },
    states: { 'client after closesocket': 'CLOSED' },
  },
  async run(x: Lab) {
    await x.connect();
    x.call('client', 'setsockopt(client, SO_LINGER, {1,0})', () =>
      W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }),
    );
    x.mark('client close');
    await x.close('client');
    await x.settle();
    x.kernel('client after closesocket', 'client');
    x.observe('server recv after abortive close', x.server, 'server');
    await x.release('client', { abortive: true });
    await x.cleanup();
  },
} satisfies Scenario;
