// Rule: WSAPoll speaks Winsock's bit values (POLLRDNORM 0x100, POLLWRNORM 0x10,
// POLLERR/POLLHUP/POLLNVAL 1/2/4), marks a handle that is not a socket POLLNVAL,
// answers WSAEINVAL for flags that cannot be requested, an empty array, or no
// valid socket at all; POLLHUP after the peer's FIN; timeout 0 returns at once.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SOCKET, WSAPOLLFD } from '../../src/index.js';
import { lastErrorOf, listener, LOOPBACK4, ok, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

const entry = (fd: SOCKET, events: number): WSAPOLLFD => ({ fd, events, revents: -1 });

function closeAll(...ss: SOCKET[]): void {
  for (const s of ss) ok(W.closesocket(s));
}

describe("Winsock's numbers", () => {
  it('the constants are winsock2.h values, not Linux poll.h values', () => {
    expect([W.POLLRDNORM, W.POLLRDBAND, W.POLLIN, W.POLLPRI]).toEqual([0x100, 0x200, 0x300, 0x400]);
    expect([W.POLLWRNORM, W.POLLOUT, W.POLLWRBAND]).toEqual([0x10, 0x10, 0x20]);
    expect([W.POLLERR, W.POLLHUP, W.POLLNVAL]).toEqual([1, 2, 4]);
  });
});

describe('readiness', () => {
  it('a fresh connection: writable (POLLWRNORM = 0x10) and not readable', () => {
    const p = tcpPair();
    const fds = [entry(p.client, W.POLLRDNORM | W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 1000)).toBe(1);
    expect(fds[0]!.revents).toBe(0x10);
    closeAll(p.client, p.server, p.listener);
  });

  it('data waiting: readable (POLLRDNORM = 0x100); only requested bits come back', () => {
    const p = tcpPair();
    expect(W.send(p.client, Buffer.from('x'))).toBe(1);
    const fds = [entry(p.server, W.POLLRDNORM | W.POLLWRNORM), entry(p.server, W.POLLRDNORM), entry(p.server, W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 1000)).toBe(3);
    expect(fds.map((f) => f.revents)).toEqual([0x110, 0x100, 0x10]);
    // POLLIN (RDNORM|RDBAND) reports the normal-data bit.
    const f2 = [entry(p.server, W.POLLIN)];
    expect(W.WSAPoll(f2, 0)).toBe(1);
    expect(f2[0]!.revents).toBe(W.POLLRDNORM);
    closeAll(p.client, p.server, p.listener);
  });

  it('a listener with a pending connection is readable (POLLRDNORM), and not before', () => {
    const l = listener();
    const fds = [entry(l.s, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(0);
    expect(fds[0]!.revents).toBe(0);
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.connect(c, l.addr));
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLRDNORM);
    const s = ok(W.accept(l.s));
    closeAll(c, s, l.s);
  });

  it('a UDP socket with a datagram waiting is readable; an idle bound one is only writable', () => {
    const a = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    const b = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
    ok(W.bind(a, LOOPBACK4));
    ok(W.bind(b, LOOPBACK4));
    const bAddr = { family: 0, address: '', port: 0 };
    ok(W.getsockname(b, bAddr));
    const fds = [entry(b, W.POLLRDNORM | W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLWRNORM);
    expect(W.sendto(a, Buffer.from('dg'), 2, 0, bAddr)).toBe(2);
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLRDNORM | W.POLLWRNORM);
    closeAll(a, b);
  });

  it('the count is the number of entries with any revents, and each entry is filled', () => {
    const p = tcpPair();
    expect(W.send(p.client, Buffer.from('y'))).toBe(1);
    const fds = [entry(p.client, W.POLLRDNORM), entry(p.server, W.POLLRDNORM), entry(p.listener, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 1000)).toBe(1);
    expect(fds.map((f) => f.revents)).toEqual([0, W.POLLRDNORM, 0]);
    closeAll(p.client, p.server, p.listener);
  });
});

describe('invalid entries', () => {
  // sock.c test_WSAPoll (checked on Windows): invalid entries are POLLNVAL but not counted.
  it('a never-issued handle among valid ones is POLLNVAL and not counted; the valid ones are still reported', () => {
    const p = tcpPair();
    const fds = [entry(p.client, W.POLLWRNORM), entry(1, W.POLLRDNORM), entry(0x7ff0000, W.POLLRDNORM), entry(p.server, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLWRNORM, W.POLLNVAL, W.POLLNVAL, 0]);
    closeAll(p.client, p.server, p.listener);
  });

  it('a closed handle among valid ones is POLLNVAL, not counted', () => {
    const p = tcpPair();
    const dead = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.closesocket(dead));
    const fds = [entry(p.client, W.POLLWRNORM), entry(dead, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLWRNORM, W.POLLNVAL]);
    closeAll(p.client, p.server, p.listener);
  });

  // Microsoft's page says revents 0; sock.c (checked on Windows) shows POLLNVAL.
  it('a negative fd is POLLNVAL, not counted, and its flags are not checked', () => {
    const p = tcpPair();
    const fds = [entry(-1, W.POLLERR), entry(p.client, W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLNVAL, W.POLLWRNORM]);
    closeAll(p.client, p.server, p.listener);
  });

  it('flags that cannot be requested (POLLERR, POLLHUP, POLLNVAL, Linux POLLIN 0x1, unknown bits) are WSAEINVAL', () => {
    const p = tcpPair();
    for (const ev of [W.POLLERR, W.POLLHUP, W.POLLNVAL, W.POLLRDNORM | W.POLLHUP, 0x1000, 0x8000]) {
      const fds = [entry(p.client, ev)];
      expect(lastErrorOf(W.WSAPoll(fds, 0)), `events 0x${ev.toString(16)}`).toBe(W.WSA.WSAEINVAL);
      expect(fds[0]!.revents, 'revents cleared on failure (sock.c test_WSAPoll)').toBe(0);
    }
    closeAll(p.client, p.server, p.listener);
  });

  it('an empty array is WSAEINVAL', () => {
    expect(lastErrorOf(W.WSAPoll([], 0))).toBe(W.WSA.WSAEINVAL);
  });

  // Microsoft's page says WSAEINVAL; sock.c (checked on Windows) shows WSAENOTSOCK.
  it('no valid socket at all is WSAENOTSOCK (never-issued, closed, or only negative)', () => {
    const dead = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.closesocket(dead));
    expect(lastErrorOf(W.WSAPoll([entry(1, W.POLLRDNORM), entry(dead, W.POLLWRNORM)], 0))).toBe(W.WSA.WSAENOTSOCK);
    expect(lastErrorOf(W.WSAPoll([entry(-1, W.POLLRDNORM)], 0))).toBe(W.WSA.WSAENOTSOCK);
  });

  it('malformed arguments are TypeErrors', () => {
    const p = tcpPair();
    expect(() => W.WSAPoll('x' as never, 0)).toThrow(TypeError);
    expect(() => W.WSAPoll([entry(p.client, W.POLLWRNORM)], '0' as never)).toThrow(TypeError);
    expect(() => W.WSAPoll([null as never], 0)).toThrow(TypeError);
    expect(() => W.WSAPoll([{ fd: String(p.client), events: W.POLLRDNORM, revents: 0 } as never], 0)).toThrow(TypeError);
    expect(() => W.WSAPoll([{ fd: p.client } as never], 0)).toThrow(/fds\[0\]/);
    closeAll(p.client, p.server, p.listener);
  });
});

describe("the peer's FIN and reset", () => {
  // sock.c test_WSAPoll (checked on Windows): the FIN alone is POLLHUP, not POLLRDNORM.
  it("POLLHUP (without POLLRDNORM) after the peer's FIN; recv then returns 0", () => {
    const p = tcpPair();
    ok(W.shutdown(p.client, W.SD_SEND));
    const fds = [entry(p.server, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(fds[0]!.revents & W.POLLHUP).toBe(W.POLLHUP);
    expect(fds[0]!.revents & W.POLLRDNORM).toBe(0);
    expect(fds[0]!.revents & W.POLLNVAL).toBe(0);
    expect(W.recv(p.server, Buffer.alloc(4))).toBe(0);
    // Still writable towards the half-closed peer.
    const w = [entry(p.server, W.POLLWRNORM)];
    expect(W.WSAPoll(w, 0)).toBe(1);
    expect(w[0]!.revents & W.POLLWRNORM).toBe(W.POLLWRNORM);
    closeAll(p.client, p.server, p.listener);
  });

  it('POLLHUP is reported even when only POLLWRNORM was requested (it cannot be masked)', () => {
    const p = tcpPair();
    ok(W.shutdown(p.client, W.SD_SEND));
    const probe = [entry(p.server, W.POLLRDNORM)];
    expect(W.WSAPoll(probe, 2000)).toBe(1);
    const fds = [entry(p.server, W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds[0]!.revents & W.POLLHUP).toBe(W.POLLHUP);
    closeAll(p.client, p.server, p.listener);
  });

  it("POLLHUP after the peer's reset (abortive close); recv then answers WSAECONNRESET", () => {
    const p = tcpPair();
    ok(W.setsockopt(p.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
    ok(W.closesocket(p.client));
    const fds = [entry(p.server, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(fds[0]!.revents & W.POLLHUP).toBe(W.POLLHUP);
    expect(fds[0]!.revents & W.POLLNVAL).toBe(0);
    expect(lastErrorOf(W.recv(p.server, Buffer.alloc(4)))).toBe(W.WSA.WSAECONNRESET);
    closeAll(p.server, p.listener);
  });

  it('no POLLHUP before the FIN, even with data waiting', () => {
    const p = tcpPair();
    expect(W.send(p.client, Buffer.from('z'))).toBe(1);
    const fds = [entry(p.server, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLRDNORM);
    closeAll(p.client, p.server, p.listener);
  });
});

describe('timeouts', () => {
  it('timeout 0 returns 0 at once when nothing is ready, and sets revents to 0', () => {
    const p = tcpPair();
    const fds = [entry(p.server, W.POLLRDNORM)];
    const t0 = Date.now();
    expect(W.WSAPoll(fds, 0)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(fds[0]!.revents).toBe(0);
    closeAll(p.client, p.server, p.listener);
  });

  it('a positive timeout waits about that long, then returns 0', () => {
    const p = tcpPair();
    const fds = [entry(p.server, W.POLLRDNORM)];
    const t0 = Date.now();
    expect(W.WSAPoll(fds, 150)).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2000);
    closeAll(p.client, p.server, p.listener);
  });

  it('a negative timeout waits until ready (here: ready already)', () => {
    const p = tcpPair();
    const fds = [entry(p.client, W.POLLWRNORM)];
    expect(W.WSAPoll(fds, -1)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLWRNORM);
    closeAll(p.client, p.server, p.listener);
  });
});
