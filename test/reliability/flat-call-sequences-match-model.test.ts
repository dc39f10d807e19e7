// Random sequences of flat calls (bad arguments, closed and never-issued
// handles, calls out of order) on real loopback connections agree with the
// reference model of Winsock's per-socket state machine, and leave no
// descriptor, handle, watcher or timer behind. Seeded: a failure prints the
// seed and the shrunk sequence; `npm run fuzz -- --runs N --seed S` runs longer.
import { expect, it } from 'vitest';
import { runFuzz } from './fuzz/flat-calls.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261201);
const runs = Number(process.env.FUZZ_RUNS ?? 150);

it(`flat call sequences match the model (${runs} runs, seed ${seed})`, async () => {
  console.log(`fuzz: ${runs} runs, seed ${seed} (replay: npm run fuzz -- --runs ${runs} --seed ${seed})`);
  const report = await runFuzz({ runs, seed });
  console.log(`fuzz: ${report.runs} sequences, ${report.commands} calls in ${report.ms} ms`);
  expect(report.commands).toBeGreaterThan(runs);
}, 60_000);
