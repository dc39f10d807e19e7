// Found while writing the fuzzer's model (whose order of checks is: TypeError,
// WSANOTINITIALISED, WSAENOTSOCK, then argument values): send/recv/sendto/
// recvfrom checked `len` after looking the handle up, and the WSAEFAULT of a
// bad `len` overwrote the lookup's WSAENOTSOCK or WSANOTINITIALISED.
// Minimal: closesocket(s); send(s, buf, buf.length + 1) -> -1/WSAEFAULT (now WSAENOTSOCK).
import { afterAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';

describe('a dead handle answers before a bad length', () => {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const udp = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
  const closed = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
  W.closesocket(closed);
  afterAll(() => {
    W.closesocket(udp);
    W.WSACleanup();
  });
  const buf = Buffer.alloc(8);
  const to: SockAddr = { family: W.AF_INET, address: '127.0.0.1', port: 9 };
  const calls: Array<[string, (s: SOCKET, len: number) => number]> = [
    ['send', (s, len) => W.send(s, buf, len)],
    ['recv', (s, len) => W.recv(s, buf, len)],
    ['sendto', (s, len) => W.sendto(s, buf, len, 0, to)],
    ['recvfrom', (s, len) => W.recvfrom(s, buf, len, 0)],
  ];
  for (const [name, call] of calls) {
    it(`${name}: WSAENOTSOCK for a closed handle, WSAEFAULT only on a live one`, () => {
      for (const len of [buf.length + 1, -1, NaN, 1.5]) {
        expect(call(closed, len)).toBe(W.SOCKET_ERROR);
        expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAENOTSOCK');
        expect(call(udp, len)).toBe(W.SOCKET_ERROR);
        expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAEFAULT');
      }
    });
  }
  // Last: the last WSACleanup frees `udp`.
  it('each: WSANOTINITIALISED before WSAStartup', () => {
    W.WSACleanup();
    try {
      for (const [name, call] of calls) {
        expect(call(udp, buf.length + 1), name).toBe(W.SOCKET_ERROR);
        expect(W.wsaErrorName(W.WSAGetLastError()), name).toBe('WSANOTINITIALISED');
      }
    } finally {
      W.WSAStartup(W.MAKEWORD(2, 2));
    }
  });
});
