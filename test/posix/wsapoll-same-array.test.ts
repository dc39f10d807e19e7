// Rule: WSAPoll answers from the array as it is at this call, even when the
// program passes the same array again (the library keeps its own view of an
// array between calls, refilled on every call): a handle closed since the last
// call is POLLNVAL and not counted, an entry whose fd or events changed is
// polled as it is now, and the array may grow or shrink between calls.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SOCKET, WSAPOLLFD } from '../../src/index.js';
import { lastErrorOf, listener, ok, tcpPair, tick, useWinsock } from '../helpers.js';

useWinsock();

const entry = (fd: SOCKET, events: number): WSAPOLLFD => ({ fd, events, revents: -1 });

describe('WSAPoll on an array polled before', () => {
  it('a handle closed between two calls is POLLNVAL and not counted', () => {
    const a = tcpPair();
    const b = tcpPair();
    const fds = [entry(a.client, W.POLLWRNORM), entry(b.client, W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(2);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLWRNORM, W.POLLWRNORM]);
    ok(W.closesocket(a.client));
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLNVAL, W.POLLWRNORM]);
    ok(W.closesocket(b.client));
    // No entry is a socket any more: WSAENOTSOCK, every entry POLLNVAL.
    expect(lastErrorOf(W.WSAPoll(fds, 0))).toBe(W.WSA.WSAENOTSOCK);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLNVAL, W.POLLNVAL]);
  });

  it('an entry whose fd or events changed is polled as it is now', () => {
    const p = tcpPair();
    ok(W.send(p.client, Buffer.from('x')));
    const fds = [entry(p.client, W.POLLRDNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(0);
    expect(fds[0]!.revents).toBe(0);
    fds[0]!.fd = p.server;
    expect(W.WSAPoll(fds, 1000)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLRDNORM);
    fds[0]!.events = W.POLLWRNORM;
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLWRNORM);
    // A flag that cannot be requested is refused now, though the entry was fine before.
    fds[0]!.events = W.POLLPRI;
    expect(lastErrorOf(W.WSAPoll(fds, 0))).toBe(W.WSA.WSAEINVAL);
    // A negative fd is ignored: POLLNVAL, and its flags are not looked at.
    fds[0]!.fd = -1;
    fds.push(entry(p.client, W.POLLWRNORM));
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLNVAL, W.POLLWRNORM]);
  });

  it('the array may grow and shrink between calls', () => {
    const p = tcpPair();
    const fds: WSAPOLLFD[] = [entry(p.client, W.POLLWRNORM)];
    expect(W.WSAPoll(fds, 0)).toBe(1);
    fds.push(entry(p.server, W.POLLWRNORM), entry(0x7ffffff0, W.POLLWRNORM));
    expect(W.WSAPoll(fds, 0)).toBe(2);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLWRNORM, W.POLLWRNORM, W.POLLNVAL]);
    fds.length = 1;
    fds[0]!.revents = -1;
    expect(W.WSAPoll(fds, 0)).toBe(1);
    expect(fds[0]!.revents).toBe(W.POLLWRNORM);
    fds.length = 0;
    expect(lastErrorOf(W.WSAPoll(fds, 0))).toBe(W.WSA.WSAEINVAL);
  });

  it('after a TypeError for a bad entry, the same array works once the entry is fixed', () => {
    const p = tcpPair();
    const fds = [entry(p.client, W.POLLWRNORM), { fd: 'x', events: 0, revents: 0 } as unknown as WSAPOLLFD];
    expect(() => W.WSAPoll(fds, 0)).toThrow(TypeError);
    expect(() => W.WSAPoll([entry(p.client, W.POLLWRNORM), undefined as unknown as WSAPOLLFD], 0)).toThrow(/fds\[1\]/);
    fds[1] = entry(p.server, W.POLLWRNORM);
    expect(W.WSAPoll(fds, 0)).toBe(2);
    expect(fds.map((f) => f.revents)).toEqual([W.POLLWRNORM, W.POLLWRNORM]);
  });
});

describe('WSAPoll and the SD_RECEIVE rule', () => {
  it('data arriving during the wait resets the connection: POLLHUP on every entry of that socket', async () => {
    const l = listener();
    // Another process connects, then sends once this thread waits in WSAPoll.
    const child = spawn(process.execPath, [
      '-e',
      `const s = require('net').connect(${l.addr.port}, '127.0.0.1', () => setTimeout(() => s.write('late'), 300)); s.on('error', () => {}); setTimeout(() => s.destroy(), 3000)`,
    ]);
    try {
      await tick(50);
      const fds0 = [entry(l.s, W.POLLRDNORM)];
      expect(W.WSAPoll(fds0, 5000)).toBe(1);
      const s = ok(W.accept(l.s));
      expect(W.shutdown(s, W.SD_RECEIVE)).toBe(0);
      // The same socket twice: both entries must say the connection is gone.
      const fds = [entry(s, W.POLLRDNORM), entry(s, W.POLLRDNORM)];
      expect(W.WSAPoll(fds, 5000)).toBe(2);
      expect(fds.map((f) => f.revents & W.POLLHUP)).toEqual([W.POLLHUP, W.POLLHUP]);
      expect(fds.map((f) => f.revents & W.POLLRDNORM)).toEqual([0, 0]);
      expect(lastErrorOf(W.send(s, Buffer.from('x')))).toBe(W.WSA.WSAECONNABORTED);
    } finally {
      child.kill();
    }
  });
});
