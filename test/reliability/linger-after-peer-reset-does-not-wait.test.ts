// Regression (found by the fuzzer, seed 999): a blocking closesocket with
// linger {1,N} on a connection the peer has already reset waited the full N
// seconds (hours with N = 65535): Linux's SIOCOUTQ still counts the queued
// bytes after a reset. Nothing more can be delivered, so the close returns at
// once; the promise closesocket the same.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, tcpPair, tick, useWinsock } from '../helpers.js';

useWinsock();

for (const api of ['flat', 'promise'] as const) {
  it(`${api} closesocket, linger {1,60}, after the peer's reset: returns at once`, async () => {
    const { client, server } = tcpPair();
    ok(W.closesocket(client)); // the peer is gone: the next segment it gets is answered by RST
    ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 60 }));
    ok(W.ioctlsocket(server, W.FIONBIO, [1]));
    expect(W.send(server, Buffer.from('x'))).toBe(1); // answered by the peer's kernel with RST
    await tick(50);
    ok(W.ioctlsocket(server, W.FIONBIO, [0]));
    const t0 = performance.now();
    if (api === 'flat') expect(W.closesocket(server)).toBe(0);
    else await P.closesocket(server);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(W.openHandles()).not.toContain(server);
  });
}
