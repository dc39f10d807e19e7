// Fuzzer regression (seed 1, shrunk): a wrong JavaScript type is a TypeError
// naming the argument whatever state the handle is in. Before the fix, a
// closed or never-issued handle, or a call before WSAStartup, answered
// -1/WSAENOTSOCK or WSANOTINITIALISED for these instead, while send/recv threw.
// Minimal sequence: WSACleanup(); getsockopt(L, SO_LINGER, out=5) -> -1/WSANOTINITIALISED.
import { afterAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SOCKET } from '../../src/index.js';

describe('a wrong argument type throws TypeError whatever the handle state', () => {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const open = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
  const closed = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
  W.closesocket(closed);
  afterAll(() => {
    W.closesocket(open);
    W.WSACleanup();
  });

  const calls: Array<[string, (s: SOCKET) => unknown, RegExp]> = [
    ['getsockopt(SO_LINGER, out=5)', (s) => W.getsockopt(s, W.SOL_SOCKET, W.SO_LINGER, 5 as never), /out must be a Linger/],
    ['getsockopt(SO_TYPE, out={})', (s) => W.getsockopt(s, W.SOL_SOCKET, W.SO_TYPE, {} as never), /out must be an array/],
    ['setsockopt(SO_LINGER, 5)', (s) => W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, 5), /SO_LINGER takes a Linger/],
    [
      'setsockopt(SO_LINGER, {l_onoff: "1"})',
      (s) => W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: '1', l_linger: 0 } as never),
      /must be numbers/,
    ],
    ['setsockopt(SO_RCVBUF, "4096")', (s) => W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, '4096' as never), /takes a number or boolean/],
    ['WSASendDisconnect(s, "bye")', (s) => W.WSASendDisconnect(s, 'bye' as never), /disconnect data must be a Buffer/],
    ['WSARecvDisconnect(s, 7)', (s) => W.WSARecvDisconnect(s, 7 as never), /disconnect data must be a Buffer/],
    ['ioctlsocket(FIONBIO, ["1"])', (s) => W.ioctlsocket(s, W.FIONBIO, ['1'] as never), /FIONBIO needs argp\[0\] as a number/],
  ];

  for (const [name, call, message] of calls) {
    it(`${name}: on an open, a closed and a never-issued handle`, () => {
      for (const s of [open, closed, 0x7ffffff0]) expect(() => call(s)).toThrow(TypeError);
      expect(() => call(closed)).toThrow(message);
    });
  }

  it('before WSAStartup as well (WSANOTINITIALISED comes after the type check)', () => {
    expect(W.WSACleanup()).toBe(0);
    try {
      for (const [, call] of calls) expect(() => call(open)).toThrow(TypeError);
    } finally {
      W.WSAStartup(W.MAKEWORD(2, 2));
    }
  });

  it('a well-typed value on a closed handle still answers WSAENOTSOCK', () => {
    expect(W.setsockopt(closed, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    expect(W.WSASendDisconnect(closed, Buffer.from('x'))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
  });
});
