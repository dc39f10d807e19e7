// Rule: a watched descriptor closed behind the library's back (nativeFd hands
// it out) is never fatal, and neither is its number coming back as a new
// socket that is then watched. A change to the old socket's watch (here
// WSAEventSelect, after the close) is answered by epoll_ctl's EBADF, not by
// libuv's abort; a new socket on a reused number gets its own registration,
// its waits complete with its own data, and the old socket's pending recv is
// not woken by the new one's readiness (it would read the new socket's
// bytes). Run in a child process: the library closes those numbers again later.
import { expect, it } from 'vitest';
import { runModuleScript } from '../helpers.js';

it('closed behind our back, then the numbers reused by new watched sockets: no crash, no cross-talk, exits by itself', () => {
  const script = `
    import fs from 'node:fs';
    import * as W from './src/index.ts';
    import * as P from './src/promises.ts';
    W.WSAStartup(0x202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 8);
    const addr = {}; W.getsockname(l, addr);
    const pair = () => { const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0); W.connect(c, addr); return [c, W.accept(l)]; };
    const [c1, a] = pair();
    const [c2, b] = pair();
    // Both have a recv pending: both descriptors are registered and armed.
    const state = { a: 'pending', b: 'pending' };
    const ra = P.recv(a, Buffer.alloc(16)).then((n) => (state.a = 'got ' + n), (e) => (state.a = e.code));
    const rb = P.recv(b, Buffer.alloc(16)).then((n) => (state.b = 'got ' + n), (e) => (state.b = e.code));
    const na = W.nativeFd(a), nb = W.nativeFd(b);
    fs.closeSync(na);
    fs.closeSync(nb);
    // a's watch changes after the close: its registration is gone (EBADF), the association is not watched.
    const ev = W.WSACreateEvent();
    console.log('eventselect', W.WSAEventSelect(a, ev, W.FD_READ | W.FD_WRITE | W.FD_CLOSE));
    // b's number comes back first to a new socket: the lowest free descriptors are reused.
    const [x, y] = pair();
    const reused = [W.nativeFd(x), W.nativeFd(y)].sort((p, q) => p - q).join(',');
    console.log('reused', reused === [na, nb].sort((p, q) => p - q).join(','));
    const bx = Buffer.alloc(16), by = Buffer.alloc(16);
    const rx = P.recv(x, bx), ry = P.recv(y, by);
    await P.send(y, Buffer.from('to-x'));
    await P.send(x, Buffer.from('to-y!'));
    const [gx, gy] = await Promise.all([rx, ry]);
    console.log('x', bx.subarray(0, gx).toString(), 'y', by.subarray(0, gy).toString());
    await new Promise((r) => setTimeout(r, 50));
    console.log('old', state.a, state.b);
    // The new sockets first (closing a or b closes their numbers again).
    for (const s of [x, y]) W.closesocket(s);
    W.closesocket(a);
    W.closesocket(b);
    await Promise.all([ra, rb]);
    console.log('old', state.a, state.b);
    for (const s of [c1, c2, l]) W.closesocket(s);
    W.WSACloseEvent(ev);
    W.WSACleanup();
    console.log('done');
  `;
  const r = runModuleScript(script);
  expect(r.stderr).not.toMatch(/FATAL|Assertion|abort/i);
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([
    'eventselect 0',
    'reused true',
    'x to-x y to-y!',
    'old pending pending',
    'old WSA_OPERATION_ABORTED WSA_OPERATION_ABORTED',
    'done',
  ]);
  expect(r.signal).toBeNull(); // it exited by itself: the dead watches hold nothing
  expect(r.status).toBe(0);
});
