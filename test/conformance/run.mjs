// @ts-check
// Runs the registry's contract scenarios (src/scenarios/contract.js, the list
// src/scenarios/index.ts exports as `contract`) against the BUILT library (dist/index.js) and writes one
// JSON result per scenario plus summary.json. Plain Node, no test framework: the same
// file runs in Linux Node (posix backend) and in Windows Node under Wine (win32 backend,
// ws2_32.dll), where vitest does not load.
//
//   node test/conformance/run.mjs --lane linux|wine --out DIR [--only id,id] [--dist FILE]
//        [--suite scenarios|contracts] [--api library|raw]
//
// --dist points at another build of the library than ../../dist/index.js (e.g. a
// candidate build being compared); the default is what `npm run build` produces.
// --suite contracts runs test/contract/ (sock.c's Windows-checked expectations)
// instead of the teardown scenarios. --api raw runs them through ws2_32.dll called
// directly (raw-ws2_32.mjs, Windows only) instead of the library: the baseline.
//
// Exit status: 0 when every check passed (or, under Wine, matched its recorded Wine
// deviation), 1 otherwise. A scenario that throws is a failure with the message kept.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contracts } from '../contract/index.mjs';
import { judge, scenarios } from './scenarios.mjs';

/** @param {string} name */
function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const lane = /** @type {'linux' | 'wine'} */ (arg('lane') ?? (process.platform === 'win32' ? 'wine' : 'linux'));
const out = arg('out');
const only = arg('only')?.split(',');
if (!out) {
  console.error('usage: run.mjs --lane linux|wine --out DIR [--only id,id]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const dist = arg('dist');
const suite = arg('suite') === 'contracts' ? /** @type {any[]} */ (contracts) : scenarios;
const w =
  arg('api') === 'raw'
    ? await import('./raw-ws2_32.mjs')
    : await import(dist ? pathToFileURL(dist).href : new URL('../../dist/index.js', import.meta.url).href);
// The contracts start Winsock themselves (the scenarios' first one is WSAStartup).
if (suite === contracts && w.WSAStartup(0x0202, {}) !== 0) throw new Error('WSAStartup failed');
const started = Date.now();
/** @type {any[]} */
const results = [];

for (const sc of suite) {
  // Scenarios before 'WSAStartup' need the library not started; a filtered run
  // still executes them in order, just without recording the skipped ones.
  if (only && !only.includes(sc.id) && sc.id !== 'WSAStartup') continue;
  /** @type {Record<string, any>} */
  const observed = {};
  /** @type {{ address: string, clientPort: number, serverPort: number } | null} */
  let conn = null;
  let error = null;
  const t0 = Date.now();
  try {
    await sc.run(w, {
      observe: (name, o) => void (observed[name] = o),
      conn: (p) => void (conn = { address: p.address, clientPort: p.clientPort, serverPort: p.serverPort }),
    });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const checks = Object.entries(sc.checks).map(([name, check]) => {
    const got = observed[name];
    return {
      name,
      call: check.call,
      expect: check.expect,
      ...(check.wine ? { wine: check.wine } : {}),
      observed: got ?? null,
      status: got === undefined ? 'fail' : judge(check, got, lane),
    };
  });
  const status =
    error || checks.some((c) => c.status === 'fail')
      ? 'fail'
      : checks.some((c) => c.status === 'wine-deviation')
        ? 'wine-deviation'
        : 'pass';
  const result = {
    id: sc.id,
    title: sc.title,
    lane,
    backend: w.backendName,
    platform: process.platform,
    node: process.version,
    status,
    error,
    note:
      error ??
      checks
        .filter((c) => c.status !== 'pass')
        .map((c) => `${c.name}: ${c.status} ${JSON.stringify(c.observed)}`)
        .join('; '),
    conn,
    checks,
    ms: Date.now() - t0,
  };
  results.push(result);
  writeFileSync(join(out, `${sc.id}.json`), JSON.stringify(result, null, 2) + '\n');
}

const counts = { pass: 0, 'wine-deviation': 0, fail: 0 };
for (const r of results) counts[/** @type {keyof typeof counts} */ (r.status)]++;
const summary = {
  lane,
  backend: w.backendName,
  platform: process.platform,
  node: process.version,
  ms: Date.now() - started,
  counts,
  results,
};
writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
for (const r of results) console.log(`${r.status.padEnd(14)} ${r.id}${r.note ? `  (${r.note})` : ''}`);
console.log(`${lane}: ${counts.pass} passed, ${counts.fail} failed, ${counts['wine-deviation']} wine-deviation`);
process.exitCode = counts.fail ? 1 : 0;
