// Rule: a watched descriptor closed behind the library's back while a dup of
// it keeps the socket open leaves a registration epoll keeps (epoll forgets a
// registration only when the file is released) and no one can remove (its
// number is someone else's now). Data arriving on that socket must neither
// wake the new socket's waits on the reused number (its token is stale: it is
// ignored) nor keep Node's loop busy (registrations are one-shot: a stale one
// fires once and stays disabled; level-triggered, it would wake every turn).
// CPU time over a half-second wait, as test/events/waits-do-not-spin does.
// Run in a child process: the library closes that number again later.
import { expect, it } from 'vitest';
import { runModuleScript } from '../helpers.js';

it('a stale registration on a dup’d socket: ignored, fires no busy loop, the reused number’s recv gets its own data', () => {
  const script = `
    import fs from 'node:fs';
    import koffi from 'koffi';
    import * as W from './src/index.ts';
    import * as P from './src/promises.ts';
    const dup = koffi.load('libc.so.6').func('int dup(int fd)');
    W.WSAStartup(0x202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 8);
    const addr = {}; W.getsockname(l, addr);
    const pair = () => { const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0); W.connect(c, addr); return [c, W.accept(l)]; };
    const [c1, a] = pair();
    let old = 'pending';
    const ra = P.recv(a, Buffer.alloc(16)).then((n) => (old = 'got ' + n), (e) => (old = e.code));
    const n = W.nativeFd(a);
    const kept = dup(n); // keeps a's socket open under another number
    fs.closeSync(n);
    const x = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    console.log('reused', W.nativeFd(x) === n);
    await P.connect(x, addr);
    const y = await P.accept(l);
    const buf = Buffer.alloc(16);
    const rx = P.recv(x, buf);
    // Data for a's socket: its registration (under the reused number) becomes ready.
    W.send(c1, Buffer.from('for-a'));
    await new Promise((r) => setTimeout(r, 50));
    const t = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const d = process.cpuUsage(t);
    console.log('busy', (d.user + d.system) / 1000 > 150);
    await P.send(y, Buffer.from('for-x'));
    console.log('x', buf.subarray(0, await rx).toString(), 'old', old);
    W.closesocket(x);
    W.closesocket(y);
    fs.closeSync(kept);
    W.closesocket(a);
    await ra;
    console.log('old', old);
    for (const s of [c1, l]) W.closesocket(s);
    W.WSACleanup();
  `;
  const r = runModuleScript(script);
  expect(r.stderr).not.toMatch(/FATAL|Assertion|abort/i);
  expect(r.stdout.split('\n').filter(Boolean)).toEqual(['reused true', 'busy false', 'x for-x old pending', 'old WSA_OPERATION_ABORTED']);
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
});
