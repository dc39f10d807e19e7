// The long fuzz run: `npm run fuzz -- --runs N --seed S [--max-commands M]`.
// Same sequences and checks as test/reliability/flat-call-sequences-match-model.test.ts.
import { parseArgs } from 'node:util';

import { runFuzz } from '../test/reliability/fuzz/flat-calls.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' }, 'max-commands': { type: 'string', default: '40' } },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
console.log(`fuzz: ${runs} runs, seed ${seed}, up to ${values['max-commands']} calls each`);
try {
  const r = await runFuzz({ runs, seed, maxCommands: Number(values['max-commands']) });
  console.log(`fuzz: ok: ${r.runs} sequences, ${r.commands} calls in ${r.ms} ms (seed ${seed})`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  console.error(`fuzz: FAILED (seed ${seed}); replay with: npm run fuzz -- --runs ${runs} --seed ${seed}`);
  process.exitCode = 1;
}
