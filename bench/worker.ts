// One contender of one workload, in a process of its own:
//   node --import tsx bench/worker.ts WORKLOAD CONTENDER [numbers...]
// prints one JSON line with its figures (bench/main.ts runs these; the C
// contenders are the compiled bench/*.c programs).
import * as bulk from './bulk.js';
import * as callcost from './callcost.js';
import * as churn from './churn.js';
import * as growth from './growth.js';
import { loadPromises, type PromiseApi } from './promises-hook.js';
import * as scale from './scale.js';
import * as teardown from './teardown.js';

const [workload, contender, ...rest] = process.argv.slice(2);
const a = rest.map(Number);

async function needPromises(): Promise<PromiseApi> {
  const P = await loadPromises();
  if (!P) throw new Error('the promise API (src/promises.ts) does not exist yet');
  return P;
}

const table: Record<string, () => unknown> = {
  'callcost flat': () => callcost.flat(a[0]!),
  'churn flat': () => churn.flat(a[0]!),
  'churn net': () => churn.netModule(a[0]!),
  'churn promises': async () => churn.promises(await needPromises(), a[0]!),
  'bulk flat': () => bulk.flat(a[0]!),
  'bulk flat-receiver': () => bulk.flatReceiver(),
  'bulk net': () => bulk.netModule(a[0]!),
  'bulk net-receiver': () => bulk.netReceiver(),
  'bulk promises': async () => bulk.promises(await needPromises(), a[0]!),
  'bulk promises-receiver': async () => bulk.promisesReceiver(await needPromises()),
  'scale net': () => scale.netModule(a[0]!),
  'scale promises': async () => scale.promises(await needPromises(), a[0]!),
  'growth flat': () => growth.flat(a[0]!, a[1]!, a[2]!),
  'teardown flat': () => teardown.flat(a[0]!),
};

const run = table[`${workload} ${contender}`];
if (!run) {
  console.error(`bench/worker.ts: unknown workload/contender "${workload} ${contender}"`);
  process.exit(2);
}
try {
  await run();
} catch (e) {
  console.error(e);
  process.exit(1);
}
