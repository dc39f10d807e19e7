// Random sequences of flat and promise calls (bad arguments, closed and
// never-issued handles, calls out of order, aborted signals) on real loopback
// connections agree with the reference model of Winsock's per-socket state
// machine, and leave no descriptor, handle, watcher, timer or pending promise
// behind. Seeded: a failure prints the seed and the shrunk sequence;
// `npm run fuzz -- --runs N --seed S` runs longer.
import { expect, it } from 'vitest';
import { runFuzz } from './fuzz/flat-calls.js';
import { promiseCommandArbs } from './fuzz/promise-calls.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261201);
const runs = Number(process.env.FUZZ_RUNS ?? 150);

it(`flat and promise call sequences match the model (${runs} runs, seed ${seed})`, async () => {
  console.log(`fuzz: ${runs} runs, seed ${seed} (replay: npm run fuzz -- --runs ${runs} --seed ${seed})`);
  const report = await runFuzz({ runs, seed, extraCommands: promiseCommandArbs() });
  console.log(`fuzz: ${report.runs} sequences, ${report.commands} calls in ${report.ms} ms`);
  expect(report.commands).toBeGreaterThan(runs);
}, 60_000);
