// Fuzzer regression (npm run fuzz -- --runs 3000 --seed 444, shrunk): the
// fuzzer's model said that closing a socket with unread data (or linger
// {1,0}) resets the connection even after both FINs were exchanged, so the
// peer's later calls had to fail WSAECONNRESET/WSAECONNABORTED. They do not:
// once both sides have sent and received a FIN the connection is over and the
// close has nothing to reset; the peer's recv keeps answering 0 and its
// gracefulClose is graceful. (A model bug, fixed in test/reliability/fuzz/model.ts.)
// Minimal sequence:
//   send(c1, 1 byte); shutdown(c1, SD_SEND); P.recv(c1) while shutdown(a1, SD_SEND) -> 0;
//   closesocket(a1) (1 byte unread); P.gracefulClose(c1) -> graceful (the model said: reset)
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { tcpPair, useWinsock, waitReadable } from '../helpers.js';

describe('closing after both FINs were exchanged', () => {
  useWinsock();

  for (const how of ['unread data', 'linger {1,0}'] as const) {
    it(`${how}: the peer sees no reset (recv 0, SO_ERROR 0, gracefulClose graceful)`, async () => {
      const p = tcpPair();
      expect(W.send(p.client, Buffer.from('x'))).toBe(1);
      expect(W.shutdown(p.client, W.SD_SEND)).toBe(0);
      waitReadable(p.server);
      const pending = P.recv(p.client, Buffer.alloc(8), 8, 0);
      expect(W.shutdown(p.server, W.SD_SEND)).toBe(0);
      expect(await pending).toBe(0);
      if (how === 'unread data') {
        const argp = [0];
        expect(W.ioctlsocket(p.server, W.FIONREAD, argp)).toBe(0);
        expect(argp[0]).toBe(1);
      } else {
        expect(W.recv(p.server, Buffer.alloc(8))).toBe(1);
        expect(W.setsockopt(p.server, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(0);
      }
      expect(W.closesocket(p.server)).toBe(0);
      await new Promise((r) => setTimeout(r, 20));
      expect(W.recv(p.client, Buffer.alloc(8))).toBe(0);
      const err = [-1];
      expect(W.getsockopt(p.client, W.SOL_SOCKET, W.SO_ERROR, err)).toBe(0);
      expect(err[0]).toBe(0);
      expect(await P.gracefulClose(p.client, { timeoutMs: 1000 })).toEqual({ graceful: true, timedOut: false, bytesDrained: 0 });
      expect(W.closesocket(p.listener)).toBe(0);
    });
  }
});
