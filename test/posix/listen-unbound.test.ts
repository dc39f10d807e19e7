// Rule: listen on an unbound socket is WSAEINVAL (Linux would auto-bind to an
// ephemeral port); listen on a datagram socket is WSAEOPNOTSUPP.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import { lastErrorOf, LOOPBACK4, LOOPBACK6, ok, useWinsock } from '../helpers.js';

useWinsock();

describe('listen on an unbound socket', () => {
  for (const [label, af] of [
    ['IPv4', W.AF_INET],
    ['IPv6', W.AF_INET6],
  ] as const) {
    it(`${label}: WSAEINVAL, no port is bound behind our back, and the socket can still bind and listen`, () => {
      const s = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP));
      for (const backlog of [5, 0, W.SOMAXCONN, W.SOMAXCONN_HINT(10)]) {
        expect(lastErrorOf(W.listen(s, backlog)), `backlog ${backlog}`).toBe(W.WSA.WSAEINVAL);
      }
      // Still unbound: Winsock's getsockname on an unbound socket is WSAEINVAL.
      expect(lastErrorOf(W.getsockname(s, {} as SockAddr))).toBe(W.WSA.WSAEINVAL);
      // Not listening either.
      const out: number[] = [];
      ok(W.getsockopt(s, W.SOL_SOCKET, W.SO_ACCEPTCONN, out));
      expect(out[0]).toBe(0);
      // An accept now is WSAEINVAL (not listening), not a block.
      expect(lastErrorOf(W.accept(s))).toBe(W.WSA.WSAEINVAL);

      ok(W.bind(s, af === W.AF_INET ? LOOPBACK4 : LOOPBACK6));
      expect(W.listen(s, 5)).toBe(0);
      ok(W.getsockopt(s, W.SOL_SOCKET, W.SO_ACCEPTCONN, out));
      expect(out[0]).toBe(1);
      ok(W.closesocket(s));
    });
  }

  it('listen twice on a bound socket succeeds (Winsock: a second listen updates the backlog)', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.bind(s, LOOPBACK4));
    expect(W.listen(s, 5)).toBe(0);
    expect(W.listen(s, 10)).toBe(0);
    ok(W.closesocket(s));
  });
});

describe('listen on a datagram socket', () => {
  it('WSAEOPNOTSUPP, bound or not', () => {
    const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    expect(lastErrorOf(W.listen(u, 5))).toBe(W.WSA.WSAEOPNOTSUPP);
    ok(W.bind(u, LOOPBACK4));
    expect(lastErrorOf(W.listen(u, 5))).toBe(W.WSA.WSAEOPNOTSUPP);
    expect(lastErrorOf(W.listen(u, W.SOMAXCONN))).toBe(W.WSA.WSAEOPNOTSUPP);
    ok(W.closesocket(u));
  });
});

describe('listen on a connected socket', () => {
  it('WSAEISCONN', () => {
    const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.bind(l, LOOPBACK4));
    ok(W.listen(l, 5));
    const a = {} as SockAddr;
    ok(W.getsockname(l, a));
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.connect(c, a));
    const srv = ok(W.accept(l));
    expect(lastErrorOf(W.listen(c, 5))).toBe(W.WSA.WSAEISCONN);
    expect(lastErrorOf(W.listen(srv, 5))).toBe(W.WSA.WSAEISCONN);
    for (const s of [c, srv, l]) ok(W.closesocket(s));
  });
});
