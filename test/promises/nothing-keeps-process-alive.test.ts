// Rule: nothing leaks past the last close. A program that used every kind of
// wait, left an SD_RECEIVE watch behind and then closed its sockets exits on
// its own: no watcher, timer or descriptor keeps Node's loop alive. Run as a
// child process that never calls process.exit.
import { expect, it } from 'vitest';
import { runModuleScript } from '../helpers.js';

it('a program exits by itself once its sockets are closed', () => {
  const script = `
    import * as W from './src/index.ts';
    import * as P from './src/promises.ts';
    W.WSAStartup(0x202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 5);
    const a = {}; W.getsockname(l, a);
    const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    const [s] = await Promise.all([P.accept(l), P.connect(c, a)]);
    const r = P.recv(s, Buffer.alloc(8));
    await P.send(c, Buffer.from('hi'));
    await r;
    await P.WSAPoll([{ fd: c, events: W.POLLWRNORM, revents: 0 }], 1000);
    const aborted = P.recv(c, Buffer.alloc(8)).catch((e) => e.code);
    W.shutdown(s, W.SD_RECEIVE); // its watch must not hold the loop open
    const ac = new AbortController();
    const gone = P.accept(l, undefined, { signal: ac.signal }).catch((e) => e.name);
    ac.abort();
    console.log(await gone);
    await P.closesocket(c);
    console.log(await aborted);
    W.closesocket(l);
    console.log('handles', W.openHandles().length);
    // s stays open on purpose: an open socket with no pending operation holds nothing.
  `;
  const t0 = Date.now();
  const r = runModuleScript(script);
  expect(r.stderr).toBe('');
  expect(r.stdout.split('\n').filter(Boolean)).toEqual(['AbortError', 'WSA_OPERATION_ABORTED', 'handles 1']);
  expect(r.signal).toBeNull(); // not killed by the timeout: it exited by itself
  expect(r.status).toBe(0);
  expect(Date.now() - t0).toBeLessThan(15_000);
});
