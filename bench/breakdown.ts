// The call-cost gap taken apart layer by layer, in one process: the same
// operation through (1) the bare koffi function, (2) the POSIX backend's
// function called with its record (the backend's own work: shutdown-state
// checks, flag translation, errno mapping), (3) the public API (argument
// validation, handle lookup). Each layer's cost is the difference to the one
// below it; the C figure (bench/callcost.c) is the floor. Also the bytes each
// public call allocates (heap growth over a short loop with no GC in it).
//   WSC_BENCH_BIN=<compiled bench/*.c> node --expose-gc --import tsx bench/breakdown.ts [n] [calls]
// (run inside a network namespace: bench/run.sh's, or `ip netns exec`.)
import { execFileSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { C, L } from '../native-bindings/libc.js';
import * as posix from '../src/backends/posix.js';
import { reserve } from '../src/shared-table.js';
import * as K from '../src/constants.js';
import * as W from '../src/index.js';
import { cBinary, gc, now, nsSince, startHelper } from './lib.js';

const n = Number(process.argv[2] ?? 1_000_000);
/** `calls` as the second argument: the call-cost part only; `poll`: the WSAPoll part only. */
const part = process.argv[3];
const callsOnly = part === 'calls';

function time(call: () => unknown): number {
  for (let i = 0; i < 20_000; i++) call();
  const t0 = now();
  for (let i = 0; i < n; i++) call();
  return nsSince(t0) / n;
}

/** Bytes allocated per call, or NaN when a GC ran inside the loop. */
async function allocated(call: () => unknown): Promise<number> {
  const m = 10_000;
  let gcs = 0;
  const obs = new PerformanceObserver((l) => (gcs += l.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  gc();
  await new Promise((r) => setTimeout(r, 10));
  gcs = 0;
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < m; i++) call();
  const h1 = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  return gcs ? NaN : (h1 - h0) / m;
}

W.WSAStartup(W.MAKEWORD(2, 2));
const sink = startHelper(cBinary('sink'), []);
const port = Number(await sink.line());
const addr = { family: K.AF_INET, address: '127.0.0.1', port };
// A public handle for layer 3, and a backend record of its own for layers 1-2
// (the sink takes one connection, so both go through a second sink).
const sink2 = startHelper(cBinary('sink'), []);
const port2 = Number(await sink2.line());
const s = W.socket(K.AF_INET, K.SOCK_STREAM, 0);
if (W.connect(s, addr) !== 0) throw new Error('connect');
const rec = posix.socket(reserve()!, K.AF_INET, K.SOCK_STREAM, K.IPPROTO_TCP)!;
if (posix.connect(rec, { ...addr, port: port2 }) !== 0) throw new Error('connect 2');
const fd = rec.fd;

const int1 = new Int32Array(1);
const len1 = new Uint32Array(1);
const argp = [0];
const out = [0];
const one = Buffer.from('x');
const cFloor = JSON.parse(execFileSync(cBinary('callcost'), [String(n)], { encoding: 'utf8' })) as Record<string, number>;

const ops = {
  fionread: {
    koffi: () => C.ioctl(fd, L.FIONREAD, int1),
    backend: () => posix.ioctlsocket(rec, K.FIONREAD, argp),
    api: () => W.ioctlsocket(s, K.FIONREAD, argp),
  },
  so_error: {
    koffi: () => ((len1[0] = 4), C.getsockopt(fd, L.SOL_SOCKET, L.SO_ERROR, int1, len1)),
    backend: () => posix.getsockopt(rec, K.SOL_SOCKET, K.SO_ERROR, 'int', out),
    api: () => W.getsockopt(s, K.SOL_SOCKET, K.SO_ERROR, out),
  },
  send1: {
    koffi: () => C.send(fd, one, 1, L.MSG_NOSIGNAL),
    backend: () => posix.send(rec, one, 1, 0),
    api: () => W.send(s, one, 1, 0),
  },
};

const rows: Record<string, Record<string, number>> = {};
for (const [op, layers] of part === 'poll' ? [] : Object.entries(ops)) {
  const k = time(layers.koffi);
  const b = time(layers.backend);
  const a = time(layers.api);
  rows[op] = {
    C: cFloor[op]!,
    koffi: +k.toFixed(1),
    backend: +b.toFixed(1),
    api: +a.toFixed(1),
    'koffi-C': +(k - cFloor[op]!).toFixed(1),
    'backend-koffi': +(b - k).toFixed(1),
    'api-backend': +(a - b).toFixed(1),
    'api/C': +(a / cFloor[op]!).toFixed(2),
    bytesPerApiCall: +(await allocated(layers.api)).toFixed(1),
    bytesPerBackendCall: +(await allocated(layers.backend)).toFixed(1),
  };
}
if (part !== 'poll') {
  console.table(rows);
  console.log(JSON.stringify(rows));
}

// --- WSAPoll per entry, layer by layer ----------------------------------------
// 1, 100 and 1,000 entries (connected sockets, every one writable) through
// the public API, through the backend's poll with prebuilt entries, and
// through the bare poll(2) on a pollfd array built once.
if (part === 'poll') {
  const lst = W.socket(K.AF_INET, K.SOCK_STREAM, 0);
  W.bind(lst, { family: K.AF_INET, address: '127.0.0.1', port: 0 });
  W.listen(lst, K.SOMAXCONN);
  const la = {} as W.SockAddr;
  W.getsockname(lst, la);
  const cli: number[] = [];
  const srv: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const c = W.socket(K.AF_INET, K.SOCK_STREAM, 0);
    W.connect(c, la);
    cli.push(c);
    srv.push(W.accept(lst));
  }
  const table: Record<string, Record<string, number>> = {};
  for (const e of [1, 100, 1000]) {
    const fds = cli.slice(0, e).map((fd) => ({ fd, events: K.POLLRDNORM | K.POLLWRNORM, revents: 0 }));
    const recs = cli.slice(0, e).map(() => posix.socket(reserve()!, K.AF_INET, K.SOCK_STREAM, K.IPPROTO_TCP)!);
    // Backend records of the same descriptors (only their fd and type are read by poll).
    recs.forEach((r, i) => {
      C.close(r.fd);
      r.fd = W.nativeFd(cli[i]!)!;
      r.connected = r.connectStarted = true;
    });
    const entries = recs.map((sock) => ({ sock, ignored: false, events: K.POLLRDNORM | K.POLLWRNORM }));
    const revents = new Array<number>(e).fill(0);
    const pfd = Buffer.alloc(8 * e);
    recs.forEach((r, i) => {
      pfd.writeInt32LE(r.fd, i * 8);
      pfd.writeInt16LE(L.POLLIN | L.POLLOUT | L.POLLRDHUP, i * 8 + 4);
    });
    const calls = Math.max(200, Math.floor(n / e));
    const per = (f: () => unknown) => {
      for (let i = 0; i < calls / 10; i++) f();
      const t0 = now();
      for (let i = 0; i < calls; i++) f();
      return nsSince(t0) / calls / e;
    };
    const koffi = per(() => C.poll(pfd, e, 0));
    const backend = per(() => posix.poll(entries, revents, 0));
    const api = per(() => W.WSAPoll(fds, 0));
    table[`${e} entries`] = {
      koffi: +koffi.toFixed(1),
      backend: +backend.toFixed(1),
      api: +api.toFixed(1),
      bytesPerApiCall: +(await allocated(() => W.WSAPoll(fds, 0))).toFixed(0),
      bytesPerBackendCall: +(await allocated(() => posix.poll(entries, revents, 0))).toFixed(0),
    };
    for (const r of recs) r.fd = -1; // the descriptors belong to the public handles
  }
  console.log('WSAPoll, ns per entry:');
  console.table(table);
  console.log(JSON.stringify(table));
  for (const h of [...cli, ...srv, lst]) W.closesocket(h);
}

// --- the churn cycle, call by call ---------------------------------------------
// The same cycle as bench/cycle.ts through the public API and through the bare
// koffi functions, each call's time summed over the cycles (the timer's own
// cost, measured on an empty span, is taken off). The difference per call is
// this library's work; the bare column against C's total is koffi's.
if (!part) {
  const cycles = Math.min(n, 20_000);
  const steps = ['socket', 'connect', 'accept', 'send', 'shutdown', 'recv server', 'close server', 'recv client', 'close client'] as const;
  const empty = (() => {
    const t0 = now();
    for (let i = 0; i < 100_000; i++) now();
    return nsSince(t0) / 100_000;
  })();
  const payload = Buffer.alloc(64, 0x2a);
  const buf = Buffer.alloc(256);
  const lst = W.socket(K.AF_INET, K.SOCK_STREAM, 0);
  W.bind(lst, { family: K.AF_INET, address: '127.0.0.1', port: 0 });
  W.listen(lst, K.SOMAXCONN);
  const la = {} as W.SockAddr;
  W.getsockname(lst, la);
  const lfd = W.nativeFd(lst)!;
  const sa = Buffer.from(posix.sockaddrBytes(la));
  // The two kinds alternate cycle by cycle: connect slows as TIME_WAIT entries
  // pile up, and both must see the same pile.
  const totals = { api: Object.fromEntries(steps.map((k) => [k, 0])), bare: Object.fromEntries(steps.map((k) => [k, 0])) };
  const run = (api: boolean, t: Record<string, number>) => {
    let m = now();
    const lap = (k: (typeof steps)[number]) => {
      const x = now();
      t[k]! += Number(x - m) - empty;
      m = now();
    };
    {
      m = now();
      if (api) {
        const c = W.socket(K.AF_INET, K.SOCK_STREAM, 0);
        lap('socket');
        W.connect(c, la);
        lap('connect');
        const sv = W.accept(lst);
        lap('accept');
        W.send(c, payload);
        lap('send');
        W.shutdown(c, K.SD_SEND);
        lap('shutdown');
        while (W.recv(sv, buf) > 0);
        lap('recv server');
        W.closesocket(sv);
        lap('close server');
        W.recv(c, buf);
        lap('recv client');
        W.closesocket(c);
        lap('close client');
      } else {
        const c = C.socket(L.AF_INET, L.SOCK_STREAM | L.SOCK_CLOEXEC, 0);
        lap('socket');
        C.connect(c, sa, sa.length);
        lap('connect');
        len1[0] = 128;
        const sv = C.accept4(lfd, sa2, len1, L.SOCK_CLOEXEC);
        lap('accept');
        C.send(c, payload, 64, L.MSG_NOSIGNAL);
        lap('send');
        C.shutdown(c, L.SHUT_WR);
        lap('shutdown');
        while (Number(C.recv(sv, buf, 256, 0)) > 0);
        lap('recv server');
        C.close(sv);
        lap('close server');
        C.recv(c, buf, 256, 0);
        lap('recv client');
        C.close(c);
        lap('close client');
      }
    }
  };
  const sa2 = Buffer.alloc(128);
  const scratch = Object.fromEntries(steps.map((k) => [k, 0]));
  for (let i = 0; i < 2000; i++) run(i % 2 === 0, scratch); // warm-up
  for (let i = 0; i < cycles; i++) {
    run(true, totals.api);
    run(false, totals.bare);
  }
  const per = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / cycles]));
  const api = per(totals.api);
  const bare = per(totals.bare);
  const table: Record<string, Record<string, number>> = {};
  for (const k of steps)
    table[k] = { koffi: +bare[k]!.toFixed(0), api: +api[k]!.toFixed(0), 'api-koffi': +(api[k]! - bare[k]!).toFixed(0) };
  const sum = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0);
  table.total = { koffi: +sum(bare).toFixed(0), api: +sum(api).toFixed(0), 'api-koffi': +(sum(api) - sum(bare)).toFixed(0) };
  console.log(`churn cycle, ns per call (${cycles} cycles; timer cost ${empty.toFixed(0)} ns taken off each):`);
  console.table(table);
  console.log(JSON.stringify(table));
  W.closesocket(lst);
}
W.shutdown(s, K.SD_SEND);
posix.shutdown(rec, K.SD_SEND);
await Promise.all([sink.exited, sink2.exited]);
W.closesocket(s);
posix.closesocket(rec);
W.WSACleanup();
