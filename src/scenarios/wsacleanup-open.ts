// The last WSACleanup with sockets open resets each one and frees its handle:
// later calls answer WSANOTINITIALISED, and after a new WSAStartup the old
// handles answer WSAENOTSOCK.
import * as W from '../index.js';
import type { Lab } from './lab.js';
import type { Scenario } from './model.js';
import { HANDSHAKE } from './four-way-close.js';

export default {
  name: 'wsacleanup-open',
  title: 'The last WSACleanup with a connection open: every socket reset and freed',
  topic: 'winsock',
  steps: [
    'a connected pair and its listener are open',
    'WSACleanup until the count reaches zero: the client is reset (RST), the handles are freed',
    'send on the old handle: WSANOTINITIALISED; after WSAStartup: WSAENOTSOCK',
  ],
  expected: {
    calls: {
      'WSACleanup() (the last)': { rc: 0 },
      'send(client) after WSACleanup': { rc: -1, error: 'WSANOTINITIALISED' },
      'closesocket(client) after a new WSAStartup': { rc: -1, error: 'WSAENOTSOCK' },
    },
    segments: [...HANDSHAKE, 'client RST,ACK'],
    never: ['client FIN', 'server FIN'],
  },
  async run(x: Lab) {
    await x.connect();
    // The lab holds one WSAStartup and its caller may hold more: clean up until
    // Winsock is no longer started (a call on a live handle says which).
    const started = (): boolean => W.getsockname(x.client, {} as W.SockAddr) === 0;
    for (let i = 0; i < 64 && started(); i++) {
      const rc = W.WSACleanup();
      if (!started())
        x.r.calls.push({ side: 'client', call: 'WSACleanup() (the last)', rc, segIndex: x.segIndex, time: Date.now() / 1000, ms: 0 });
    }
    await x.settle();
    x.call('client', 'send(client) after WSACleanup', () => W.send(x.client, Buffer.from('x')));
    W.WSAStartup(W.MAKEWORD(2, 2));
    x.call('client', 'closesocket(client) after a new WSAStartup', () => W.closesocket(x.client));
    await x.settle();
    await x.releaseAll({ abortive: true });
  },
} satisfies Scenario;
