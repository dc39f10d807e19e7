// Child-process entry for isolated runs: `node --import tsx scenario-main.ts <scenario> [json-options]`
// or `... scenario-main.ts churn [cycles]`. Prints one WSC-RESULT line (see
// netns.ts reportResult) with the scenario's result, plus a note of the
// namespace it ran in, so the parent can check where it ran.
import { readFileSync } from 'node:fs';
import { reportResult } from './netns.js';
import { churn, runScenario, SCENARIOS, type ScenarioName } from './scenarios.js';

const [what = '', arg] = process.argv.slice(2);
// Evidence of isolation: this namespace's own TCP table and interface list.
const where = {
  netns: process.env.WSC_NAMESPACE ?? null,
  interfaces: readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]!.trim())
    .filter(Boolean),
};

try {
  if (what === 'churn') {
    reportResult({ where, churn: await churn(arg ? Number(arg) : 10_000) });
  } else if (what in SCENARIOS) {
    reportResult({ where, scenario: await runScenario(what as ScenarioName, arg ? JSON.parse(arg) : {}) });
  } else {
    throw new Error(`unknown scenario ${JSON.stringify(what)}; known: churn, ${Object.keys(SCENARIOS).join(', ')}`);
  }
} catch (e) {
  reportResult({ where, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exitCode = 1;
}
