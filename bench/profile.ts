// Where does one cheap call's time go? Runs one call-cost operation n times
// on a connected socket (the far end is bench/sink.c) and prints ns/call and
// bytes allocated per call (heap growth across the loop, with a new space
// large enough that no GC runs inside it; a GC seen there voids the figure).
// Run inside a namespace, with a CPU profile:
//   WSC_BENCH_BIN=<dir of compiled bench/*.c> node --max-semi-space-size=512 \
//     --cpu-prof --cpu-prof-dir=DIR --import tsx bench/profile.ts fionread 2000000
//   node --import tsx bench/profile.ts --summary DIR/*.cpuprofile
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { W } from './wsc.js';
import { check } from './cycle.js';
import { cBinary, gc, now, nsSince, startHelper } from './lib.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function, as a share of all samples. */
function summary(file: string): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of p.samples) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|bench|native-bindings|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = p.samples.length;
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${k}`);
}

async function measure(op: string, n: number): Promise<void> {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const sink = startHelper(cBinary('sink'), []);
  const port = Number(await sink.line());
  const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.connect(c, { family: W.AF_INET, address: '127.0.0.1', port }), 'connect');
  const argp = [0];
  const out = [0];
  const one = Buffer.from('x');
  const calls: Record<string, () => number> = {
    fionread: () => W.ioctlsocket(c, W.FIONREAD, argp),
    so_error: () => W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, out),
    send1: () => W.send(c, one, 1, 0),
  };
  const call = calls[op];
  if (!call) throw new Error(`unknown op ${op}`);
  for (let i = 0; i < 20_000; i++) call(); // warm up (JIT)
  let gcs = 0;
  const obs = new PerformanceObserver((l) => (gcs += l.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  // Allocation: a short loop that fits in the new space.
  const m = Math.min(n, 100_000);
  gc();
  await new Promise((r) => setImmediate(r));
  gcs = 0;
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < m; i++) if (call() < 0) throw new Error(`${op}: ${W.WSAGetLastError()}`);
  const h1 = process.memoryUsage().heapUsed;
  await new Promise((r) => setImmediate(r)); // let the observer report
  const allocGcs = gcs;
  const t0 = now();
  for (let i = 0; i < n; i++) if (call() < 0) throw new Error(`${op}: ${W.WSAGetLastError()}`);
  const ns = nsSince(t0) / n;
  obs.disconnect();
  console.log(JSON.stringify({ op, n, nsPerCall: +ns.toFixed(1), bytesPerCall: allocGcs ? 'void (GC ran)' : +((h1 - h0) / m).toFixed(1) }));
  W.shutdown(c, W.SD_SEND);
  await sink.exited;
  W.closesocket(c);
  W.WSACleanup();
}

const [a, b] = process.argv.slice(2);
if (a === '--summary') summary(b!);
else await measure(a!, Number(b ?? 1_000_000));
