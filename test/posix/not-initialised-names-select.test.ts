// Rule: getaddrinfo, getnameinfo and select need WSAStartup like every
// Winsock call (Microsoft's getaddrinfo and select pages: WSANOTINITIALISED);
// inet_pton/inet_ntop and the byte-order helpers are pure conversions and do not.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';

it('before WSAStartup: getaddrinfo/getnameinfo return WSANOTINITIALISED', async () => {
  const res: W.addrinfo[] = [];
  expect(W.getaddrinfo('localhost', '80', null, res)).toBe(W.WSA.WSANOTINITIALISED);
  expect(W.WSAGetLastError()).toBe(10093);
  expect(W.getnameinfo({ family: W.AF_INET, address: '127.0.0.1', port: 80 }, [], W.NI_MAXHOST, null, 0, 0)).toBe(10093);
  await expect(W.getaddrinfoAsync('localhost', '80')).rejects.toMatchObject({ errno: 10093 });
  const b = new Uint8Array(4);
  expect(W.inet_pton(W.AF_INET, '10.0.0.1', b)).toBe(1);
  expect(W.htons(0x0102)).toBe(0x0201);
});

it('before WSAStartup, and after the last WSACleanup: select returns WSANOTINITIALISED', () => {
  const set = W.fd_set();
  W.FD_SET(0x1000, set);
  expect(W.select(0, set, null, null, { tv_sec: 0, tv_usec: 0 })).toBe(W.SOCKET_ERROR);
  expect(W.WSAGetLastError()).toBe(10093);
  expect(set.fd_count).toBe(1);
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  const s = W.socket(W.AF_INET, W.SOCK_DGRAM, 0);
  const w = W.fd_set();
  W.FD_SET(s, w);
  expect(W.select(0, null, w, null, null)).toBe(1);
  expect(W.WSACleanup()).toBe(0);
  W.FD_SET(s, w);
  expect(W.select(0, null, w, null, null)).toBe(W.SOCKET_ERROR);
  expect(W.WSAGetLastError()).toBe(10093);
});
