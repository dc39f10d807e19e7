// Bad input to the overlapped calls: a clear WSA code or a TypeError/RangeError
// naming the argument, and nothing changes on the socket.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { ok, tcpPair, useWinsock } from '../helpers.js';
import { overlapped, result } from './helpers.js';

useWinsock();

describe('overlapped bad input', () => {
  it('WSASocket: flags it does not know, a protocol info or a group are WSAEINVAL; WSA_FLAG_OVERLAPPED works', () => {
    expect(W.WSASocket(W.AF_INET, W.SOCK_STREAM, 0, null, 0, 0x4000)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.WSASocket(W.AF_INET, W.SOCK_STREAM, 0, {}, 0, 0)).toBe(W.INVALID_SOCKET);
    expect(W.WSASocket(W.AF_INET, W.SOCK_STREAM, 0, null, 1, 0)).toBe(W.INVALID_SOCKET);
    const s = W.WSASocket(W.AF_INET, W.SOCK_STREAM, 0, null, 0, W.WSA_FLAG_OVERLAPPED | W.WSA_FLAG_NO_HANDLE_INHERIT);
    expect(s).not.toBe(W.INVALID_SOCKET);
    ok(W.closesocket(s));
  });

  it('a completion routine that is not a function throws naming it', () => {
    const { server } = tcpPair();
    const { ov } = overlapped();
    expect(() => W.WSARecv(server, [{ len: 4, buf: Buffer.alloc(4) }], 1, null, [0], ov, 42 as never)).toThrow(/lpCompletionRoutine/);
  });

  it('a WSABUF longer than its buffer is WSAEFAULT; malformed arguments throw naming them', () => {
    const { server } = tcpPair();
    expect(W.WSARecv(server, [{ len: 9, buf: Buffer.alloc(4) }], 1, null, [0], null, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEFAULT);
    expect(() => W.WSARecv(server, 'x' as never, 1, null, [0], null, null)).toThrow(/lpBuffers/);
    expect(() => W.WSARecv(server, [{ len: 1, buf: 'x' }] as never, 1, null, [0], null, null)).toThrow(/lpBuffers\[0\]/);
    expect(() => W.WSARecv(server, [], 2, null, [0], null, null)).toThrow(RangeError);
    expect(() => W.WSARecv(server, [], 0, null, null as never, null, null)).toThrow(/lpFlags/);
    expect(() => W.WSASend(server, [], 0, null, 'x' as never, null, null)).toThrow(/dwFlags/);
    expect(() => W.WSARecv(server, [], 0, null, [0], 42 as never, null)).toThrow(/lpOverlapped/);
    expect(() => W.WSAGetOverlappedResult(server, null as never, [0], false, [0])).toThrow(/lpOverlapped/);
  });

  it('a WSAOVERLAPPED still pending cannot start another operation (WSAEINVAL); one never used is WSAEINVAL', () => {
    const { server } = tcpPair();
    const { ov } = overlapped();
    expect(W.WSARecv(server, [{ len: 4, buf: Buffer.alloc(4) }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSARecv(server, [{ len: 4, buf: Buffer.alloc(4) }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(result(server, W.newOverlapped(null))).toBe('WSAEINVAL');
  });

  it('a handle that is not a socket: WSAENOTSOCK', () => {
    const { ov } = overlapped();
    expect(W.WSASend(777, [{ len: 1, buf: Buffer.from('x') }], 1, null, 0, ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
  });
});
