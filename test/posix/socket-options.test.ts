// Rule: socket options speak Winsock's levels, names and values. SO_RCVBUF/
// SO_SNDBUF read back what was set (Linux doubles it internally); TCP_NODELAY
// is a BOOL; SO_RCVTIMEO/SO_SNDTIMEO are DWORD milliseconds that read back
// exactly and make a blocking call fail with WSAETIMEDOUT; SO_TYPE,
// SO_ACCEPTCONN and SO_ERROR are read-only (setting them is WSAENOPROTOOPT);
// TCP-only options on a UDP socket are WSAENOPROTOOPT.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { Linger, SOCKET } from '../../src/index.js';
import { lastErrorOf, listener, ok, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

function get(s: SOCKET, level: number, name: number): number {
  const out: number[] = [];
  ok(W.getsockopt(s, level, name, out), `getsockopt ${level}:${name}`);
  expect(out).toHaveLength(1);
  return out[0]!;
}

function closeAll(...ss: SOCKET[]): void {
  for (const s of ss) ok(W.closesocket(s));
}

describe('buffer sizes', () => {
  for (const [label, name] of [
    ['SO_RCVBUF', W.SO_RCVBUF],
    ['SO_SNDBUF', W.SO_SNDBUF],
  ] as const) {
    it(`${label} reads back the value set (not Linux's doubled value), TCP and UDP`, () => {
      for (const type of [W.SOCK_STREAM, W.SOCK_DGRAM]) {
        const s = ok(W.socket(W.AF_INET, type, 0));
        for (const v of [4096, 8192, 16384, 65536, 131072]) {
          expect(W.setsockopt(s, W.SOL_SOCKET, name, v)).toBe(0);
          expect(get(s, W.SOL_SOCKET, name), `${label}=${v} type ${type}`).toBe(v);
        }
        closeAll(s);
      }
    });
  }

  it('the default sizes are positive', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(get(s, W.SOL_SOCKET, W.SO_RCVBUF)).toBeGreaterThan(0);
    expect(get(s, W.SOL_SOCKET, W.SO_SNDBUF)).toBeGreaterThan(0);
    closeAll(s);
  });
});

describe('TCP_NODELAY', () => {
  it('off by default; true/false and 1/0 set it; reads back as 0/1', () => {
    const p = tcpPair();
    expect(get(p.client, W.IPPROTO_TCP, W.TCP_NODELAY)).toBe(0);
    ok(W.setsockopt(p.client, W.IPPROTO_TCP, W.TCP_NODELAY, true));
    expect(get(p.client, W.IPPROTO_TCP, W.TCP_NODELAY)).toBe(1);
    ok(W.setsockopt(p.client, W.IPPROTO_TCP, W.TCP_NODELAY, false));
    expect(get(p.client, W.IPPROTO_TCP, W.TCP_NODELAY)).toBe(0);
    // Any nonzero BOOL is TRUE.
    ok(W.setsockopt(p.client, W.IPPROTO_TCP, W.TCP_NODELAY, 7));
    expect(get(p.client, W.IPPROTO_TCP, W.TCP_NODELAY)).toBe(1);
    ok(W.setsockopt(p.client, W.IPPROTO_TCP, W.TCP_NODELAY, 0));
    expect(get(p.client, W.IPPROTO_TCP, W.TCP_NODELAY)).toBe(0);
    closeAll(p.client, p.server, p.listener);
  });

  it('on a UDP socket: WSAENOPROTOOPT (set and get)', () => {
    const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    expect(lastErrorOf(W.setsockopt(u, W.IPPROTO_TCP, W.TCP_NODELAY, true))).toBe(W.WSA.WSAENOPROTOOPT);
    expect(lastErrorOf(W.getsockopt(u, W.IPPROTO_TCP, W.TCP_NODELAY, []))).toBe(W.WSA.WSAENOPROTOOPT);
    closeAll(u);
  });
});

describe('other BOOL options', () => {
  it('SO_KEEPALIVE and SO_REUSEADDR round-trip as 0/1', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    for (const name of [W.SO_KEEPALIVE, W.SO_REUSEADDR]) {
      expect(get(s, W.SOL_SOCKET, name)).toBe(0);
      ok(W.setsockopt(s, W.SOL_SOCKET, name, true));
      expect(get(s, W.SOL_SOCKET, name)).toBe(1);
      ok(W.setsockopt(s, W.SOL_SOCKET, name, 0));
      expect(get(s, W.SOL_SOCKET, name)).toBe(0);
    }
    closeAll(s);
  });
});

describe('SO_RCVTIMEO / SO_SNDTIMEO', () => {
  it('0 by default; read back exactly the milliseconds set (Linux would round to jiffies)', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    for (const name of [W.SO_RCVTIMEO, W.SO_SNDTIMEO]) {
      expect(get(s, W.SOL_SOCKET, name)).toBe(0);
      for (const ms of [1500, 250, 1234, 1, 999, 60_000, 0]) {
        ok(W.setsockopt(s, W.SOL_SOCKET, name, ms));
        expect(get(s, W.SOL_SOCKET, name), `${name === W.SO_RCVTIMEO ? 'RCV' : 'SND'}TIMEO=${ms}`).toBe(ms);
      }
    }
    closeAll(s);
  });

  it('-1 (0xFFFFFFFF, a DWORD) is accepted as "no timeout"', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVTIMEO, -1)).toBe(0);
    expect(get(s, W.SOL_SOCKET, W.SO_RCVTIMEO)).toBe(0xffffffff);
    expect(W.setsockopt(s, W.SOL_SOCKET, W.SO_SNDTIMEO, 0xffffffff)).toBe(0);
    expect(get(s, W.SOL_SOCKET, W.SO_SNDTIMEO)).toBe(0xffffffff);
    closeAll(s);
  });

  it('a blocking recv with SO_RCVTIMEO and no data fails with WSAETIMEDOUT after about that long', () => {
    const p = tcpPair();
    ok(W.setsockopt(p.server, W.SOL_SOCKET, W.SO_RCVTIMEO, 300));
    const t0 = Date.now();
    W.WSASetLastError(0);
    const rc = W.recv(p.server, Buffer.alloc(16));
    const took = Date.now() - t0;
    expect(rc).toBe(W.SOCKET_ERROR);
    // Winsock: WSAETIMEDOUT. (Linux's EAGAIN translated as WSAEWOULDBLOCK would be wrong:
    // that code is for nonblocking sockets.)
    expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAETIMEDOUT');
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
    // Data sent afterwards is still received: the connection was not broken here.
    expect(W.send(p.client, Buffer.from('late'))).toBe(4);
    const buf = Buffer.alloc(16);
    expect(W.recv(p.server, buf)).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('late');
    closeAll(p.client, p.server, p.listener);
  });

  it('a blocking recvfrom on UDP with SO_RCVTIMEO fails with WSAETIMEDOUT', () => {
    const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    ok(W.bind(u, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
    ok(W.setsockopt(u, W.SOL_SOCKET, W.SO_RCVTIMEO, 200));
    const t0 = Date.now();
    expect(lastErrorOf(W.recvfrom(u, Buffer.alloc(8), 8, 0))).toBe(W.WSA.WSAETIMEDOUT);
    expect(Date.now() - t0).toBeLessThan(3000);
    closeAll(u);
  });

  it('a blocking send with SO_SNDTIMEO on a full connection fails with WSAETIMEDOUT', () => {
    const p = tcpPair();
    ok(W.setsockopt(p.server, W.SOL_SOCKET, W.SO_RCVBUF, 4096));
    ok(W.setsockopt(p.client, W.SOL_SOCKET, W.SO_SNDBUF, 4096));
    ok(W.setsockopt(p.client, W.SOL_SOCKET, W.SO_SNDTIMEO, 300));
    const chunk = Buffer.alloc(65536, 0x61);
    const t0 = Date.now();
    let rc = 0;
    for (let i = 0; i < 1000 && Date.now() - t0 < 10_000; i++) {
      rc = W.send(p.client, chunk);
      if (rc === W.SOCKET_ERROR) break;
    }
    expect(rc).toBe(W.SOCKET_ERROR);
    expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAETIMEDOUT');
    closeAll(p.client, p.server, p.listener);
  });

  it('a nonblocking recv with SO_RCVTIMEO set still answers WSAEWOULDBLOCK at once', () => {
    const p = tcpPair();
    ok(W.setsockopt(p.server, W.SOL_SOCKET, W.SO_RCVTIMEO, 5000));
    ok(W.ioctlsocket(p.server, W.FIONBIO, [1]));
    const t0 = Date.now();
    expect(lastErrorOf(W.recv(p.server, Buffer.alloc(8)))).toBe(W.WSA.WSAEWOULDBLOCK);
    expect(Date.now() - t0).toBeLessThan(1000);
    closeAll(p.client, p.server, p.listener);
  });

  it("an accepted socket inherits the listener's SO_RCVTIMEO", () => {
    const l = listener();
    ok(W.setsockopt(l.s, W.SOL_SOCKET, W.SO_RCVTIMEO, 1234));
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.connect(c, l.addr));
    const srv = ok(W.accept(l.s));
    expect(get(srv, W.SOL_SOCKET, W.SO_RCVTIMEO)).toBe(1234);
    closeAll(c, srv, l.s);
  });
});

describe('read-only options', () => {
  it('SO_TYPE: SOCK_STREAM / SOCK_DGRAM (IPv4 and IPv6)', () => {
    for (const af of [W.AF_INET, W.AF_INET6]) {
      const t = ok(W.socket(af, W.SOCK_STREAM, 0));
      const u = ok(W.socket(af, W.SOCK_DGRAM, 0));
      expect(get(t, W.SOL_SOCKET, W.SO_TYPE)).toBe(W.SOCK_STREAM);
      expect(get(u, W.SOL_SOCKET, W.SO_TYPE)).toBe(W.SOCK_DGRAM);
      closeAll(t, u);
    }
  });

  it('SO_ACCEPTCONN: 1 on a listener, 0 on a fresh, a connected and an accepted socket', () => {
    const p = tcpPair();
    const fresh = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(get(p.listener, W.SOL_SOCKET, W.SO_ACCEPTCONN)).toBe(1);
    expect(get(fresh, W.SOL_SOCKET, W.SO_ACCEPTCONN)).toBe(0);
    expect(get(p.client, W.SOL_SOCKET, W.SO_ACCEPTCONN)).toBe(0);
    expect(get(p.server, W.SOL_SOCKET, W.SO_ACCEPTCONN)).toBe(0);
    closeAll(p.client, p.server, p.listener, fresh);
  });

  it('SO_ERROR: 0 on a healthy socket', () => {
    const p = tcpPair();
    expect(get(p.client, W.SOL_SOCKET, W.SO_ERROR)).toBe(0);
    expect(get(p.server, W.SOL_SOCKET, W.SO_ERROR)).toBe(0);
    closeAll(p.client, p.server, p.listener);
  });

  // SO_ERROR is writable on Windows (sock.c test_set_getsockopt): see test/contract/socket-option-readback.
  it('setting SO_TYPE or SO_ACCEPTCONN is WSAENOPROTOOPT and changes nothing', () => {
    const p = tcpPair();
    for (const name of [W.SO_TYPE, W.SO_ACCEPTCONN]) {
      expect(lastErrorOf(W.setsockopt(p.listener, W.SOL_SOCKET, name, 0)), `option ${name}`).toBe(W.WSA.WSAENOPROTOOPT);
      expect(lastErrorOf(W.setsockopt(p.client, W.SOL_SOCKET, name, 1)), `option ${name}`).toBe(W.WSA.WSAENOPROTOOPT);
    }
    expect(get(p.listener, W.SOL_SOCKET, W.SO_ACCEPTCONN)).toBe(1);
    expect(get(p.client, W.SOL_SOCKET, W.SO_TYPE)).toBe(W.SOCK_STREAM);
    closeAll(p.client, p.server, p.listener);
  });
});

describe('TCP-only options on UDP', () => {
  it('SO_LINGER and SO_DONTLINGER on a UDP socket: WSAENOPROTOOPT (set and get)', () => {
    const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    expect(lastErrorOf(W.setsockopt(u, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }))).toBe(W.WSA.WSAENOPROTOOPT);
    const lg: Linger = { l_onoff: -1, l_linger: -1 };
    expect(lastErrorOf(W.getsockopt(u, W.SOL_SOCKET, W.SO_LINGER, lg))).toBe(W.WSA.WSAENOPROTOOPT);
    expect(lg).toEqual({ l_onoff: -1, l_linger: -1 });
    expect(lastErrorOf(W.setsockopt(u, W.SOL_SOCKET, W.SO_DONTLINGER, true))).toBe(W.WSA.WSAENOPROTOOPT);
    expect(lastErrorOf(W.getsockopt(u, W.SOL_SOCKET, W.SO_DONTLINGER, []))).toBe(W.WSA.WSAENOPROTOOPT);
    // The socket options every socket has still work on it.
    expect(get(u, W.SOL_SOCKET, W.SO_TYPE)).toBe(W.SOCK_DGRAM);
    closeAll(u);
  });
});

describe("the option numbers are Winsock's", () => {
  it('SOL_SOCKET 0xffff, SO_LINGER 0x80, SO_DONTLINGER ~0x80, SO_RCVBUF 0x1002, SO_ERROR 0x1007, TCP_NODELAY 1, IPV6_V6ONLY 27', () => {
    expect(W.SOL_SOCKET).toBe(0xffff);
    expect(W.SO_LINGER).toBe(0x80);
    expect(W.SO_DONTLINGER).toBe(~0x80);
    expect([W.SO_SNDBUF, W.SO_RCVBUF, W.SO_RCVTIMEO, W.SO_SNDTIMEO, W.SO_ERROR, W.SO_TYPE]).toEqual([
      0x1001, 0x1002, 0x1006, 0x1005, 0x1007, 0x1008,
    ]);
    expect([W.SO_ACCEPTCONN, W.SO_REUSEADDR, W.SO_KEEPALIVE]).toEqual([2, 4, 8]);
    expect(W.TCP_NODELAY).toBe(1);
    expect(W.IPV6_V6ONLY).toBe(27);
  });

  it("Linux's numbers at SOL_SOCKET (SO_RCVBUF = 8, SO_TYPE = 3) are not Winsock options", () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    // 8 is Winsock's SO_KEEPALIVE, so it *is* valid — and must mean keepalive, not RCVBUF.
    ok(W.setsockopt(s, W.SOL_SOCKET, 8, true));
    expect(get(s, W.SOL_SOCKET, W.SO_KEEPALIVE)).toBe(1);
    expect(lastErrorOf(W.getsockopt(s, W.SOL_SOCKET, 3, []))).toBe(W.WSA.WSAENOPROTOOPT);
    // Linux's SOL_SOCKET (1) is not a level Winsock knows.
    expect(lastErrorOf(W.getsockopt(s, 1, W.SO_TYPE, []))).toBe(W.WSA.WSAEINVAL);
    closeAll(s);
  });
});
