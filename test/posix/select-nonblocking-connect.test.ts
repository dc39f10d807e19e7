// Rule: a nonblocking connect that succeeds is reported in writefds (SO_ERROR
// then 0); one that fails is reported in exceptfds only, and SO_ERROR still
// holds the reason (WSAECONNREFUSED) after select. Wine's sock.c test_select
// ("The connector is signaled through the write descriptor", "When a
// connection is attempted to a non-listening socket it will get to the except
// descriptor"), which passes on Windows.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { listener, LOOPBACK4, ok, useWinsock } from '../helpers.js';

useWinsock();

function nonblockingConnect(addr: W.SockAddr): number {
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  ok(W.ioctlsocket(c, W.FIONBIO, [1]));
  const rc = W.connect(c, addr);
  if (rc !== 0) expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
  return c;
}

function sets(s: number): [W.fd_set, W.fd_set, W.fd_set] {
  const three: [W.fd_set, W.fd_set, W.fd_set] = [W.fd_set(), W.fd_set(), W.fd_set()];
  three.forEach((set) => W.FD_SET(s, set));
  return three;
}

describe('select after a nonblocking connect', () => {
  it('success: writable, not readable nor exceptional; SO_ERROR 0; then data makes it readable', () => {
    const l = listener();
    const c = nonblockingConnect(l.addr);
    let three = sets(c);
    expect(W.select(0, ...three, { tv_sec: 2, tv_usec: 0 })).toBe(1);
    expect(three.map((s) => s.fd_count)).toEqual([0, 1, 0]);
    const err: number[] = [];
    ok(W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, err));
    expect(err[0]).toBe(0);
    const a = ok(W.accept(l.s));
    expect(W.send(a, Buffer.from('hi'))).toBe(2);
    three = sets(c);
    expect(W.select(0, three[0], null, three[2], { tv_sec: 2, tv_usec: 0 })).toBe(1);
    expect(W.FD_ISSET(c, three[0])).toBe(1);
    [a, c, l.s].forEach((s) => ok(W.closesocket(s)));
  });

  it('refused: exceptional only; SO_ERROR is WSAECONNREFUSED after select', () => {
    // A port nothing listens on: bind a socket to get a free port, then close it.
    const probe = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.bind(probe, LOOPBACK4));
    const addr = {} as W.SockAddr;
    ok(W.getsockname(probe, addr));
    ok(W.closesocket(probe));
    const c = nonblockingConnect(addr);
    const three = sets(c);
    const tv = { tv_sec: 2, tv_usec: 250000 };
    expect(W.select(0, null, three[1], three[2], tv)).toBe(1);
    expect([three[1].fd_count, three[2].fd_count]).toEqual([0, 1]);
    expect(tv).toEqual({ tv_sec: 2, tv_usec: 250000 });
    const err: number[] = [];
    ok(W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, err));
    expect(err[0]).toBe(W.WSA.WSAECONNREFUSED);
    ok(W.closesocket(c));
  });
});
