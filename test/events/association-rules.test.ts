// Rule (Microsoft's WSAEventSelect page): WSAEventSelect makes the socket
// nonblocking (whatever lNetworkEvents is) and FIONBIO 0 fails with WSAEINVAL while it lasts; a new call
// replaces the association and clears the record; lNetworkEvents 0 cancels it;
// an accepted socket inherits the listener's association; closesocket ends it.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { listener, ok, tcpPair, useWinsock } from '../helpers.js';
import { enumEvents, select, waitEvents } from './helpers.js';

useWinsock();

describe('WSAEventSelect', () => {
  it('makes the socket nonblocking; FIONBIO 0 is WSAEINVAL until the association is cancelled', () => {
    const { client, server } = tcpPair();
    select(server, W.FD_READ);
    expect(W.recv(server, Buffer.alloc(4))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    expect(W.ioctlsocket(server, W.FIONBIO, [0])).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    ok(W.WSAEventSelect(server, 0, 0));
    ok(W.ioctlsocket(server, W.FIONBIO, [0]));
    ok(W.send(client, Buffer.from('z')));
    expect(W.recv(server, Buffer.alloc(4))).toBe(1);
  });

  it('a new call replaces the association (the old event is no longer set) and clears the record', () => {
    const { client, server } = tcpPair();
    const first = select(server, W.FD_READ);
    ok(W.send(client, Buffer.from('one')));
    expect(W.WSAWaitForMultipleEvents(1, [first], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(W.WSAResetEvent(first)).toBe(true);
    const second = select(server, W.FD_CLOSE);
    expect(enumEvents(server).lNetworkEvents).toBe(0); // FD_READ was cleared and is not selected now
    ok(W.closesocket(client));
    expect(waitEvents(server, second).lNetworkEvents).toBe(W.FD_CLOSE);
    expect(W.WSAWaitForMultipleEvents(1, [first], false, 50, false)).toBe(W.WSA_WAIT_TIMEOUT);
  });

  it('makes the socket nonblocking whatever lNetworkEvents is, 0 included', () => {
    const { server } = tcpPair();
    ok(W.WSAEventSelect(server, 0, 0));
    expect(W.recv(server, Buffer.alloc(4))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
  });

  it('lNetworkEvents 0 cancels: nothing more is recorded', () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_READ | W.FD_CLOSE);
    ok(W.WSAEventSelect(server, ev, 0));
    ok(W.send(client, Buffer.from('x')));
    ok(W.closesocket(client));
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 100, false)).toBe(W.WSA_WAIT_TIMEOUT);
    expect(enumEvents(server).lNetworkEvents).toBe(0);
  });

  it('an accepted socket inherits the association: FD_WRITE at once, FD_READ for its data', () => {
    const l = listener();
    const ev = select(l.s, W.FD_ACCEPT | W.FD_READ | W.FD_WRITE | W.FD_CLOSE);
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.connect(c, l.addr));
    expect(waitEvents(l.s, ev).lNetworkEvents).toBe(W.FD_ACCEPT);
    const a = ok(W.accept(l.s));
    expect(enumEvents(a, ev).lNetworkEvents).toBe(W.FD_WRITE);
    ok(W.send(c, Buffer.from('hi')));
    expect(waitEvents(a, ev).lNetworkEvents).toBe(W.FD_READ);
    // And it is nonblocking like the listener.
    expect(W.ioctlsocket(a, W.FIONBIO, [0])).toBe(W.SOCKET_ERROR);
  });

  it('closesocket ends the association: the handle is gone, the event stays usable', () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_READ | W.FD_CLOSE);
    ok(W.closesocket(server));
    ok(W.send(client, Buffer.from('late')));
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 80, false)).toBe(W.WSA_WAIT_TIMEOUT);
    expect(W.WSAEnumNetworkEvents(server, ev, { lNetworkEvents: 0, iErrorCode: [] })).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    expect(W.WSASetEvent(ev)).toBe(true);
  });

  it('WSAEnumNetworkEvents sets only the iErrorCode entries of the events it reports', () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_READ | W.FD_CLOSE);
    ok(W.closesocket(client));
    const ne = { lNetworkEvents: 0, iErrorCode: new Array(10).fill(77) };
    const deadline = Date.now() + 3000;
    while (!(ne.lNetworkEvents & W.FD_CLOSE) && Date.now() < deadline) {
      W.WSAWaitForMultipleEvents(1, [ev], false, 100, false);
      ok(W.WSAEnumNetworkEvents(server, ev, ne));
    }
    expect(ne.lNetworkEvents).toBe(W.FD_CLOSE);
    expect(ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(0);
    expect(ne.iErrorCode[W.FD_READ_BIT]).toBe(77);
  });

  it('bad input: WSAENOTSOCK, WSAEINVAL for a bad event or an event it does not provide (FD_OOB), TypeError for a non-number', () => {
    const { server } = tcpPair();
    expect(W.WSAEventSelect(123456, W.WSACreateEvent(), W.FD_READ)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    expect(W.WSAEventSelect(server, 999, W.FD_READ)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.WSAEventSelect(server, W.WSACreateEvent(), W.FD_OOB)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(() => W.WSAEventSelect(server, W.WSACreateEvent(), 'FD_READ' as never)).toThrow(TypeError);
    expect(() => W.WSAEnumNetworkEvents(server, null, null as never)).toThrow(/lpNetworkEvents/);
  });
});
