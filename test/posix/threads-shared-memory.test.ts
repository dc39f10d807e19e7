// Spike (issue 9, item 5): what a process-wide handle table across
// worker_threads can stand on, measured. src/spike/process-shared.ts publishes
// malloc'd memory through the C environment; each Worker maps it with
// koffi.view. These tests check each piece the design would need: the
// environment is shared while process.env is not, every Worker sees one
// region, Atomics on the mapped memory do not lose updates, a pthread mutex
// through koffi serialises Workers, Atomics.wait is not available on it, and
// handles drawn from several Workers never collide.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import koffi from 'koffi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { openSharedRegion, sharedCounters, sharedTable } from '../../src/spike/process-shared.js';
import { observe, ok, tcpPair, workerBundle } from '../helpers.js';

let workerFile = '';
let spikeUrl = '';

// Workers cannot load TypeScript: build the spike to a temp ESM file.
beforeAll(() => {
  const spike = workerBundle('src/spike/process-shared.ts');
  spikeUrl = spike;
  const tmp = join(dirname(fileURLToPath(spike)), '..');
  workerFile = join(tmp, 'worker.mjs');
  writeFileSync(
    workerFile,
    `import { workerData, parentPort } from 'node:worker_threads';
import koffi from 'koffi';
import { openSharedRegion, sharedCounters, sharedTable } from ${JSON.stringify(spike)};
const { task, name, n } = workerData;
const getenv = koffi.load('libc.so.6').func('const char *getenv(const char *name)');
let out;
if (task === 'env') {
  // Report what this thread sees once the parent has published the region (after this Worker started).
  parentPort.postMessage('ready');
  await new Promise((r) => parentPort.once('message', r));
  out = { libc: getenv(name), nodeEnv: process.env[name] ?? null };
}
else if (task === 'open') { const r = openSharedRegion(name, 64); out = { address: String(r.address), created: r.created }; }
else if (task === 'atomic') { const r = openSharedRegion(name, 64); for (let i = 0; i < n; i++) Atomics.add(r.words, 0, 1); out = {}; }
else if (task === 'plain') { const r = openSharedRegion(name, 64); for (let i = 0; i < n; i++) r.words[1]++; out = {}; }
else if (task === 'mutex') {
  const r = openSharedRegion(name, 64);
  const t = performance.now();
  for (let i = 0; i < n; i++) { r.lock(); r.words[2] = r.words[2] + 1; r.unlock(); }
  out = { nsPerPair: ((performance.now() - t) * 1e6) / n };
} else if (task === 'wait') { const r = openSharedRegion(name, 64); try { Atomics.wait(r.words, 0, 0, 1); out = { threw: null }; } catch (e) { out = { threw: e.constructor.name }; } }
else if (task === 'sendfd') {
  const send = koffi.load('libc.so.6').func('long send(int fd, const void *buf, size_t len, int flags)');
  out = { sent: Number(send(n, Buffer.from('from a worker'), 13, 0x4000)) };
}
else if (task === 'watch') {
  // A uv_poll watcher on this Worker's own loop, on a descriptor the main thread also watches.
  out = await new Promise((resolve) => {
    const h = koffi.node.poll(n, { readable: true }, (status, events) => (h.close(), resolve({ status, events })));
    parentPort.postMessage('watching');
    setTimeout(() => (h.close(), resolve({ timeout: true })), 5000);
  });
}
else if (task === 'atomiccost') {
  const r = openSharedRegion(name, 64);
  let t = performance.now();
  for (let i = 0; i < n; i++) Atomics.add(r.words, 3, 1);
  const atomicNs = ((performance.now() - t) * 1e6) / n;
  const local = new Int32Array(new SharedArrayBuffer(64));
  t = performance.now();
  for (let i = 0; i < n; i++) Atomics.add(local, 3, 1);
  out = { atomicNs, sabNs: ((performance.now() - t) * 1e6) / n };
}
else if (task === 'tableuse') {
  // Look a main-thread handle up in the shared table, use its descriptor, mark it.
  const t = sharedTable(name);
  const slot = t.lookup(n);
  const send = koffi.load('libc.so.6').func('long send(int fd, const void *buf, size_t len, int flags)');
  const sent = slot ? Number(send(slot.fd, Buffer.from('via the shared table'), 20, 0x4000)) : -1;
  out = { slot: slot ?? null, sent, marked: t.setFlags(n, 0x2) };
}
else if (task === 'tablechurn') {
  const t = sharedTable(name);
  const hs = [];
  for (let i = 0; i < n; i++) hs.push(t.insert({ fd: 100 + i, af: 2, type: 1, protocol: 6, flags: 0, broken: 0 }));
  const found = hs.every((h) => t.lookup(h)?.handle === h);
  for (const h of hs) t.remove(h);
  out = { hs, found };
}
else if (task === 'bc') {
  // A named BroadcastChannel reaches every thread of the process with no wiring by the program.
  const ch = new BroadcastChannel(name);
  out = await new Promise((resolve) => {
    ch.onmessage = (e) => (ch.close(), resolve({ got: e.data }));
    parentPort.postMessage('listening');
    setTimeout(() => (ch.close(), resolve({ timeout: true })), 5000);
  });
}
else if (task === 'handles') { const c = sharedCounters(name); const hs = []; for (let i = 0; i < n; i++) hs.push(c.nextHandle()); out = { hs }; }
parentPort.postMessage(out);
`,
  );
});

function run<T>(task: string, name: string, n = 0): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerFile, { workerData: { task, name, n } });
    const timer = setTimeout(() => (w.terminate(), reject(new Error(`worker ${task} timed out`))), 20_000);
    w.once('message', (m) => (clearTimeout(timer), resolve(m as T)));
    w.once('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

const many = <T>(k: number, task: string, name: string, n = 0): Promise<T[]> =>
  Promise.all(Array.from({ length: k }, () => run<T>(task, name, n)));

describe('process-wide memory for worker_threads through koffi', () => {
  it("libc's environment is process-wide; a Worker's process.env is a snapshot taken when it started", async () => {
    const w = new Worker(workerFile, { workerData: { task: 'env', name: 'WSC_SPIKE_ENV', n: 0 } });
    const msgs: unknown[] = [];
    const done = new Promise<{ libc: string; nodeEnv: string | null }>((resolve, reject) => {
      const timer = setTimeout(() => (w.terminate(), reject(new Error('worker env timed out'))), 20_000);
      w.on('message', (m) => {
        msgs.push(m);
        if (m === 'ready') {
          // Published after the Worker started: only libc's getenv can see it there.
          const r = openSharedRegion('WSC_SPIKE_ENV', 64);
          expect(r.created).toBe(true);
          w.postMessage('go');
        } else (clearTimeout(timer), resolve(m as { libc: string; nodeEnv: string | null }));
      });
      w.once('error', reject);
    });
    const seen = await done;
    expect(seen.libc).toBe(`${process.pid}:0x${openSharedRegion('WSC_SPIKE_ENV', 64).address.toString(16)}`);
    expect(seen.nodeEnv).toBeNull();
  });

  it('Workers opening the region at the same time all map one region; exactly one creates it', async () => {
    const got = await many<{ address: string; created: boolean }>(4, 'open', 'WSC_SPIKE_RACE');
    const mine = openSharedRegion('WSC_SPIKE_RACE', 64);
    expect(new Set(got.map((g) => g.address))).toEqual(new Set([String(mine.address)]));
    expect(got.filter((g) => g.created).length + (mine.created ? 1 : 0)).toBe(1);
  });

  it('Atomics.add on koffi.view memory from 4 Workers loses no update', async () => {
    const r = openSharedRegion('WSC_SPIKE_ATOMIC', 64);
    await many(4, 'atomic', 'WSC_SPIKE_ATOMIC', 200_000);
    expect(Atomics.load(r.words, 0)).toBe(800_000);
    // For the report: the same with plain increments (may or may not lose updates).
    await many(4, 'plain', 'WSC_SPIKE_ATOMIC', 200_000);
    console.log(`[spike] plain ++ from 4 Workers x 200000: ${r.words[1]} of 800000`);
  });

  it('a pthread mutex in the region, called through koffi, serialises 4 Workers', async () => {
    const r = openSharedRegion('WSC_SPIKE_MUTEX', 64);
    const res = await many<{ nsPerPair: number }>(4, 'mutex', 'WSC_SPIKE_MUTEX', 50_000);
    expect(r.words[2]).toBe(200_000);
    console.log(
      `[spike] lock+unlock through koffi, 4 Workers contending: ${res.map((x) => x.nsPerPair.toFixed(0)).join(', ')} ns per pair`,
    );
    const t = performance.now();
    for (let i = 0; i < 100_000; i++) {
      r.lock();
      r.unlock();
    }
    console.log(`[spike] lock+unlock through koffi, uncontended: ${(((performance.now() - t) * 1e6) / 100_000).toFixed(0)} ns per pair`);
  });

  it('Atomics.wait is refused on the mapped memory (an ArrayBuffer, not a SharedArrayBuffer)', async () => {
    const r = openSharedRegion('WSC_SPIKE_WAIT', 64);
    expect(r.words.buffer instanceof SharedArrayBuffer).toBe(false);
    expect(await run<{ threw: string | null }>('wait', 'WSC_SPIKE_WAIT')).toEqual({ threw: 'TypeError' });
  });

  it('handles drawn from the shared counter by 4 Workers and this thread never collide', async () => {
    const c = sharedCounters('WSC_SPIKE_HANDLES');
    const mine = Array.from({ length: 1000 }, () => c.nextHandle());
    const theirs = (await many<{ hs: number[] }>(4, 'handles', 'WSC_SPIKE_HANDLES', 1000)).flatMap((x) => x.hs);
    const all = [...mine, ...theirs];
    expect(new Set(all).size).toBe(5000);
    expect(all.every((h) => h % 4 === 0 && h >= 0x1000)).toBe(true);
    expect(c.startup()).toBe(1);
    expect(c.cleanup()).toBe(0);
  });

  it("the descriptor behind a main-thread SOCKET works from a Worker's libc: only the library's bookkeeping is per thread", async () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    const { client, server, listener } = tcpPair();
    const fd = W.nativeFd(client)!;
    expect(await run<{ sent: number }>('sendfd', '', fd)).toEqual({ sent: 13 });
    expect(observe(server)).toEqual({ bytes: 'from a worker' });
    [client, server, listener].forEach((s) => ok(W.closesocket(s)));
    expect(W.WSACleanup()).toBe(0);
  });

  it('one descriptor can be watched by uv_poll on two loops at once (the main thread and a Worker): both fire', async () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    const { client, server, listener } = tcpPair();
    const fd = W.nativeFd(server)!;
    const w = new Worker(workerFile, { workerData: { task: 'watch', name: '', n: fd } });
    const theirs = new Promise<Record<string, unknown>>((resolve, reject) => {
      w.on('message', (m) => {
        if (m === 'watching') {
          // Both watch now: make the descriptor readable.
          expect(W.send(client, Buffer.from('x'))).toBe(1);
        } else resolve(m as Record<string, unknown>);
      });
      w.once('error', reject);
    });
    const mine = new Promise<number>((resolve) => {
      const h = koffi.node.poll(fd, { readable: true }, ((status: number) => (h.close(), resolve(status))) as never);
    });
    const [a, b] = await Promise.all([mine, theirs]);
    expect(a).toBe(0);
    expect(b).toMatchObject({ status: 0 });
    [client, server, listener].forEach((s) => ok(W.closesocket(s)));
    expect(W.WSACleanup()).toBe(0);
  });

  it('for the report: the cost of Atomics.add on koffi.view memory and on a SharedArrayBuffer', async () => {
    const r = await run<{ atomicNs: number; sabNs: number }>('atomiccost', 'WSC_SPIKE_COST', 1_000_000);
    console.log(`[spike] Atomics.add: ${r.atomicNs.toFixed(1)} ns on koffi.view memory, ${r.sabNs.toFixed(1)} ns on a SharedArrayBuffer`);
    expect(openSharedRegion('WSC_SPIKE_COST', 64).words[3]).toBe(1_000_000);
  });

  it('prototype: a SOCKET recorded in the shared table on the main thread is found and used by a Worker', async () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    const { client, server, listener } = tcpPair();
    const t = sharedTable('WSC_SPIKE_TABLE');
    const h = t.insert({ fd: W.nativeFd(client)!, af: W.AF_INET, type: W.SOCK_STREAM, protocol: W.IPPROTO_TCP, flags: 0, broken: 0 });
    expect(h).toBeGreaterThanOrEqual(0x1000);
    const res = await run<{ slot: Record<string, number> | null; sent: number; marked: boolean }>('tableuse', 'WSC_SPIKE_TABLE', h);
    expect(res.slot).toMatchObject({ handle: h, fd: W.nativeFd(client), af: W.AF_INET, type: W.SOCK_STREAM });
    expect(res.sent).toBe(20);
    expect(observe(server)).toEqual({ bytes: 'via the shared table' });
    // The Worker's change of state is what this thread now reads.
    expect(t.lookup(h)?.flags).toBe(0x2);
    expect(t.remove(h)).toBe(true);
    const after = await run<{ slot: unknown }>('tableuse', 'WSC_SPIKE_TABLE', h);
    expect(after.slot).toBeNull();
    [client, server, listener].forEach((s) => ok(W.closesocket(s)));
    expect(W.WSACleanup()).toBe(0);
  });

  it('prototype: 4 Workers inserting and removing 250 handles each at once: unique handles, every one found, table empty after', async () => {
    const res = await many<{ hs: number[]; found: boolean }>(4, 'tablechurn', 'WSC_SPIKE_CHURN', 250);
    const all = res.flatMap((r) => r.hs);
    expect(res.every((r) => r.found)).toBe(true);
    expect(new Set(all).size).toBe(1000);
    expect(all.every((h) => h >= 0x1000)).toBe(true);
    const t = sharedTable('WSC_SPIKE_CHURN');
    expect(all.some((h) => t.lookup(h) !== undefined)).toBe(false);
  });

  it('a child process inherits the variable but not the memory: it creates its own region instead of using a foreign address', () => {
    const r = openSharedRegion('WSC_SPIKE_CHILD', 64);
    r.words[0] = 1234;
    // process.env on the main thread reads the C environment, so spawned children inherit the value.
    expect(process.env.WSC_SPIKE_CHILD).toBe(`${process.pid}:0x${r.address.toString(16)}`);
    const dist = spikeUrl;
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openSharedRegion } = await import(${JSON.stringify(dist)}); const c = openSharedRegion('WSC_SPIKE_CHILD', 64); console.log(JSON.stringify({ created: c.created, word: c.words[0] }));`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(JSON.parse(out)).toEqual({ created: true, word: 0 });
  });

  it('a named BroadcastChannel reaches a Worker the program never wired (a way to tell other threads a socket was closed)', async () => {
    const w = new Worker(workerFile, { workerData: { task: 'bc', name: 'wsc-spike-close', n: 0 } });
    const ch = new BroadcastChannel('wsc-spike-close');
    const got = await new Promise<unknown>((resolve, reject) => {
      w.on('message', (m) => (m === 'listening' ? ch.postMessage({ closed: 0x1000 }) : resolve(m)));
      w.once('error', reject);
    });
    ch.close();
    expect(got).toEqual({ got: { closed: 0x1000 } });
  });
});
