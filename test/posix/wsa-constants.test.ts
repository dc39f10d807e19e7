// Rule: ported code compares WSAGetLastError() with bare WSAE* constants
// (DESIGN.md "Porting surface"); their values are winsock2.h's / winerror.h's
// (Microsoft's "Windows Sockets Error Codes" page): WSAE* = 10000 + the BSD errno.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';

it('bare WSA constants exist for every code of the WSA table, with the same values', () => {
  for (const [name, code] of Object.entries(W.WSA)) expect((W as Record<string, unknown>)[name], name).toBe(code);
  expect([W.WSAEINTR, W.WSAEWOULDBLOCK, W.WSAENOTSOCK, W.WSAECONNRESET, W.WSANOTINITIALISED]).toEqual([10004, 10035, 10038, 10054, 10093]);
  expect([W.WSAHOST_NOT_FOUND, W.WSATRY_AGAIN, W.WSANO_RECOVERY, W.WSANO_DATA, W.WSA_IO_PENDING, W.WSA_OPERATION_ABORTED]).toEqual([
    11001, 11002, 11003, 11004, 997, 995,
  ]);
});

it('a ported comparison reads as in C', () => {
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
  W.ioctlsocket(s, W.FIONBIO, [1]);
  expect(W.recv(s, Buffer.alloc(1))).toBe(W.SOCKET_ERROR);
  // recv on an unconnected stream socket: Winsock says WSAENOTCONN.
  expect(W.WSAGetLastError() === W.WSAENOTCONN).toBe(true);
  W.closesocket(s);
  expect(W.WSACleanup()).toBe(0);
});
