// Workload 4's memory taken apart by stage, in one process: n connections
// from bench/scale-client.c accepted with the flat API (the socket records),
// then a P.recv pending on each (what waiting costs). Prints, per connection,
// the growth of RSS, V8 heap used and each V8 space's physical size between
// the stages (all after a full GC); with `snapshot`, also a heap snapshot diff
// of the second stage by constructor (count and bytes per connection; the
// RSS figures are then not meaningful: writing a snapshot costs memory).
//   WSC_BENCH_BIN=<compiled bench/*.c> node --expose-gc --import tsx bench/scale-stages.ts [n] [snapshot]
// (run inside a network namespace with net.core.somaxconn raised, as bench/main.ts's.)
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { Promises as P, W, type SockAddr, type SOCKET } from './wsc.js';
import { check } from './cycle.js';
import { cBinary, gc, startHelper } from './lib.js';

const n = Number(process.argv[2] ?? 10_000);
const snapshot = process.argv[3] === 'snapshot';

type Figures = Record<string, number>;
function measure(): Figures {
  gc();
  gc();
  const m = process.memoryUsage();
  const out: Figures = { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
  for (const s of v8.getHeapSpaceStatistics()) out[s.space_name] = s.physical_space_size;
  return out;
}

function perConn(a: Figures, b: Figures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(a)) if (Math.abs(b[k]! - a[k]!) >= n) out[k] = Math.round((b[k]! - a[k]!) / n);
  return out;
}

/** Self size and count by "type:name" in a heap snapshot. */
function bySort(file: string): Map<string, [number, number]> {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const f: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const [ti, ni, si] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const k = `${types[snap.nodes[i + ti]]}:${String(snap.strings[snap.nodes[i + ni]]).slice(0, 40)}`;
    const e = out.get(k) ?? [0, 0];
    e[0]++;
    e[1] += snap.nodes[i + si];
    out.set(k, e);
  }
  return out;
}

W.WSAStartup(W.MAKEWORD(2, 2));
const l = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
check(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
check(W.listen(l, W.SOMAXCONN), 'listen');
const addr = {} as SockAddr;
check(W.getsockname(l, addr), 'getsockname');
const bufs = Buffer.alloc(64 * n);
const views = Array.from({ length: n }, (_, i) => bufs.subarray(i * 64, (i + 1) * 64));
const start = measure();
const client = startHelper(cBinary('scale-client'), [String(addr.port), String(n)]);
if ((await client.line()) !== 'connected') throw new Error('client failed');
const socks: SOCKET[] = [];
while (socks.length < n) socks.push(check(W.accept(l), 'accept'));
const accepted = measure();
const snaps = [join(tmpdir(), `scale-stages-${process.pid}-1.heapsnapshot`), join(tmpdir(), `scale-stages-${process.pid}-2.heapsnapshot`)];
if (snapshot) v8.writeHeapSnapshot(snaps[0]);
const pending = socks.map((s, i) => P.recv(s, views[i]!));
await new Promise((r) => setTimeout(r, 50));
const waiting = measure();
console.log(`accepted, per connection: ${JSON.stringify(perConn(start, accepted))}`);
console.log(`pending recv, per connection: ${JSON.stringify(perConn(accepted, waiting))}`);
if (snapshot) {
  v8.writeHeapSnapshot(snaps[1]);
  const [a, b] = [bySort(snaps[0]!), bySort(snaps[1]!)];
  for (const f of snaps) rmSync(f!);
  const rows = [...b]
    .map(([k, [c, sz]]) => [k, (c - (a.get(k)?.[0] ?? 0)) / n, (sz - (a.get(k)?.[1] ?? 0)) / n] as const)
    .filter(([, , sz]) => sz >= 2)
    .sort((x, y) => y[2] - x[2]);
  for (const [k, c, sz] of rows) console.log(`  ${k.padEnd(44)} ${c.toFixed(2).padStart(6)} x ${sz.toFixed(0).padStart(5)} B`);
  console.log(`  total ${rows.reduce((t, r) => t + r[2], 0).toFixed(0)} B per pending recv`);
}
client.proc.stdin.end('go\n');
await Promise.all(pending);
for (const s of socks) W.closesocket(s);
W.closesocket(l);
W.WSACleanup();
await client.exited;
