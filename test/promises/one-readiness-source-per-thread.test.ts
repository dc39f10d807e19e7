// Rule (Linux): however many sockets wait, a thread has one readiness source on
// Node's loop: one epoll descriptor of the library's own holding every watched
// socket, and only that descriptor is registered in Node's own epoll (no
// uv_poll handle per socket). Read from the kernel: /proc/self/fdinfo of an
// epoll descriptor lists the descriptors registered in it (tfd). A Worker's
// copy of the library has its own. All of it goes when the sockets close.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { beforeAll, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { fdCount, ok, useWinsock, workerBundle } from '../helpers.js';
import { tcpListener, within } from './helpers.js';

useWinsock();

let bundle: string;
beforeAll(() => {
  bundle = workerBundle('test/fixtures/flat-and-promises.ts');
}, 150_000);

/** The eventfds of this process. */
function eventfds(): number {
  let n = 0;
  for (const f of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${f}`) === 'anon_inode:[eventfd]') n++;
    } catch {
      // the directory's own descriptor, gone already
    }
  }
  return n;
}

/** Every epoll descriptor of this process, with the descriptors registered in it. */
function epolls(): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const f of readdirSync('/proc/self/fd')) {
    let link = '';
    try {
      link = readlinkSync(`/proc/self/fd/${f}`);
    } catch {
      continue; // the directory's own descriptor, gone already
    }
    if (link !== 'anon_inode:[eventpoll]') continue;
    const info = readFileSync(`/proc/self/fdinfo/${f}`, 'utf8');
    out.set(Number(f), new Set([...info.matchAll(/^tfd:\s*(\d+)/gm)].map((m) => Number(m[1]))));
  }
  return out;
}

// In a Worker: its own sockets with recvs pending, and what that did to the process's epoll descriptors.
const WORKER = String.raw`
import { readdirSync, readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
const W = await import(workerData.bundle);
const { P } = W;
const count = () => readdirSync('/proc/self/fd').filter((f) => { try { return readlinkSync('/proc/self/fd/' + f) === 'anon_inode:[eventpoll]'; } catch { return false; } }).length;
W.WSAStartup(0x202);
const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
W.listen(l, 64);
const addr = {}; W.getsockname(l, addr);
const before = count();
const pairs = [];
for (let i = 0; i < 20; i++) { const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0); W.connect(c, addr); pairs.push([c, W.accept(l)]); }
const recvs = pairs.map(([, s]) => P.recv(s, Buffer.alloc(4)));
const during = count();
for (const [c] of pairs) await P.send(c, Buffer.from('w'));
const got = (await Promise.all(recvs)).every((n) => n === 1);
for (const [c, s] of pairs) { W.closesocket(c); W.closesocket(s); }
W.closesocket(l);
W.WSACleanup();
parentPort.postMessage({ before, during, after: count(), got });
`;

it('400 pending recvs: one epoll descriptor holds them all, Node’s epoll holds only it; a Worker adds its own; all gone after', async () => {
  const fd0 = fdCount();
  const e0fds = eventfds();
  const e0 = epolls();
  const l = tcpListener();
  const socks: number[] = [];
  for (let i = 0; i < 200; i++) {
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const [s] = await Promise.all([P.accept(l.s), P.connect(c, l.addr)]);
    socks.push(c, s);
  }
  const bufs = socks.map(() => Buffer.alloc(8));
  const pending = socks.map((s, i) => P.recv(s, bufs[i]!));
  const fds = new Set(socks.map((s) => W.nativeFd(s)!));

  const e1 = epolls();
  const added = [...e1.keys()].filter((fd) => !e0.has(fd));
  expect(added).toHaveLength(1); // one epoll descriptor for this thread, whatever the number of sockets
  const mine = added[0]!;
  expect([...fds].every((fd) => e1.get(mine)!.has(fd))).toBe(true);
  // No other epoll descriptor (Node's loop among them) holds any socket; Node's holds ours.
  for (const [fd, watched] of e1) if (fd !== mine) expect([...watched].filter((w) => fds.has(w))).toEqual([]);
  expect([...e1.values()].some((watched) => watched.has(mine))).toBe(true);
  expect(fdCount()).toBe(fd0 + 1 + socks.length + 1); // the listener, the sockets, one epoll descriptor

  // A Worker's copy of the library makes its own, and closes it once its sockets are closed.
  const w = new Worker(WORKER, { eval: true, workerData: { bundle } });
  const report = await within(
    new Promise<{ before: number; during: number; after: number; got: boolean }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }),
    20_000,
    'the worker',
  );
  await w.terminate();
  expect(report).toEqual({ before: report.before, during: report.before + 1, after: report.before, got: true });

  // One message each: every recv completes through the one descriptor; then all closed.
  for (let i = 0; i < socks.length; i += 2) {
    ok(W.send(socks[i]!, Buffer.from('c')));
    ok(W.send(socks[i + 1]!, Buffer.from('s')));
  }
  const got = await within(Promise.all(pending), 10_000, 'the recvs');
  expect(got.every((n) => n === 1)).toBe(true);
  for (const s of socks) ok(W.closesocket(s));
  ok(W.closesocket(l.s));
  expect([...epolls().keys()].sort()).toEqual([...e0.keys()].sort());
  // Back to the start, but for the wake-up eventfds of the table's wait pool
  // (src/shared-table.ts): the Worker's blocking connects, made while two
  // copies of the library ran, claimed one; the pool keeps it for the life of
  // the process (at most one per concurrent wait, 120 at most).
  expect(fdCount() - eventfds()).toBe(fd0 - e0fds);
  expect(eventfds() - e0fds).toBeLessThanOrEqual(1);
});
