// Rule (Microsoft's WSAEventSelect page, "re-enabling function" table): a
// recorded network event is not recorded again until
// its re-enabling call — FD_READ by recv (level-triggered: posted again at
// once if data remains), FD_WRITE only after a send failed with
// WSAEWOULDBLOCK, FD_ACCEPT by accept, FD_CONNECT and FD_CLOSE never.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { fillUntilBlocked, listener, ok, tcpPair, useWinsock } from '../helpers.js';
import { collect, enumEvents, select, waitEvents } from './helpers.js';

useWinsock();
const NOT_SET = (ev: number, ms = 80) => expect(W.WSAWaitForMultipleEvents(1, [ev], false, ms, false)).toBe(W.WSA_WAIT_TIMEOUT);

describe('FD_READ', () => {
  it('is recorded once for data that stays unread, and again after a recv that leaves data', () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_READ);
    ok(W.send(client, Buffer.from('0123456789')));
    expect(waitEvents(server, ev).lNetworkEvents).toBe(W.FD_READ);
    // More data, no recv: not recorded again.
    ok(W.send(client, Buffer.from('more')));
    NOT_SET(ev);
    // A recv that leaves data re-enables it, and the condition holds: recorded at once.
    expect(W.recv(server, Buffer.alloc(4), 4)).toBe(4);
    expect(enumEvents(server, ev).lNetworkEvents).toBe(W.FD_READ);
    // A recv that empties the socket re-enables it, but nothing is there to record.
    expect(W.recv(server, Buffer.alloc(100))).toBe(10);
    expect(enumEvents(server, ev).lNetworkEvents).toBe(0);
    NOT_SET(ev);
    ok(W.send(client, Buffer.from('x')));
    expect(waitEvents(server, ev).lNetworkEvents).toBe(W.FD_READ);
  });

  it('a recv that fails (WSAEWOULDBLOCK) still re-enables it', () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_READ);
    ok(W.send(client, Buffer.from('a')));
    expect(waitEvents(server, ev).lNetworkEvents).toBe(W.FD_READ);
    expect(W.recv(server, Buffer.alloc(8))).toBe(1);
    expect(W.recv(server, Buffer.alloc(8))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    ok(W.send(client, Buffer.from('b')));
    expect(waitEvents(server, ev).lNetworkEvents).toBe(W.FD_READ);
  });
});

describe('FD_WRITE', () => {
  it('is recorded when the association starts on a connected socket, then only after a send failed with WSAEWOULDBLOCK', () => {
    const { client, server } = tcpPair();
    const ev = select(client, W.FD_WRITE);
    expect(waitEvents(client, ev).lNetworkEvents).toBe(W.FD_WRITE);
    // A send that succeeds does not re-enable it.
    ok(W.send(client, Buffer.from('ok')));
    NOT_SET(ev);
    // Fill the send path until WSAEWOULDBLOCK (small buffers), then drain it on the other side.
    fillUntilBlocked(client, server);
    expect(W.send(client, Buffer.alloc(16384))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    NOT_SET(ev, 30);
    ok(W.ioctlsocket(server, W.FIONBIO, [1]));
    const sink = Buffer.alloc(1 << 16);
    const deadline = Date.now() + 5000;
    let seen = 0;
    while (Date.now() < deadline && !(seen & W.FD_WRITE)) {
      while (W.recv(server, sink) > 0);
      if (W.WSAWaitForMultipleEvents(1, [ev], false, 20, false) === W.WSA_WAIT_EVENT_0) seen |= enumEvents(client, ev).lNetworkEvents;
    }
    expect(seen).toBe(W.FD_WRITE);
  });
});

describe('FD_ACCEPT', () => {
  it('is recorded for a pending connection and again only after accept, while connections remain', () => {
    const l = listener();
    const ev = select(l.s, W.FD_ACCEPT);
    const c1 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const c2 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.connect(c1, l.addr));
    expect(waitEvents(l.s, ev).lNetworkEvents).toBe(W.FD_ACCEPT);
    ok(W.connect(c2, l.addr));
    NOT_SET(ev);
    const a1 = ok(W.accept(l.s));
    // One connection still waits: recorded again at once.
    expect(enumEvents(l.s, ev).lNetworkEvents).toBe(W.FD_ACCEPT);
    const a2 = ok(W.accept(l.s));
    expect(enumEvents(l.s, ev).lNetworkEvents).toBe(0);
    for (const s of [a1, a2, c1, c2, l.s]) ok(W.closesocket(s));
  });
});

describe('FD_CONNECT', () => {
  it('is recorded once, with FD_WRITE, when a nonblocking connect completes', () => {
    const l = listener();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const ev = select(c, W.FD_CONNECT | W.FD_WRITE);
    const rc = W.connect(c, l.addr);
    if (rc === W.SOCKET_ERROR) expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    const ne = collect(c, ev, W.FD_CONNECT | W.FD_WRITE);
    expect(ne.lNetworkEvents).toBe(W.FD_CONNECT | W.FD_WRITE);
    expect(ne.iErrorCode[W.FD_CONNECT_BIT]).toBe(0);
    NOT_SET(ev);
    ok(W.closesocket(c));
    ok(W.closesocket(l.s));
  });

  it('carries WSAECONNREFUSED when nothing listens', () => {
    const l = listener();
    const addr = l.addr;
    ok(W.closesocket(l.s)); // the port is free now: connecting to it is refused
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const ev = select(c, W.FD_CONNECT | W.FD_WRITE | W.FD_CLOSE);
    expect(W.connect(c, addr)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    const ne = collect(c, ev, W.FD_CONNECT);
    expect(ne.lNetworkEvents).toBe(W.FD_CONNECT);
    expect(ne.iErrorCode[W.FD_CONNECT_BIT]).toBe(W.WSA.WSAECONNREFUSED);
    NOT_SET(ev);
    ok(W.closesocket(c));
  });
});
