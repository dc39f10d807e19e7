// Behaviours a second review found broken, each pinned by the rule it breaks.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { fdCount, fillUntilBlocked, lastErrorOf, listener, observe, ok, tcpPair, tick, useWinsock, waitReadable } from '../helpers.js';

useWinsock();

describe('SD_RECEIVE reset rule', () => {
  it('still holds after a nonblocking linger closesocket failed with WSAEWOULDBLOCK', async () => {
    const { client, server } = tcpPair();
    fillUntilBlocked(client, server);
    expect(W.shutdown(client, W.SD_RECEIVE)).toBe(0);
    W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 5 });
    expect(lastErrorOf(W.closesocket(client))).toBe(W.WSA.WSAEWOULDBLOCK);
    expect(W.send(server, Buffer.from('late'))).toBe(4);
    await tick(100);
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAECONNABORTED);
  });
});

describe('accept/recvfrom with an output address that cannot be written', () => {
  it('throws TypeError before accepting: no descriptor leaks, the connection stays pending', () => {
    const l = listener();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(W.connect(c, l.addr)).toBe(0);
    const before = fdCount();
    expect(() => W.accept(l.s, Object.freeze({ family: 0, address: '', port: 0 }))).toThrow(TypeError);
    expect(fdCount()).toBe(before);
    const out = {} as W.SockAddr;
    expect(W.accept(l.s, out)).toBeGreaterThan(0);
    expect(out.address).toBe('127.0.0.1');
  });

  it('recvfrom throws before consuming the datagram', () => {
    const a = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0));
    W.bind(a, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    const addr = {} as W.SockAddr;
    W.getsockname(a, addr);
    expect(W.sendto(a, Buffer.from('kept'), 4, 0, addr)).toBe(4);
    waitReadable(a);
    expect(() => W.recvfrom(a, Buffer.alloc(8), 8, 0, Object.seal({ family: 0, address: '', port: 0 }))).toThrow(TypeError);
    expect(W.recvfrom(a, Buffer.alloc(8), 8, 0)).toBe(4);
  });
});

describe('SO_RCVTIMEO/SO_SNDTIMEO apply to send and receive calls only', () => {
  it('a blocking accept waits past SO_RCVTIMEO for a connection that comes later', async () => {
    const l = listener();
    expect(W.setsockopt(l.s, W.SOL_SOCKET, W.SO_RCVTIMEO, 200)).toBe(0);
    // Another process connects after 600 ms while this thread blocks in accept.
    const child = spawn(process.execPath, [
      '-e',
      `setTimeout(() => { const s = require('net').connect(${l.addr.port}, '127.0.0.1'); s.on('connect', () => setTimeout(() => s.destroy(), 500)); }, 600)`,
    ]);
    await tick(100); // let the child start
    const h = W.accept(l.s);
    expect(h, W.wsaErrorName(W.WSAGetLastError())).toBeGreaterThan(0);
    await new Promise((r) => child.on('exit', r));
  });
});

describe("a reset after the peer's FIN", () => {
  it('recv answers WSAECONNABORTED instead of 0 (Wine test_shutdown, checked on Windows)', async () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(W.closesocket(client)).toBe(0);
    await tick(20);
    // The closed client answers this data with a RST.
    expect(W.send(server, Buffer.from('test\0'))).toBe(5);
    await tick(50);
    expect(lastErrorOf(W.recv(server, Buffer.alloc(8)))).toBe(W.WSA.WSAECONNABORTED);
    expect(lastErrorOf(W.recv(server, Buffer.alloc(8)))).toBe(W.WSA.WSAECONNABORTED);
  });

  it('a plain FIN still reads as 0', () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(observe(server)).toEqual({ eof: true });
    expect(W.recv(server, Buffer.alloc(8))).toBe(0);
  });
});

describe('small input rules', () => {
  it('FIONBIO with NaN is "blocking" for the kernel and for the library alike', () => {
    const { client } = tcpPair();
    expect(W.ioctlsocket(client, W.FIONBIO, [NaN])).toBe(0);
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_RCVTIMEO, 100)).toBe(0);
    expect(lastErrorOf(W.recv(client, Buffer.alloc(4)))).toBe(W.WSA.WSAETIMEDOUT);
  });

  it('WSAPoll with a timeout C cannot express is WSAEINVAL, not "return at once"', () => {
    const { client } = tcpPair();
    for (const t of [NaN, Infinity, -Infinity, 2 ** 32, 1.5]) {
      expect(lastErrorOf(W.WSAPoll([{ fd: client, events: W.POLLRDNORM, revents: 0 }], t))).toBe(W.WSA.WSAEINVAL);
    }
  });

  it('IPV6_V6ONLY on an IPv4 socket is accepted and reads as 1, as on Windows', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(W.setsockopt(s, W.IPPROTO_IPV6, W.IPV6_V6ONLY, 0)).toBe(0);
    const v = [-1];
    expect(W.getsockopt(s, W.IPPROTO_IPV6, W.IPV6_V6ONLY, v)).toBe(0);
    expect(v[0]).toBe(1);
  });
});

describe('WSAPoll and POLLPRI', () => {
  it('requesting POLLPRI is WSAEINVAL, as Microsoft documents for its provider', () => {
    const { client } = tcpPair();
    expect(lastErrorOf(W.WSAPoll([{ fd: client, events: W.POLLPRI, revents: 0 }], 0))).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.WSAPoll([{ fd: client, events: W.POLLRDNORM | W.POLLPRI, revents: 0 }], 0))).toBe(W.WSA.WSAEINVAL);
    expect(W.WSAPoll([{ fd: client, events: W.POLLRDNORM | W.POLLRDBAND | W.POLLWRNORM, revents: 0 }], 0)).toBe(1);
  });
});

describe('accept with an output address whose setter throws', () => {
  it('rethrows, and the accepted connection is reset rather than left without a handle', () => {
    const l = listener();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(W.connect(c, l.addr)).toBe(0);
    const before = fdCount();
    const hostile = {
      set port(_v: number) {
        throw new Error('no');
      },
    } as unknown as W.SockAddr;
    expect(() => W.accept(l.s, hostile)).toThrow('no');
    expect(fdCount()).toBe(before);
    expect(observe(c)).toEqual({ error: 'WSAECONNRESET' });
  });
});
