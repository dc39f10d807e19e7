// linger {1,N} on a nonblocking socket with unsent data: closesocket must not
// block, so it fails WSAEWOULDBLOCK and the handle stays valid (Winsock); Linux's
// close() would park the thread for N seconds.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { fill, smallBuffers } from './fill.js';

export default {
  name: 'nonblocking-linger',
  title: 'linger {1,N}, nonblocking socket, unsent data: closesocket fails WSAEWOULDBLOCK at once',
  topic: 'winsock',
  steps: [
    'the client fills the connection (the server never reads) and stays nonblocking',
    'setsockopt(SO_LINGER, {1,1}); closesocket returns at once: WSAEWOULDBLOCK, the handle still works',
    'setsockopt(SO_LINGER, {1,0}); closesocket: RST',
  ],
  expected: {
    calls: {
      'closesocket(client) nonblocking, linger {1,1}': { rc: -1, error: 'WSAEWOULDBLOCK' },
      'getsockopt(client, SO_LINGER) afterwards': { rc: 0 },
      'closesocket(client) with linger {1,0}': { rc: 0 },
    },
    segments: ['client RST,ACK'],
    never: ['client FIN'],
    figures: { 'closesocket ms': { max: 200 }, 'bytes queued': { min: 1 } },
  },
  async run(x: Lab) {
    await x.connect(smallBuffers);
    await fill(x);
    W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 1 });
    const t0 = performance.now();
    x.call('client', 'closesocket(client) nonblocking, linger {1,1}', () => W.closesocket(x.client));
    x.figure('closesocket ms', performance.now() - t0);
    const l = { l_onoff: 0, l_linger: 0 };
    x.call('client', 'getsockopt(client, SO_LINGER) afterwards', () => W.getsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, l));
    W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
    x.call('client', 'closesocket(client) with linger {1,0}', () => W.closesocket(x.client));
    await x.settle();
    await x.release('client', { abortive: true });
    await x.cleanup();
  },
} satisfies Scenario;
