// Rule: IPv6 works with Winsock's numbers: addresses come back with
// AF_INET6 = 23 (Linux's is 10); IPV6_V6ONLY defaults to 1 as on Windows
// (Linux follows a sysctl); a bind address of the other family is WSAEFAULT,
// a connect address of the other family is WSAEAFNOSUPPORT.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';
import { lastErrorOf, listener, LOOPBACK4, LOOPBACK6, observe, ok, useWinsock } from '../helpers.js';

useWinsock();

function closeAll(...ss: SOCKET[]): void {
  for (const s of ss) ok(W.closesocket(s));
}

describe('TCP over ::1', () => {
  it('connect/accept/send/recv; every address returned has family 23 and address ::1', () => {
    expect(W.AF_INET6).toBe(23);
    const l = listener(W.AF_INET6);
    expect(l.addr.family).toBe(23);
    expect(l.addr.address).toBe('::1');
    expect(l.addr.port).toBeGreaterThan(0);

    const c = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.connect(c, l.addr));
    const from = {} as SockAddr;
    const srv = ok(W.accept(l.s, from));

    const cName = {} as SockAddr;
    const cPeer = {} as SockAddr;
    const sName = {} as SockAddr;
    const sPeer = {} as SockAddr;
    ok(W.getsockname(c, cName));
    ok(W.getpeername(c, cPeer));
    ok(W.getsockname(srv, sName));
    ok(W.getpeername(srv, sPeer));
    for (const a of [from, cName, cPeer, sName, sPeer]) {
      expect(a.family).toBe(W.AF_INET6);
      expect(a.address).toBe('::1');
    }
    expect(cPeer).toEqual(l.addr);
    expect(sName).toEqual(l.addr);
    expect(from).toEqual(cName);
    expect(sPeer).toEqual(cName);

    expect(W.send(c, Buffer.from('over v6'))).toBe(7);
    expect(observe(srv)).toEqual({ bytes: 'over v6' });
    expect(W.send(srv, Buffer.from('reply'))).toBe(5);
    expect(observe(c)).toEqual({ bytes: 'reply' });
    ok(W.shutdown(c, W.SD_SEND));
    expect(observe(srv)).toEqual({ eof: true });
    closeAll(c, srv, l.s);
  });

  it('an expanded spelling of ::1 is accepted and comes back in RFC 5952 form', () => {
    const l = listener(W.AF_INET6);
    const c = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    ok(W.connect(c, { family: W.AF_INET6, address: '0:0:0:0:0:0:0:1', port: l.addr.port }));
    const peer = {} as SockAddr;
    ok(W.getpeername(c, peer));
    expect(peer.address).toBe('::1');
    const srv = ok(W.accept(l.s));
    closeAll(c, srv, l.s);
  });

  it('SO_TYPE and the socket kind survive accept on IPv6', () => {
    const l = listener(W.AF_INET6);
    const out: number[] = [];
    ok(W.getsockopt(l.s, W.SOL_SOCKET, W.SO_ACCEPTCONN, out));
    expect(out[0]).toBe(1);
    ok(W.getsockopt(l.s, W.SOL_SOCKET, W.SO_TYPE, out));
    expect(out[0]).toBe(W.SOCK_STREAM);
    closeAll(l.s);
  });
});

describe('IPV6_V6ONLY', () => {
  it('defaults to 1 on TCP and UDP sockets, like Windows', () => {
    for (const type of [W.SOCK_STREAM, W.SOCK_DGRAM]) {
      const s = ok(W.socket(W.AF_INET6, type, 0));
      const out: number[] = [];
      ok(W.getsockopt(s, W.IPPROTO_IPV6, W.IPV6_V6ONLY, out));
      expect(out[0], `type ${type}`).toBe(1);
      closeAll(s);
    }
  });

  it('v6-only by default: an IPv4 client cannot reach a [::] listener', () => {
    const l = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    ok(W.bind(l, { family: W.AF_INET6, address: '::', port: 0 }));
    ok(W.listen(l, 5));
    const a = {} as SockAddr;
    ok(W.getsockname(l, a));
    expect(a.address).toBe('::');
    const c4 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    // Nothing listens on 127.0.0.1:port for IPv4 (unless another program
    // happens to: then the connect succeeds elsewhere, and accept below finds nothing).
    const rc = W.connect(c4, { family: W.AF_INET, address: '127.0.0.1', port: a.port });
    if (rc === W.SOCKET_ERROR) expect(W.WSAGetLastError()).toBe(W.WSA.WSAECONNREFUSED);
    ok(W.ioctlsocket(l, W.FIONBIO, [1]));
    expect(lastErrorOf(W.accept(l))).toBe(W.WSA.WSAEWOULDBLOCK);
    closeAll(c4, l);
  });

  it('cleared to 0: a [::] listener accepts an IPv4 client, seen as ::ffff:127.0.0.1', () => {
    const l = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    ok(W.setsockopt(l, W.IPPROTO_IPV6, W.IPV6_V6ONLY, false));
    const out: number[] = [];
    ok(W.getsockopt(l, W.IPPROTO_IPV6, W.IPV6_V6ONLY, out));
    expect(out[0]).toBe(0);
    ok(W.bind(l, { family: W.AF_INET6, address: '::', port: 0 }));
    ok(W.listen(l, 5));
    const a = {} as SockAddr;
    ok(W.getsockname(l, a));
    const c4 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.connect(c4, { family: W.AF_INET, address: '127.0.0.1', port: a.port }));
    const from = {} as SockAddr;
    const srv = ok(W.accept(l, from));
    expect(from.family).toBe(W.AF_INET6);
    expect(from.address).toBe('::ffff:127.0.0.1');
    expect(W.send(c4, Buffer.from('v4 to v6'))).toBe(8);
    expect(observe(srv)).toEqual({ bytes: 'v4 to v6' });
    closeAll(c4, srv, l);
  });

  it('set back to 1 reads 1', () => {
    const s = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    ok(W.setsockopt(s, W.IPPROTO_IPV6, W.IPV6_V6ONLY, 0));
    ok(W.setsockopt(s, W.IPPROTO_IPV6, W.IPV6_V6ONLY, 1));
    const out: number[] = [];
    ok(W.getsockopt(s, W.IPPROTO_IPV6, W.IPV6_V6ONLY, out));
    expect(out[0]).toBe(1);
    closeAll(s);
  });
});

describe('family mismatches', () => {
  it('bind an AF_INET6 socket to an IPv4 address: WSAEFAULT; and the reverse', () => {
    const s6 = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    const s4 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const u6 = ok(W.socket(W.AF_INET6, W.SOCK_DGRAM, 0));
    expect(lastErrorOf(W.bind(s6, LOOPBACK4))).toBe(W.WSA.WSAEFAULT);
    expect(lastErrorOf(W.bind(s4, LOOPBACK6))).toBe(W.WSA.WSAEFAULT);
    expect(lastErrorOf(W.bind(u6, LOOPBACK4))).toBe(W.WSA.WSAEFAULT);
    // Nothing was bound: a correct bind still works.
    ok(W.bind(s6, LOOPBACK6));
    ok(W.bind(s4, LOOPBACK4));
    closeAll(s6, s4, u6);
  });

  it('connect an AF_INET6 socket to an IPv4 address: WSAEAFNOSUPPORT; and the reverse', () => {
    const l4 = listener(W.AF_INET);
    const l6 = listener(W.AF_INET6);
    const s6 = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    const s4 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(lastErrorOf(W.connect(s6, l4.addr))).toBe(W.WSA.WSAEAFNOSUPPORT);
    expect(lastErrorOf(W.connect(s4, l6.addr))).toBe(W.WSA.WSAEAFNOSUPPORT);
    // The sockets are still unconnected and can connect to the right family.
    ok(W.connect(s6, l6.addr));
    ok(W.connect(s4, l4.addr));
    const a6 = ok(W.accept(l6.s));
    const a4 = ok(W.accept(l4.s));
    closeAll(s6, s4, a6, a4, l4.s, l6.s);
  });

  it('a family that is neither AF_INET nor AF_INET6 (e.g. Linux AF_INET6 = 10) is refused', () => {
    const s6 = ok(W.socket(W.AF_INET6, W.SOCK_STREAM, 0));
    // A family Winsock does not know is WSAEAFNOSUPPORT for bind too (sock.c test_bind, checked on Windows).
    expect(lastErrorOf(W.bind(s6, { family: 10, address: '::1', port: 0 }))).toBe(W.WSA.WSAEAFNOSUPPORT);
    expect(lastErrorOf(W.connect(s6, { family: 10, address: '::1', port: 80 }))).toBe(W.WSA.WSAEAFNOSUPPORT);
    closeAll(s6);
  });
});
