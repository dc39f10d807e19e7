// Contract rows on closesocket and SO_LINGER / SO_DONTLINGER:
// default close is graceful; {1,0} is abortive; {1,N} on a blocking socket
// waits at most N s for unsent data, then resets; {1,N} on a nonblocking
// socket with unsent data fails WSAEWOULDBLOCK and keeps the handle.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { Linger } from '../../src/index.js';
import { drain, fillUntilBlocked, lastErrorOf, observe, readUpTo, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

describe('closesocket with linger off (the default)', () => {
  it('returns at once and the peer reads the data, then EOF', () => {
    const { client, server } = tcpPair();
    expect(W.send(client, Buffer.from('bye'))).toBe(3);
    expect(W.closesocket(client)).toBe(0);
    expect(drain(server)).toEqual({ data: Buffer.from('bye'), end: 'eof' });
  });
});

describe('SO_LINGER', () => {
  it('defaults to {0,0} and reads back exactly what was set', () => {
    const { client } = tcpPair();
    const out: Linger = { l_onoff: -1, l_linger: -1 };
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, out)).toBe(0);
    expect(out).toEqual({ l_onoff: 0, l_linger: 0 });
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 65535 })).toBe(0);
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, out)).toBe(0);
    expect(out).toEqual({ l_onoff: 1, l_linger: 65535 });
  });

  it('rejects values a u_short cannot hold with WSAEINVAL and keeps the old value', () => {
    const { client } = tcpPair();
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 7 })).toBe(0);
    for (const bad of [
      { l_onoff: 1, l_linger: 65536 },
      { l_onoff: 1, l_linger: -1 },
      { l_onoff: 65536, l_linger: 1 },
      { l_onoff: 1, l_linger: 1.5 },
      { l_onoff: 1, l_linger: NaN },
    ]) {
      expect(lastErrorOf(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, bad))).toBe(W.WSA.WSAEINVAL);
    }
    const out = { l_onoff: 0, l_linger: 0 };
    W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, out);
    expect(out).toEqual({ l_onoff: 1, l_linger: 7 });
  });

  it('{1,0} closes abortively: the peer sees a reset, unsent data is dropped', () => {
    const { client, server } = tcpPair();
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(0);
    expect(W.closesocket(client)).toBe(0);
    expect(observe(server)).toEqual({ error: 'WSAECONNRESET' });
  });
});

describe('SO_DONTLINGER', () => {
  it('TRUE clears l_onoff and keeps l_linger; FALSE sets it again', () => {
    const { client } = tcpPair();
    const out: Linger = { l_onoff: 0, l_linger: 0 };
    const flag = [-1];
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_DONTLINGER, flag)).toBe(0);
    expect(flag[0]).toBe(1);
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 9 })).toBe(0);
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_DONTLINGER, flag)).toBe(0);
    expect(flag[0]).toBe(0);
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_DONTLINGER, true)).toBe(0);
    W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, out);
    expect(out).toEqual({ l_onoff: 0, l_linger: 9 });
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_DONTLINGER, false)).toBe(0);
    W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, out);
    expect(out).toEqual({ l_onoff: 1, l_linger: 9 });
  });

  it('TRUE after {1,0} makes closesocket graceful again', () => {
    const { client, server } = tcpPair();
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_DONTLINGER, 1)).toBe(0);
    expect(W.closesocket(client)).toBe(0);
    expect(observe(server)).toEqual({ eof: true });
  });
});

describe('linger {1,N} on a blocking socket', () => {
  it('with no unsent data closes gracefully at once', () => {
    const { client, server } = tcpPair();
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 30 });
    expect(W.send(client, Buffer.from('small'))).toBe(5);
    const t0 = Date.now();
    expect(W.closesocket(client)).toBe(0);
    // Far less than the 30 s linger (a generous bound: the machine is shared).
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(drain(server)).toEqual({ data: Buffer.from('small'), end: 'eof' });
  });

  it('whose peer does not read waits about N seconds, then resets', () => {
    const { client, server } = tcpPair();
    fillUntilBlocked(client, server);
    expect(W.ioctlsocket(client, W.FIONBIO, [0])).toBe(0);
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 1 });
    const t0 = Date.now();
    expect(W.closesocket(client)).toBe(0);
    const waited = Date.now() - t0;
    // It blocked for the linger time (not a fixed upper bound: the machine is shared).
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAENOTSOCK);
    const end = drain(server, 10_000).end;
    expect(end).toBe('WSAECONNRESET');
  });

  it('whose peer reads everything in time closes gracefully', () => {
    const { client, server } = tcpPair();
    const sent = fillUntilBlocked(client, server);
    expect(W.ioctlsocket(client, W.FIONBIO, [0])).toBe(0);
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 30 });
    // The peer reads everything before the close: nothing is left unsent,
    // so the close is graceful well before the 30 s linger.
    expect(readUpTo(server, sent)).toBe(sent);
    expect(W.closesocket(client)).toBe(0);
    expect(drain(server).end).toBe('eof');
  });
});

describe('linger {1,N} on a nonblocking socket', () => {
  it('with unsent data fails with WSAEWOULDBLOCK and keeps the handle valid', () => {
    const { client, server } = tcpPair();
    const sent = fillUntilBlocked(client, server); // leaves the client nonblocking
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 30 });
    const t0 = Date.now();
    expect(lastErrorOf(W.closesocket(client))).toBe(W.WSA.WSAEWOULDBLOCK);
    // It did not block for the linger time (a generous bound: the machine is shared).
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Still a live socket: options can be read, and nothing was reset.
    const out = { l_onoff: 0, l_linger: 0 };
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, out)).toBe(0);
    // Once the peer has read everything, the close completes gracefully.
    expect(readUpTo(server, sent)).toBe(sent);
    let rc = W.SOCKET_ERROR;
    for (let i = 0; i < 200 && rc !== 0; i++) {
      rc = W.closesocket(client);
      if (rc !== 0) expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
      W.WSAPoll([{ fd: server, events: W.POLLRDNORM, revents: 0 }], 10);
    }
    expect(rc).toBe(0);
    expect(drain(server).end).toBe('eof');
  });

  it('with nothing unsent closes at once', () => {
    const { client, server } = tcpPair();
    expect(W.ioctlsocket(client, W.FIONBIO, [1])).toBe(0);
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 10 });
    expect(W.closesocket(client)).toBe(0);
    expect(observe(server)).toEqual({ eof: true });
  });
});
