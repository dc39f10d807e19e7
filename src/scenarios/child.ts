// Child-process entry for runs inside a private namespace (lab.ts starts it
// through netns.ts): `child.ts <scenario> [json-options]` or `child.ts churn
// [cycles]`. Prints one WSC-RESULT line with the result, plus where it ran
// (this namespace's interfaces), so the parent can check it was isolated.
import { readFileSync } from 'node:fs';
import { reportResult } from '../harness/netns.js';
import { churn } from './churn.js';
import { scenario, scenarios } from './index.js';
import { runHere } from './lab.js';

const [what = '', arg] = process.argv.slice(2);
const where = {
  netns: process.env.WSC_NAMESPACE ?? null,
  interfaces: readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]!.trim())
    .filter(Boolean),
};

async function main(): Promise<void> {
  try {
    const sc = scenario(what);
    if (what === 'churn') reportResult({ where, churn: await churn(arg ? Number(arg) : 10_000) });
    else if (sc) reportResult({ where, result: await runHere(sc, arg ? JSON.parse(arg) : {}) });
    else throw new Error(`unknown scenario ${JSON.stringify(what)}; known: churn, ${scenarios.map((s) => s.name).join(', ')}`);
  } catch (e) {
    reportResult({ where, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exitCode = 1;
  }
}

void main();
