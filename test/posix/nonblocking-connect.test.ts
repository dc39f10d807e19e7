// Rule: a nonblocking connect in progress answers WSAEWOULDBLOCK (Linux says
// EINPROGRESS); completion shows as WSAPoll POLLWRNORM; a second connect on
// the connected socket is WSAEISCONN; a refused one shows as SO_ERROR =
// WSAECONNREFUSED. Nonblocking accept/recv with nothing there: WSAEWOULDBLOCK.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';
import { lastErrorOf, listener, LOOPBACK4, observe, ok, useWinsock } from '../helpers.js';

useWinsock();

function nonblockingSocket(af: number = W.AF_INET): SOCKET {
  const s = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP));
  ok(W.ioctlsocket(s, W.FIONBIO, [1]), 'FIONBIO');
  return s;
}

/** Polls `s` for writability (bounded) and returns revents. */
function pollWritable(s: SOCKET, timeoutMs = 5000): number {
  const fds = [{ fd: s, events: W.POLLWRNORM, revents: 0 }];
  const rc = W.WSAPoll(fds, timeoutMs);
  expect(rc).not.toBe(W.SOCKET_ERROR);
  return fds[0]!.revents;
}

/** A loopback port nobody listens on: bind a socket (no listen), read its port, close it. */
function deadPort(): SockAddr {
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
  ok(W.bind(s, LOOPBACK4));
  const a = {} as SockAddr;
  ok(W.getsockname(s, a));
  ok(W.closesocket(s));
  return a;
}

describe('nonblocking connect', () => {
  for (const [label, af] of [
    ['IPv4', W.AF_INET],
    ['IPv6', W.AF_INET6],
  ] as const) {
    it(`${label}: WSAEWOULDBLOCK (not EINPROGRESS), POLLWRNORM when done, then WSAEISCONN; data flows`, () => {
      const l = listener(af);
      const c = nonblockingSocket(af);
      W.WSASetLastError(0);
      expect(W.connect(c, l.addr)).toBe(W.SOCKET_ERROR);
      const e = W.WSAGetLastError();
      expect(W.wsaErrorName(e)).toBe('WSAEWOULDBLOCK');
      expect(e).not.toBe(W.WSA.WSAEINPROGRESS);

      const rev = pollWritable(c);
      expect(rev & W.POLLWRNORM).toBe(W.POLLWRNORM);
      expect(rev & (W.POLLERR | W.POLLHUP)).toBe(0);
      const err: number[] = [];
      ok(W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, err));
      expect(err[0]).toBe(0);

      // Winsock: connect on a connected socket is WSAEISCONN.
      expect(lastErrorOf(W.connect(c, l.addr))).toBe(W.WSA.WSAEISCONN);

      const peer = {} as SockAddr;
      ok(W.getpeername(c, peer));
      expect(peer).toEqual(l.addr);

      const srv = ok(W.accept(l.s));
      expect(W.send(c, Buffer.from('hello'))).toBe(5);
      expect(observe(srv)).toEqual({ bytes: 'hello' });
      for (const s of [c, srv, l.s]) ok(W.closesocket(s));
    });
  }

  it('a second connect while still in progress is not a success (WSAEALREADY, WSAEWOULDBLOCK or WSAEISCONN)', () => {
    // On loopback the handshake often completes before the second call: every
    // answer Winsock may give is accepted, but never 0 or a foreign code.
    const l = listener();
    const c = nonblockingSocket();
    expect(lastErrorOf(W.connect(c, l.addr))).toBe(W.WSA.WSAEWOULDBLOCK);
    const second = lastErrorOf(W.connect(c, l.addr));
    expect([W.WSA.WSAEALREADY, W.WSA.WSAEWOULDBLOCK, W.WSA.WSAEISCONN]).toContain(second);
    expect(pollWritable(c) & W.POLLWRNORM).toBe(W.POLLWRNORM);
    expect(lastErrorOf(W.connect(c, l.addr))).toBe(W.WSA.WSAEISCONN);
    for (const s of [c, l.s]) ok(W.closesocket(s));
  });

  it('to a port nobody listens on: WSAEWOULDBLOCK, then POLLERR and SO_ERROR = WSAECONNREFUSED', () => {
    const dead = deadPort();
    const c = nonblockingSocket();
    const rc = W.connect(c, dead);
    // Linux may refuse a loopback connect synchronously; Winsock never does
    // for a nonblocking socket, and neither must we.
    expect(lastErrorOf(rc)).toBe(W.WSA.WSAEWOULDBLOCK);
    const fds = [{ fd: c, events: W.POLLWRNORM | W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 5000)).toBe(1);
    // Winsock reports a failed connect as POLLHUP|POLLERR (a connection that
    // never existed). We require POLLERR and no POLLWRNORM-only success.
    expect(fds[0]!.revents & W.POLLERR).toBe(W.POLLERR);
    const err: number[] = [];
    ok(W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, err));
    expect(W.wsaErrorName(err[0]!)).toBe('WSAECONNREFUSED');
    // SO_ERROR is cleared by reading it.
    ok(W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, err));
    expect(err[0]).toBe(0);
    // The socket is not connected.
    expect(lastErrorOf(W.getpeername(c, {} as SockAddr))).toBe(W.WSA.WSAENOTCONN);
    ok(W.closesocket(c));
  });

  it('a blocking connect to a dead port: WSAECONNREFUSED directly', () => {
    const dead = deadPort();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    expect(lastErrorOf(W.connect(c, dead))).toBe(W.WSA.WSAECONNREFUSED);
    ok(W.closesocket(c));
  });

  it('connect to port 0 or to ADDR_ANY is WSAEADDRNOTAVAIL', () => {
    const c = nonblockingSocket();
    expect(lastErrorOf(W.connect(c, { family: W.AF_INET, address: '127.0.0.1', port: 0 }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
    expect(lastErrorOf(W.connect(c, { family: W.AF_INET, address: '0.0.0.0', port: 80 }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
    ok(W.closesocket(c));
  });

  it('connect on a listening socket is WSAEINVAL', () => {
    const l = listener();
    const other = listener();
    expect(lastErrorOf(W.connect(l.s, other.addr))).toBe(W.WSA.WSAEINVAL);
    for (const s of [l.s, other.s]) ok(W.closesocket(s));
  });
});

describe('nonblocking accept', () => {
  it('nothing pending: WSAEWOULDBLOCK at once; a connection pending: accepted, and nonblocking like its listener', () => {
    const l = listener();
    ok(W.ioctlsocket(l.s, W.FIONBIO, [1]));
    const t0 = Date.now();
    W.WSASetLastError(0);
    expect(W.accept(l.s)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    expect(Date.now() - t0).toBeLessThan(1000);

    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.connect(c, l.addr));
    const fds = [{ fd: l.s, events: W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 5000)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLRDNORM);
    const from = {} as SockAddr;
    const srv = ok(W.accept(l.s, from));
    expect(from.family).toBe(W.AF_INET);
    expect(from.address).toBe('127.0.0.1');
    const mine = {} as SockAddr;
    ok(W.getsockname(c, mine));
    expect(from.port).toBe(mine.port);

    // Winsock: the accepted socket inherits the listener's nonblocking mode.
    expect(lastErrorOf(W.recv(srv, Buffer.alloc(8)))).toBe(W.WSA.WSAEWOULDBLOCK);

    // Drained again.
    expect(W.accept(l.s)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
    for (const s of [c, srv, l.s]) ok(W.closesocket(s));
  });
});

describe('nonblocking recv', () => {
  it('no data: WSAEWOULDBLOCK at once; data: returned; FIONBIO 0 makes it blocking again', () => {
    const l = listener();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.connect(c, l.addr));
    const srv = ok(W.accept(l.s));
    ok(W.ioctlsocket(srv, W.FIONBIO, [1]));
    const buf = Buffer.alloc(64);
    const t0 = Date.now();
    expect(lastErrorOf(W.recv(srv, buf))).toBe(W.WSA.WSAEWOULDBLOCK);
    expect(lastErrorOf(W.recvfrom(srv, buf, buf.length, 0))).toBe(W.WSA.WSAEWOULDBLOCK);
    expect(Date.now() - t0).toBeLessThan(1000);

    expect(W.send(c, Buffer.from('abc'))).toBe(3);
    const fds = [{ fd: srv, events: W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 5000)).toBe(1);
    expect(W.recv(srv, buf)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('abc');
    expect(lastErrorOf(W.recv(srv, buf))).toBe(W.WSA.WSAEWOULDBLOCK);

    // Back to blocking: with data already there, recv returns it (no block, no error).
    ok(W.ioctlsocket(srv, W.FIONBIO, [0]));
    expect(W.send(c, Buffer.from('de'))).toBe(2);
    expect(W.WSAPoll(fds, 5000)).toBe(1);
    expect(W.recv(srv, buf)).toBe(2);
    // After the peer's FIN a nonblocking recv returns 0, not WSAEWOULDBLOCK.
    ok(W.ioctlsocket(srv, W.FIONBIO, [1]));
    ok(W.shutdown(c, W.SD_SEND));
    expect(W.WSAPoll(fds, 5000)).toBe(1);
    expect(W.recv(srv, buf)).toBe(0);
    for (const s of [c, srv, l.s]) ok(W.closesocket(s));
  });

  it('nonblocking send on a full connection: WSAEWOULDBLOCK', () => {
    const l = listener();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.connect(c, l.addr));
    const srv = ok(W.accept(l.s));
    ok(W.ioctlsocket(c, W.FIONBIO, [1]));
    const chunk = Buffer.alloc(65536, 0x61);
    let last = 0;
    for (let i = 0; i < 10_000; i++) {
      last = W.send(c, chunk);
      if (last === W.SOCKET_ERROR) break;
    }
    expect(lastErrorOf(last)).toBe(W.WSA.WSAEWOULDBLOCK);
    const fds = [{ fd: c, events: W.POLLWRNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 0)).toBe(0);
    for (const s of [c, srv, l.s]) ok(W.closesocket(s));
  });
});
