// Connection churn, side by side in one run: N cycles of connect / send 64 B /
// half-close / drain / close, through winsock-compat (blocking calls) and
// through Node's own `net` module (the event loop), and through plain C
// (bench/churn.c, when a compiled binary is given as CHURN_C). Prints cycles
// per second for each and the ratios. Run it in a network namespace of its own (npm run
// bench does): every cycle leaves a TIME_WAIT entry for a minute.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import * as W from '../src/index.js';
import { churnCycle, loopbackListener } from './cycle.js';

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const payload = Buffer.alloc(64, 0x2a);

function winsockCycles(n: number): number {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const { l, addr } = loopbackListener();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) churnCycle(l, addr);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  W.closesocket(l);
  W.WSACleanup();
  return n / secs;
}

async function netCycles(n: number): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('data', () => {});
    sock.on('end', () => sock.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => c.end(payload));
      c.on('data', () => {});
      c.on('end', () => c.destroy());
      c.on('close', () => resolve());
      c.on('error', reject);
    });
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await new Promise((r) => server.close(r));
  return n / secs;
}

const cBinary = process.env.CHURN_C;
const cCycles = (n: number) => (cBinary ? Number(execFileSync(cBinary, [String(n)], { encoding: 'utf8' }).trim()) : NaN);

type Row = { winsock: number; net: number; c: number };
const rows: Row[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order so no contender always runs on a warmer machine.
  const row = {} as Row;
  const order: (keyof Row)[] = (['winsock', 'net', 'c'] as const).map((_, i, a) => a[(i + r) % 3]!);
  for (const k of order) row[k] = k === 'winsock' ? winsockCycles(N) : k === 'net' ? await netCycles(N) : cCycles(N);
  rows.push(row);
}
const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(0));
rows.forEach((r, i) => console.log(`round ${i + 1}: winsock-compat ${fmt(r.winsock)}/s, node:net ${fmt(r.net)}/s, C ${fmt(r.c)}/s`));
const [mw, mn, mc] = (['winsock', 'net', 'c'] as const).map((k) => median(rows.map((r) => r[k])));
console.log(
  `median of ${ROUNDS} rounds x ${N} cycles: winsock-compat ${fmt(mw!)}/s, node:net ${fmt(mn!)}/s, C ${fmt(mc!)}/s; ` +
    `winsock-compat / node:net = ${(mw! / mn!).toFixed(2)}, winsock-compat / C = ${(mw! / mc!).toFixed(2)}`,
);
