// The long fuzz run: `npm run fuzz -- --runs N --seed S [--max-commands M]`.
// Same sequences and checks as test/reliability/flat-and-promise-call-sequences-match-model.test.ts,
// run inside a private network namespace (a long loop of loopback connections
// stays out of the machine's own namespace); `--here` runs in this one.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    'max-commands': { type: 'string', default: '40' },
    here: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const maxCommands = Number(values['max-commands']);

if (!values.here && !process.env.WSC_NAMESPACE) {
  const { isolationSupport, runInNamespace } = await import('../src/harness/index.js');
  if (isolationSupport().mode === 'none')
    throw new Error(`no private namespace (${isolationSupport().reason}); pass --here to run in this one`);
  const run = await runInNamespace(fileURLToPath(import.meta.url), {
    args: ['--runs', String(runs), '--seed', String(seed), '--max-commands', String(maxCommands)],
    timeoutMs: 60_000 + runs * 200,
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exitCode = run.code ?? 1;
} else {
  const { runFuzz } = await import('../test/reliability/fuzz/flat-calls.js');
  const { promiseCommandArbs } = await import('../test/reliability/fuzz/promise-calls.js');
  console.log(
    `fuzz: ${runs} runs, seed ${seed}, up to ${maxCommands} calls each${process.env.WSC_NAMESPACE ? ` (namespace ${process.env.WSC_NAMESPACE})` : ''}`,
  );
  try {
    const r = await runFuzz({ runs, seed, maxCommands, extraCommands: promiseCommandArbs() });
    console.log(`fuzz: ok: ${r.runs} sequences, ${r.commands} calls in ${r.ms} ms (seed ${seed})`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    console.error(`fuzz: FAILED (seed ${seed}); replay with: npm run fuzz -- --runs ${runs} --seed ${seed}`);
    process.exitCode = 1;
  }
}
