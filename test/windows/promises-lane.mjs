// @ts-check
// Runs the promise-API cases (promises-cases.mjs) against the BUILT library
// (dist/index.js + dist/promises.js) and writes one JSON result per case plus
// summary.json. Plain Node: the same file runs in Linux Node (posix backend) and in
// Windows Node under Wine (`scripts/wine-lane.sh promises`), where vitest does not load.
//
//   node test/windows/promises-lane.mjs --lane linux|wine --out DIR [--only id,id] [--dist FILE]
//
// --dist names another build's index.js; its promises.js beside it is used.
// Exit status: 0 when every check passed (under Wine: or matched its recorded Wine
// deviation), 1 otherwise. A case that throws fails with its message kept.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cases, judge } from './promises-cases.mjs';

/** @param {string} name */
function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const lane = /** @type {'linux' | 'wine'} */ (arg('lane') ?? (process.platform === 'win32' ? 'wine' : 'linux'));
const out = arg('out');
const only = arg('only')?.split(',');
if (!out) {
  console.error('usage: promises-lane.mjs --lane linux|wine --out DIR [--only id,id] [--dist FILE]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const index = arg('dist') ?? fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const w = await import(pathToFileURL(index).href);
const P = await import(pathToFileURL(join(dirname(index), 'promises.js')).href);
// Any rejection no case awaited is a bug the run must show, not swallow.
/** @type {string[]} */
const stray = [];
process.on('unhandledRejection', (e) => void stray.push(String(e instanceof Error ? e.stack : e)));

const started = Date.now();
if (w.WSAStartup(0x0202, {}) !== 0) throw new Error(`WSAStartup failed: ${w.WSAGetLastError()}`);
/** @type {any[]} */
const results = [];
for (const c of cases) {
  if (only && !only.includes(c.id)) continue;
  /** @type {Record<string, Record<string, unknown>>} */
  const observed = {};
  /** @type {{ address: string, clientPort: number, serverPort: number } | null} */
  let conn = null;
  let error = null;
  const t0 = Date.now();
  try {
    await c.run(w, P, {
      observe: (name, o) => void (observed[name] = o),
      conn: (p) => void (conn = { address: p.address, clientPort: p.clientPort, serverPort: p.serverPort }),
    });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const checks = Object.entries(c.checks).map(([name, check]) => {
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
    error || checks.some((k) => k.status === 'fail')
      ? 'fail'
      : checks.some((k) => k.status === 'wine-deviation')
        ? 'wine-deviation'
        : 'pass';
  const note =
    error ??
    checks
      .filter((k) => k.status !== 'pass')
      .map((k) => `${k.name}: ${k.status} ${JSON.stringify(k.observed)}`)
      .join('; ');
  const result = {
    id: c.id,
    title: c.title,
    lane,
    backend: w.backendName,
    platform: process.platform,
    status,
    error,
    note,
    conn,
    checks,
    ms: Date.now() - t0,
  };
  results.push(result);
  writeFileSync(join(out, `${c.id}.json`), JSON.stringify(result, null, 2) + '\n');
}
// Balance every start-up still counted (the last case ends its own; a failed one may not have).
while (w.WSACleanup() === 0);

const counts = { pass: 0, 'wine-deviation': 0, fail: 0 };
for (const r of results) counts[/** @type {keyof typeof counts} */ (r.status)]++;
if (stray.length) counts.fail++;
const summary = {
  lane,
  backend: w.backendName,
  platform: process.platform,
  node: process.version,
  ms: Date.now() - started,
  counts,
  stray,
  results,
};
writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
for (const r of results) console.log(`${r.status.padEnd(14)} ${r.id}${r.note ? `  (${r.note})` : ''}  ${r.ms} ms`);
for (const s of stray) console.log(`unhandled rejection: ${s}`);
console.log(`${lane}: ${counts.pass} passed, ${counts.fail} failed, ${counts['wine-deviation']} wine-deviation (${summary.ms} ms)`);
process.exitCode = counts.fail ? 1 : 0;
