// A/B of two builds in one run, alternating them so both see the same load:
//   node --import tsx bench/ab.ts DIST_A DIST_B ROUNDS WORKLOAD CONTENDER [numbers...]
// e.g. a dist/ copied from the base commit against this checkout's dist/:
//   node --import tsx bench/ab.ts /tmp/base-dist dist 7 churn flat 3000
// Each run is a fresh process in a network namespace of its own (as bench/main.ts
// runs them); prints every figure, then the median and range of each build.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const [a, b, rounds, workload, contender, ...n] = process.argv.slice(2);
if (!a || !b || !rounds || !workload || !contender) {
  console.error('usage: bench/ab.ts DIST_A DIST_B ROUNDS WORKLOAD CONTENDER [numbers...]');
  process.exit(2);
}
const worker = new URL('./worker.ts', import.meta.url).pathname;
const unshare = process.getuid?.() === 0 ? ['--net'] : ['-rn'];
// The namespace sysctls bench/main.ts sets (a wide port range and TIME_WAIT reuse: without them connect's port search dominates churn).
const NS_SETUP =
  "ip link set lo up && { sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 net.ipv4.ip_local_port_range='1024 65000' net.ipv4.tcp_tw_reuse=1 || echo 'ab: namespace sysctls refused' >&2; } && exec \"$@\"";
const figures: Record<string, Record<string, number[]>> = { A: {}, B: {} };
for (let r = 0; r < Number(rounds); r++) {
  for (const [name, dist] of (r % 2
    ? [
        ['B', b],
        ['A', a],
      ]
    : [
        ['A', a],
        ['B', b],
      ]) as [string, string][]) {
    const out = spawnSync(
      'unshare',
      [...unshare, '--', 'sh', '-c', NS_SETUP, 'sh', process.execPath, '--expose-gc', '--import', 'tsx', worker, workload, contender, ...n],
      {
        env: { ...process.env, WSC_BENCH_DIST: resolve(dist) },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (out.status !== 0) throw new Error(`${name}: exit ${out.status}`);
    const fig = JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, number>;
    console.log(name, JSON.stringify(fig));
    for (const [k, v] of Object.entries(fig)) if (typeof v === 'number') (figures[name]![k] ??= []).push(v);
  }
}
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
for (const name of ['A', 'B']) {
  for (const [k, v] of Object.entries(figures[name]!)) {
    console.log(
      `${name} ${k}: median ${median(v).toPrecision(4)} (${Math.min(...v).toPrecision(4)}–${Math.max(...v).toPrecision(4)}, n=${v.length})`,
    );
  }
}
