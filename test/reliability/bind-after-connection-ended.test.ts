// Fuzzer regression (seeds 4 and 5, shrunk): bind on a TCP socket whose
// connection had ended succeeded, because Linux gives the port back once the
// connection is reset or both FINs are exchanged. Winsock: the socket is
// already bound (connect/accept bound it): WSAEINVAL.
// Minimal sequences:
//   WSASendDisconnect(a1); WSASendDisconnect(c1); bind(c1, 127.0.0.1:0) -> 0 (now WSAEINVAL)
//   send(a1, 1 byte); WSARecvDisconnect(c1) (a reset: data was unread); bind(c1, 127.0.0.1:0) -> 0
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { LOOPBACK4, tcpPair, tick, useWinsock, waitReadable } from '../helpers.js';

describe('bind after the connection ended', () => {
  useWinsock();

  it('is WSAEINVAL after both FINs', async () => {
    const p = tcpPair();
    expect(W.WSASendDisconnect(p.server)).toBe(0);
    expect(W.WSASendDisconnect(p.client)).toBe(0);
    waitReadable(p.client);
    await tick(20);
    for (const s of [p.client, p.server]) {
      expect(W.bind(s, LOOPBACK4)).toBe(W.SOCKET_ERROR);
      expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAEINVAL');
    }
    for (const s of [p.client, p.server, p.listener]) W.closesocket(s);
  });

  it('is WSAEINVAL after the connection was reset', async () => {
    const p = tcpPair();
    expect(W.send(p.server, Buffer.from('x'))).toBe(1);
    waitReadable(p.client);
    expect(W.WSARecvDisconnect(p.client)).toBe(0); // unread data: a reset
    await tick(20);
    expect(W.bind(p.client, LOOPBACK4)).toBe(W.SOCKET_ERROR);
    expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAEINVAL');
    for (const s of [p.client, p.server, p.listener]) W.closesocket(s);
  });

  it('still succeeds once on a fresh socket, then WSAEINVAL', () => {
    const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    expect(W.bind(s, LOOPBACK4)).toBe(0);
    expect(W.bind(s, LOOPBACK4)).toBe(W.SOCKET_ERROR);
    expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAEINVAL');
    W.closesocket(s);
  });
});
