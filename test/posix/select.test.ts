// Rule: select() as Winsock defines it (Microsoft's select page; Wine's
// dlls/ws2_32/tests/sock.c test_select, which passes on Windows): nfds is
// ignored; every set null or empty is WSAEINVAL; a handle that is not an open
// socket is WSAENOTSOCK with the sets unchanged; the sets are rewritten to the
// ready sockets and the count of ready entries is returned. Readability:
// pending connection, data, closed or reset connection; writability: a
// connected socket, a datagram socket; exceptfds: OOB data without
// SO_OOBINLINE. A socket never connected is in no set.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SOCKET } from '../../src/index.js';
import { listener, LOOPBACK4, ok, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

const ZERO: W.timeval = { tv_sec: 0, tv_usec: 0 };
const SHORT: W.timeval = { tv_sec: 1, tv_usec: 250000 };

function sets(read: SOCKET[], write: SOCKET[], except: SOCKET[]): [W.fd_set, W.fd_set, W.fd_set] {
  const r = W.fd_set();
  const w = W.fd_set();
  const e = W.fd_set();
  read.forEach((s) => W.FD_SET(s, r));
  write.forEach((s) => W.FD_SET(s, w));
  except.forEach((s) => W.FD_SET(s, e));
  return [r, w, e];
}

describe('arguments', () => {
  it('every set null or empty: WSAEINVAL', () => {
    expect(W.select(0, null, null, null, ZERO)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.select(0, W.fd_set(), W.fd_set(), W.fd_set(), ZERO)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
  });

  it('INVALID_SOCKET or a closed handle in any set: WSAENOTSOCK, sets unchanged', () => {
    const { client, server } = tcpPair();
    for (const k of [0, 1, 2]) {
      const three = sets([], [], []);
      W.FD_SET(client, three[k]!);
      W.FD_SET(W.INVALID_SOCKET, three[k]!);
      expect(W.select(0, ...three, ZERO)).toBe(W.SOCKET_ERROR);
      expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
      expect(three[k]!.fd_count).toBe(2);
    }
    ok(W.closesocket(server));
    const [r, , e] = sets([client, server], [], [client, server]);
    expect(W.select(0, r, null, e, SHORT)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    expect([r.fd_count, e.fd_count]).toEqual([2, 2]);
    ok(W.closesocket(client));
  });

  it('a negative timeval is not valid: WSAEINVAL; the timeout object is never modified', () => {
    const { client, server } = tcpPair();
    expect(W.select(0, ...sets([client], [], []), { tv_sec: -1, tv_usec: 0 })).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    const tv = { tv_sec: 0, tv_usec: 250000 };
    expect(W.select(0, ...sets([client], [], []), tv)).toBe(0);
    expect(tv).toEqual({ tv_sec: 0, tv_usec: 250000 });
    ok(W.closesocket(client));
    ok(W.closesocket(server));
  });

  it('nfds is ignored', () => {
    const { client, server } = tcpPair();
    for (const nfds of [0, 1, 12345]) {
      const w = sets([], [client], [])[1];
      expect(W.select(nfds, null, w, null, ZERO)).toBe(1);
    }
    ok(W.closesocket(client));
    ok(W.closesocket(server));
  });
});

describe('readiness (test_select)', () => {
  it('fresh unconnected sockets are in no set, and a zero timeout does not block', () => {
    const a = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const b = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const three = sets([a, b], [a, b], [a, b]);
    const t = performance.now();
    expect(W.select(0, ...three, ZERO)).toBe(0);
    expect(performance.now() - t).toBeLessThan(50);
    expect(three.map((s) => s.fd_count)).toEqual([0, 0, 0]);
    // With a timeout it waits that long, then reports nothing.
    const t2 = performance.now();
    expect(W.select(0, ...sets([a], [a], [a]), { tv_sec: 0, tv_usec: 200000 })).toBe(0);
    expect(performance.now() - t2).toBeGreaterThanOrEqual(190);
    ok(W.closesocket(a));
    ok(W.closesocket(b));
  });

  it('a listening socket: nothing pending is 0; a pending connection is readable only', () => {
    const l = listener();
    expect(W.select(0, ...sets([l.s], [l.s], [l.s]), ZERO)).toBe(0);
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.connect(c, l.addr));
    const three = sets([l.s], [l.s], [l.s]);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    expect([W.FD_ISSET(l.s, three[0]), W.FD_ISSET(l.s, three[1]), W.FD_ISSET(l.s, three[2])]).toEqual([1, 0, 0]);
    const a = ok(W.accept(l.s));
    [a, c, l.s].forEach((s) => ok(W.closesocket(s)));
  });

  it('a connected pair: writable, not readable; data makes the receiver readable (not exceptional)', () => {
    const { client, server, listener: l } = tcpPair();
    let three = sets([client, server], [client, server], [client, server]);
    expect(W.select(0, ...three, ZERO)).toBe(2);
    expect(three[0].fd_count).toBe(0);
    expect(three[1].fd_array.sort()).toEqual([client, server].sort());
    expect(W.send(client, Buffer.from('1234'))).toBe(4);
    three = sets([server], [], [server]);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    expect(three[0].fd_array).toEqual([server]);
    expect(three[2].fd_count).toBe(0);
    // A socket ready in two sets counts twice.
    expect(W.select(0, ...sets([server], [server], []), ZERO)).toBe(2);
    [client, server, l].forEach((s) => ok(W.closesocket(s)));
  });

  it('OOB data is exceptional (not readable) unless SO_OOBINLINE, then readable (not exceptional)', () => {
    const { client, server, listener: l } = tcpPair();
    expect(W.send(client, Buffer.from('A'), 1, W.MSG_OOB)).toBe(1);
    let three = sets([server], [], [server]);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    expect([three[0].fd_count, three[2].fd_count]).toEqual([0, 1]);
    const b = Buffer.alloc(4);
    expect(W.recv(server, b, 4, W.MSG_OOB)).toBe(1);
    expect(b.toString('latin1', 0, 1)).toBe('A');
    ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_OOBINLINE, 1));
    expect(W.send(client, Buffer.from('B'), 1, W.MSG_OOB)).toBe(1);
    three = sets([server], [], [server]);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    expect([three[0].fd_count, three[2].fd_count]).toEqual([1, 0]);
    [client, server, l].forEach((s) => ok(W.closesocket(s)));
  });

  it('a closed peer makes the socket readable, and recv then returns 0', () => {
    const { client, server, listener: l } = tcpPair();
    ok(W.closesocket(server));
    const three = sets([client], [], []);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    expect(W.FD_ISSET(client, three[0])).toBe(1);
    expect(W.recv(client, Buffer.alloc(8))).toBe(0);
    [client, l].forEach((s) => ok(W.closesocket(s)));
  });

  it('a reset by the peer makes the socket readable, and recv then fails WSAECONNRESET', () => {
    const { client, server, listener: l } = tcpPair();
    ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
    ok(W.closesocket(server));
    const three = sets([client], [], []);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    expect(W.recv(client, Buffer.alloc(8))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAECONNRESET);
    [client, l].forEach((s) => ok(W.closesocket(s)));
  });

  it('an unbound UDP socket is writable only', () => {
    const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    const three = sets([u], [u], [u]);
    expect(W.select(0, ...three, { tv_sec: 0, tv_usec: 250000 })).toBe(1);
    expect(three.map((s) => s.fd_count)).toEqual([0, 1, 0]);
    ok(W.closesocket(u));
  });

  it('a UDP datagram makes the receiver readable', () => {
    const a = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0));
    ok(W.bind(a, LOOPBACK4));
    const addr = {} as W.SockAddr;
    ok(W.getsockname(a, addr));
    const b = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0));
    expect(W.sendto(b, Buffer.from('x'), 1, 0, addr)).toBe(1);
    const three = sets([a], [], []);
    expect(W.select(0, ...three, SHORT)).toBe(1);
    [a, b].forEach((s) => ok(W.closesocket(s)));
  });

  it('the same fd_set given twice holds the union, each socket once (overlapping pointers)', () => {
    const { client, server, listener: l } = tcpPair();
    expect(W.send(client, Buffer.from('test'))).toBe(4);
    W.select(0, ...sets([server], [], []), SHORT);
    const both = sets([client, server], [], [])[0];
    // server: readable and writable; client: writable.
    expect(W.select(0, both, both, null, ZERO)).toBe(2);
    expect(both.fd_array.sort()).toEqual([client, server].sort());
    [client, server, l].forEach((s) => ok(W.closesocket(s)));
  });
});
