// Rule: UDP sendto/recvfrom with Winsock's addresses; recv on an unbound UDP
// socket is WSAEINVAL (Linux would block); a datagram larger than the buffer
// is WSAEMSGSIZE with the buffer filled (Linux truncates silently); send on an
// unconnected UDP socket is WSAENOTCONN; connect then send/recv. IPv4 and IPv6.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';
import { lastErrorOf, LOOPBACK4, LOOPBACK6, ok, useWinsock, waitReadable } from '../helpers.js';

useWinsock();

function udp(af: number, bindIt = true): { s: SOCKET; addr: SockAddr } {
  const s = ok(W.socket(af, W.SOCK_DGRAM, W.IPPROTO_UDP));
  const addr = {} as SockAddr;
  if (bindIt) {
    ok(W.bind(s, af === W.AF_INET ? LOOPBACK4 : LOOPBACK6));
    ok(W.getsockname(s, addr));
  }
  return { s, addr };
}

function closeAll(...ss: SOCKET[]): void {
  for (const s of ss) ok(W.closesocket(s));
}

for (const [label, af, loop] of [
  ['IPv4', W.AF_INET, '127.0.0.1'],
  ['IPv6', W.AF_INET6, '::1'],
] as const) {
  describe(label, () => {
    it('sendto/recvfrom: bytes arrive, addrOut names the sender with Winsock family numbers', () => {
      const a = udp(af);
      const b = udp(af);
      expect(a.addr.family).toBe(af);
      expect(a.addr.address).toBe(loop);
      expect(W.sendto(a.s, Buffer.from('hello udp'), 9, 0, b.addr)).toBe(9);
      expect(waitReadable(b.s, 2000) & W.POLLRDNORM).toBe(W.POLLRDNORM);
      const buf = Buffer.alloc(64);
      const from = {} as SockAddr;
      expect(W.recvfrom(b.s, buf, buf.length, 0, from)).toBe(9);
      expect(buf.subarray(0, 9).toString()).toBe('hello udp');
      expect(from).toEqual({ family: af, address: loop, port: a.addr.port });
      closeAll(a.s, b.s);
    });

    it('recvfrom without addrOut, and recv, read a datagram each; datagram boundaries are kept', () => {
      const a = udp(af);
      const b = udp(af);
      expect(W.sendto(a.s, Buffer.from('one'), 3, 0, b.addr)).toBe(3);
      expect(W.sendto(a.s, Buffer.from('two!'), 4, 0, b.addr)).toBe(4);
      const buf = Buffer.alloc(64);
      waitReadable(b.s, 2000);
      expect(W.recvfrom(b.s, buf, buf.length, 0)).toBe(3);
      expect(buf.subarray(0, 3).toString()).toBe('one');
      waitReadable(b.s, 2000);
      expect(W.recv(b.s, buf)).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('two!');
      closeAll(a.s, b.s);
    });

    it('sendto with len sends only len bytes; a zero-length datagram arrives as 0', () => {
      const a = udp(af);
      const b = udp(af);
      expect(W.sendto(a.s, Buffer.from('abcdef'), 2, 0, b.addr)).toBe(2);
      expect(W.sendto(a.s, Buffer.alloc(0), 0, 0, b.addr)).toBe(0);
      const buf = Buffer.alloc(16);
      waitReadable(b.s, 2000);
      expect(W.recvfrom(b.s, buf, 16, 0)).toBe(2);
      expect(buf.subarray(0, 2).toString()).toBe('ab');
      waitReadable(b.s, 2000);
      expect(W.recvfrom(b.s, buf, 16, 0)).toBe(0);
      closeAll(a.s, b.s);
    });

    it('sendto from an unbound socket binds it implicitly: recvfrom then works', () => {
      const a = udp(af, false);
      const b = udp(af);
      expect(W.sendto(a.s, Buffer.from('hi'), 2, 0, b.addr)).toBe(2);
      const aName = {} as SockAddr;
      ok(W.getsockname(a.s, aName));
      expect(aName.port).toBeGreaterThan(0);
      waitReadable(b.s, 2000);
      const from = {} as SockAddr;
      expect(W.recvfrom(b.s, Buffer.alloc(8), 8, 0, from)).toBe(2);
      expect(from.port).toBe(aName.port);
      // And the reply reaches the implicitly bound socket.
      expect(W.sendto(b.s, Buffer.from('back'), 4, 0, from)).toBe(4);
      waitReadable(a.s, 2000);
      const buf = Buffer.alloc(8);
      expect(W.recv(a.s, buf)).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('back');
      closeAll(a.s, b.s);
    });

    it('recv/recvfrom on an unbound UDP socket: WSAEINVAL at once (no block)', () => {
      const u = udp(af, false);
      const t0 = Date.now();
      expect(lastErrorOf(W.recv(u.s, Buffer.alloc(8)))).toBe(W.WSA.WSAEINVAL);
      expect(lastErrorOf(W.recvfrom(u.s, Buffer.alloc(8), 8, 0, {} as SockAddr))).toBe(W.WSA.WSAEINVAL);
      expect(Date.now() - t0).toBeLessThan(1000);
      // Still unbound (the failed recv did not bind it).
      expect(lastErrorOf(W.getsockname(u.s, {} as SockAddr))).toBe(W.WSA.WSAEINVAL);
      closeAll(u.s);
    });

    it('a datagram larger than the buffer: WSAEMSGSIZE, buffer filled with its first bytes, the rest discarded', () => {
      const a = udp(af);
      const b = udp(af);
      const big = Buffer.from('0123456789ABCDEFGHIJ');
      expect(W.sendto(a.s, big, big.length, 0, b.addr)).toBe(20);
      expect(W.sendto(a.s, Buffer.from('next'), 4, 0, b.addr)).toBe(4);
      waitReadable(b.s, 2000);
      const buf = Buffer.alloc(16, 0x2e);
      const from = {} as SockAddr;
      W.WSASetLastError(0);
      expect(W.recvfrom(b.s, buf, 8, 0, from)).toBe(W.SOCKET_ERROR);
      expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAEMSGSIZE');
      expect(buf.subarray(0, 8).toString()).toBe('01234567');
      // Nothing beyond len was written.
      expect(buf.subarray(8).toString()).toBe('........');
      // addrOut is still filled.
      expect(from.port).toBe(a.addr.port);
      // The rest of that datagram is gone: the next recv is the next datagram.
      waitReadable(b.s, 2000);
      const buf2 = Buffer.alloc(16);
      expect(W.recv(b.s, buf2)).toBe(4);
      expect(buf2.subarray(0, 4).toString()).toBe('next');
      closeAll(a.s, b.s);
    });

    it('recv with a short buffer also answers WSAEMSGSIZE', () => {
      const a = udp(af);
      const b = udp(af);
      expect(W.sendto(a.s, Buffer.from('abcdef'), 6, 0, b.addr)).toBe(6);
      waitReadable(b.s, 2000);
      const buf = Buffer.alloc(3);
      expect(lastErrorOf(W.recv(b.s, buf))).toBe(W.WSA.WSAEMSGSIZE);
      expect(buf.toString()).toBe('abc');
      closeAll(a.s, b.s);
    });

    it('send on an unconnected UDP socket: WSAENOTCONN (bound or not)', () => {
      const u = udp(af, false);
      expect(lastErrorOf(W.send(u.s, Buffer.from('x')))).toBe(W.WSA.WSAENOTCONN);
      const v = udp(af);
      expect(lastErrorOf(W.send(v.s, Buffer.from('x')))).toBe(W.WSA.WSAENOTCONN);
      closeAll(u.s, v.s);
    });

    it('connect then send/recv; getpeername names the peer; datagrams from others are filtered', () => {
      const a = udp(af);
      const b = udp(af);
      const stranger = udp(af);
      ok(W.connect(a.s, b.addr));
      ok(W.connect(b.s, a.addr));
      const peer = {} as SockAddr;
      ok(W.getpeername(a.s, peer));
      expect(peer).toEqual(b.addr);
      expect(W.sendto(stranger.s, Buffer.from('noise'), 5, 0, b.addr)).toBe(5);
      expect(W.send(a.s, Buffer.from('ping'))).toBe(4);
      waitReadable(b.s, 2000);
      const buf = Buffer.alloc(16);
      const from = {} as SockAddr;
      expect(W.recvfrom(b.s, buf, 16, 0, from)).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('ping');
      expect(from).toEqual(a.addr);
      expect(W.send(b.s, Buffer.from('pong'))).toBe(4);
      waitReadable(a.s, 2000);
      expect(W.recv(a.s, buf)).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('pong');
      // Nothing else is pending on b: the stranger's datagram was not delivered.
      const fds = [{ fd: b.s, events: W.POLLRDNORM, revents: 0 }];
      expect(W.WSAPoll(fds, 50)).toBe(0);
      closeAll(a.s, b.s, stranger.s);
    });

    it('a connected UDP socket: connect to the any address with port 0 dissolves the association', () => {
      const a = udp(af);
      const b = udp(af);
      ok(W.connect(a.s, b.addr));
      expect(W.send(a.s, Buffer.from('1'))).toBe(1);
      ok(W.connect(a.s, { family: af, address: af === W.AF_INET ? '0.0.0.0' : '::', port: 0 }));
      expect(lastErrorOf(W.send(a.s, Buffer.from('2')))).toBe(W.WSA.WSAENOTCONN);
      expect(lastErrorOf(W.getpeername(a.s, {} as SockAddr))).toBe(W.WSA.WSAENOTCONN);
      closeAll(a.s, b.s);
    });

    it('dissolving the association keeps the socket bound to the same port (Linux would give back a kernel-chosen port)', () => {
      const any = af === W.AF_INET ? '0.0.0.0' : '::';
      const a = udp(af); // bound explicitly, to port 0
      const b = udp(af);
      const implicit = udp(af, false); // bound only by its connect
      ok(W.connect(a.s, b.addr));
      ok(W.connect(implicit.s, b.addr));
      const implicitName = {} as SockAddr;
      ok(W.getsockname(implicit.s, implicitName));
      for (const [s, port] of [
        [a.s, a.addr.port],
        [implicit.s, implicitName.port],
      ] as const) {
        ok(W.connect(s, { family: af, address: any, port: 0 }));
        const name = {} as SockAddr;
        ok(W.getsockname(s, name));
        expect(name.port).toBe(port);
        // Datagrams to that port still arrive.
        expect(W.sendto(b.s, Buffer.from('still'), 5, 0, { family: af, address: loop, port })).toBe(5);
        expect(waitReadable(s, 2000) & W.POLLRDNORM).toBe(W.POLLRDNORM);
        const buf = Buffer.alloc(8);
        expect(W.recv(s, buf)).toBe(5);
        expect(buf.subarray(0, 5).toString()).toBe('still');
      }
      closeAll(a.s, b.s, implicit.s);
    });

    it('dissolving on a socket never bound leaves it unbound: recv is still WSAEINVAL', () => {
      const u = udp(af, false);
      ok(W.ioctlsocket(u.s, W.FIONBIO, [1])); // a regression must fail, not hang
      ok(W.connect(u.s, { family: af, address: af === W.AF_INET ? '0.0.0.0' : '::', port: 0 }));
      expect(lastErrorOf(W.recv(u.s, Buffer.alloc(8)))).toBe(W.WSA.WSAEINVAL);
      closeAll(u.s);
    });

    it('nonblocking recv with nothing waiting: WSAEWOULDBLOCK', () => {
      const u = udp(af);
      ok(W.ioctlsocket(u.s, W.FIONBIO, [1]));
      expect(lastErrorOf(W.recvfrom(u.s, Buffer.alloc(8), 8, 0))).toBe(W.WSA.WSAEWOULDBLOCK);
      closeAll(u.s);
    });

    it('FIONREAD reports the size of the datagram waiting', () => {
      const a = udp(af);
      const b = udp(af);
      expect(W.sendto(a.s, Buffer.alloc(123), 123, 0, b.addr)).toBe(123);
      waitReadable(b.s, 2000);
      const n = [0];
      ok(W.ioctlsocket(b.s, W.FIONREAD, n));
      expect(n[0]).toBe(123);
      closeAll(a.s, b.s);
    });

    it('sendto to port 0 is WSAEADDRNOTAVAIL; to the other family is WSAEAFNOSUPPORT', () => {
      const u = udp(af);
      expect(lastErrorOf(W.sendto(u.s, Buffer.from('x'), 1, 0, { family: af, address: loop, port: 0 }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
      const other =
        af === W.AF_INET ? { family: W.AF_INET6, address: '::1', port: 9 } : { family: W.AF_INET, address: '127.0.0.1', port: 9 };
      expect(lastErrorOf(W.sendto(u.s, Buffer.from('x'), 1, 0, other))).toBe(W.WSA.WSAEAFNOSUPPORT);
      closeAll(u.s);
    });

    it('connected to a port nobody listens on: the ICMP port unreachable is one WSAECONNRESET (Linux: ECONNREFUSED), not a broken socket', () => {
      const gone = udp(af);
      const dead = gone.addr;
      closeAll(gone.s);
      const u = udp(af);
      ok(W.connect(u.s, dead));
      expect(W.send(u.s, Buffer.from('x'))).toBe(1);
      // The ICMP error arrives shortly after; WSAPoll sees it as an error condition.
      const fds = [{ fd: u.s, events: W.POLLRDNORM, revents: 0 }];
      expect(W.WSAPoll(fds, 2000)).toBe(1);
      expect(lastErrorOf(W.recv(u.s, Buffer.alloc(8)))).not.toBe(W.WSA.WSAEWOULDBLOCK);
      expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAECONNRESET');
      // Reported once: the socket still works (send succeeds, a nonblocking recv finds nothing).
      expect(W.send(u.s, Buffer.from('y'))).toBe(1);
      ok(W.connect(u.s, { family: af, address: af === W.AF_INET ? '0.0.0.0' : '::', port: 0 }));
      ok(W.ioctlsocket(u.s, W.FIONBIO, [1]));
      const a = udp(af);
      expect(W.sendto(a.s, Buffer.from('ok'), 2, 0, u.addr)).toBe(2);
      waitReadable(u.s, 2000);
      const buf = Buffer.alloc(8);
      // Possibly one more ICMP report from the second send first; then the datagram.
      let n = W.recv(u.s, buf);
      if (n === W.SOCKET_ERROR && W.WSAGetLastError() === W.WSA.WSAECONNRESET) {
        waitReadable(u.s, 2000);
        n = W.recv(u.s, buf);
      }
      expect(n).toBe(2);
      expect(buf.subarray(0, 2).toString()).toBe('ok');
      closeAll(u.s, a.s);
    });

    it('MSG_PEEK leaves the datagram queued; an oversized peek is WSAEMSGSIZE with the buffer filled', () => {
      const a = udp(af);
      const b = udp(af);
      expect(W.sendto(a.s, Buffer.from('peekaboo'), 8, 0, b.addr)).toBe(8);
      waitReadable(b.s, 2000);
      const small = Buffer.alloc(4);
      expect(lastErrorOf(W.recv(b.s, small, 4, W.MSG_PEEK))).toBe(W.WSA.WSAEMSGSIZE);
      expect(small.toString()).toBe('peek');
      const buf = Buffer.alloc(16);
      expect(W.recv(b.s, buf, 16, W.MSG_PEEK)).toBe(8);
      expect(W.recv(b.s, buf, 16, 0)).toBe(8);
      expect(buf.subarray(0, 8).toString()).toBe('peekaboo');
      closeAll(a.s, b.s);
    });

    it('SO_TYPE is SOCK_DGRAM', () => {
      const u = udp(af, false);
      const out: number[] = [];
      ok(W.getsockopt(u.s, W.SOL_SOCKET, W.SO_TYPE, out));
      expect(out[0]).toBe(W.SOCK_DGRAM);
      closeAll(u.s);
    });
  });
}

describe('accept on a datagram socket', () => {
  it('WSAEOPNOTSUPP', () => {
    const u = udp(W.AF_INET);
    W.WSASetLastError(0);
    expect(W.accept(u.s)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEOPNOTSUPP);
    closeAll(u.s);
  });
});
