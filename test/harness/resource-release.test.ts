// The resource checks themselves: they must see a live socket as live at every
// layer, a closed one as released, and must not be fooled by a recycled fd.
import koffi from 'koffi';
import { closeSync, openSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertReleased,
  checkReleased,
  fdCount,
  localAddress,
  portBindable,
  processFds,
  socketFds,
  socketInodeOfFd,
  track,
  waitReleased,
} from '../../src/harness/resources.js';
import * as W from '../../src/index.js';
import '../../src/vitest.js';
import { loopbackPair } from './helpers.js';

// libc's dup/close, to give a socket a second descriptor behind the library's back.
const libc = koffi.load('libc.so.6');
const dup = libc.func('int dup(int)') as (fd: number) => number;
const closeFd = libc.func('int close(int)') as (fd: number) => number;

beforeAll(() => void expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0));
afterAll(() => void W.WSACleanup());

describe('descriptors', () => {
  it('lists the process’s fds, marks sockets with their inode, and counts a new one', () => {
    const before = fdCount();
    const fd = openSync('/dev/null', 'r');
    try {
      expect(fdCount()).toBe(before + 1);
      expect(processFds().find((f) => f.fd === fd)).toMatchObject({ target: '/dev/null' });
      expect(processFds().find((f) => f.fd === fd)!.socketInode).toBeUndefined();
    } finally {
      closeSync(fd);
    }
    const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    const nfd = W.nativeFd(s)!;
    expect(socketFds().map((f) => f.fd)).toContain(nfd);
    expect(socketInodeOfFd(nfd)).toBeGreaterThan(0);
    expect(W.openHandles()).toContain(s);
    W.closesocket(s);
    expect(socketInodeOfFd(nfd)).toBeUndefined();
    expect(fdCount()).toBe(before);
  });
});

describe('release check', () => {
  it('reports every layer of a live socket as not released', () => {
    const { l, c, s } = loopbackPair();
    const r = checkReleased(track(c));
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/handle \d+ still live/);
    expect(r.problems.join('\n')).toMatch(/fd \d+ still open \(socket:\[\d+\]\)/);
    expect(r.problems.join('\n')).toMatch(/kernel still has socket inode \d+/);
    expect(() => assertReleased(track(c))).toThrow(/socket not released/);
    expect(c).not.toBeReleased();
    for (const h of [c, s, l]) W.closesocket(h);
  });

  it('passes after closesocket, and is not fooled when the fd number is reused', async () => {
    const { l, c, s } = loopbackPair();
    W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
    const t = track(c);
    expect(W.closesocket(c)).toBe(0);
    // Open files until one lands on the freed fd number.
    const opened: number[] = [];
    for (let i = 0; i < 64 && !opened.includes(t.fd!); i++) opened.push(openSync('/dev/null', 'r'));
    try {
      expect(opened).toContain(t.fd);
      const r = assertReleased(t, { abortive: true });
      expect(r.checks.fd).toMatch(/closed \(number since reused for \/dev\/null\)/);
      expect(r.checks.handle).toMatch(/answers WSAENOTSOCK/);
      expect(r.checks.kernel).toBe('kernel socket gone');
      // The same facts as fixed fields, for callers that must not parse the lines above. The port is
      // bindable again, unless the kernel lent the same ephemeral port to other connections
      // meanwhile (other peers, possible on a busy loopback): then it is free of *this* socket.
      expect(r.status).toMatchObject({ handle: 'released', fd: 'reused', kernel: 'gone' });
      expect(['bindable', 'other']).toContain(r.status.port);
      expect(r.checks.port).toMatch(r.status.port === 'bindable' ? /bindable again/ : /free of this socket/);
      expect(t).toBeReleased({ abortive: true });
    } finally {
      opened.forEach((fd) => closeSync(fd));
    }
    W.closesocket(s);
    W.closesocket(l);
  });

  it('sees a socket kept alive by another descriptor (a dup), even one in no kernel table', () => {
    const h = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP); // unconnected: absent from /proc/net/tcp
    const t = track(h);
    const copy = dup(t.fd!);
    expect(copy).toBeGreaterThanOrEqual(0);
    try {
      expect(W.closesocket(h)).toBe(0);
      const r = checkReleased(t);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(new RegExp(`socket inode ${t.inode} still open as fd ${copy}`));
      expect(r.status.fd).toBe('open');
      expect(r.status.handle).toBe('released');
      expect(t).not.toBeReleased();
    } finally {
      closeFd(copy);
    }
    expect(t).toBeReleased();
  });

  it('a bare handle, closed without track(), is still checked fully: the harness recorded it at close', () => {
    const h = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    const copy = dup(W.nativeFd(h)!);
    expect(copy).toBeGreaterThanOrEqual(0);
    try {
      expect(W.closesocket(h)).toBe(0);
      // Without the record taken at close, only the handle table could be checked, and it passes.
      expect(h).not.toBeReleased();
      expect(checkReleased(h).problems.join('\n')).toMatch(/still open as fd/);
    } finally {
      closeFd(copy);
    }
    expect(h).toBeReleased();
  });

  it('the last WSACleanup is recorded too, with the addresses still readable', () => {
    const { c } = loopbackPair();
    const before = W.openHandles();
    expect(before).toContain(c);
    expect(W.WSACleanup()).toBe(0); // this file's only start-up: every socket is reset here
    try {
      for (const h of before) expect(checkReleased(h).checks.fd).not.toMatch(/fd unknown/);
    } finally {
      expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0); // for the tests after this one and afterAll
    }
  });

  it('an abortively freed ephemeral port that another connection took at once still counts as released', () => {
    const a = loopbackPair();
    const t = track(a.c);
    W.setsockopt(a.c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
    expect(W.closesocket(a.c)).toBe(0);
    // Another connection, to another listener, from the very port just freed.
    const b = loopbackPair();
    const thief = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    const port = Number(t.local!.split(':').pop());
    // SO_REUSEADDR: on a busy loopback the kernel may have lent this ephemeral port to other
    // peers' connections too (TIME_WAIT ones among them), which a plain bind would refuse.
    W.setsockopt(thief, W.SOL_SOCKET, W.SO_REUSEADDR, 1);
    expect(W.bind(thief, { family: W.AF_INET, address: '127.0.0.1', port })).toBe(0);
    expect(W.connect(thief, b.addr)).toBe(0);
    const r = checkReleased(t, { abortive: true });
    expect(r.checks.port).toMatch(/free of this socket \(now used by .*-> 127\.0\.0\.1:\d+ ESTABLISHED/);
    expect(r.status.port).toBe('other');
    expect(r.ok).toBe(true);
    W.setsockopt(thief, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }); // no TIME_WAIT on the port
    W.closesocket(thief);
    // A socket that only binds the port is outside the connection table: still not this socket.
    const squatter = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    W.setsockopt(squatter, W.SOL_SOCKET, W.SO_REUSEADDR, 1);
    expect(W.bind(squatter, { family: W.AF_INET, address: '127.0.0.1', port })).toBe(0);
    // (Other peers' connections on the same port, if any, are named instead.)
    const again = checkReleased(t, { abortive: true });
    expect(again.checks.port).toMatch(/free of this socket \(now used by (a socket outside the connection table|-> )/);
    expect(again.ok).toBe(true);
    W.closesocket(squatter);
  });

  it('accepts an unowned TIME_WAIT after a graceful close, but not after one claimed abortive', async () => {
    const { l, c, s } = loopbackPair();
    const t = track(c);
    W.closesocket(c); // default close: FIN
    const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
    W.WSAPoll(fds, 1000);
    expect(W.recv(s, Buffer.alloc(8))).toBe(0);
    W.closesocket(s);
    const r = await waitReleased(t, { timeoutMs: 1000 });
    expect(r.rows.map((x) => [x.state, x.owned])).toEqual([['TIME_WAIT', false]]);
    const wrong = checkReleased(t, { abortive: true });
    expect(wrong.problems.join('\n')).toMatch(/abortive close left .* in TIME_WAIT/);
    W.closesocket(l);
  });

  it('checks a listener: port bindable once it is closed, not before', () => {
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 4);
    const a = localAddress(l)!;
    const where = `127.0.0.1:${a.port}`;
    expect(portBindable(where)).toMatchObject({ ok: false, errno: 98 }); // EADDRINUSE
    const t = track(l);
    W.closesocket(l);
    expect(portBindable(where)).toEqual({ ok: true });
    expect(assertReleased(t, { checkPort: true }).checks.kernel).toBe('kernel socket gone');
  });

  it('an unknown handle is "released" only in the sense that it was never live: WSAENOTSOCK', () => {
    expect(checkReleased(0x7ffffff0).checks.handle).toMatch(/WSAENOTSOCK/);
  });
});
