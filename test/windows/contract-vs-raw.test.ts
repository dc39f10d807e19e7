// The contracts (sock.c's Windows-checked expectations, test/contract/) under
// Wine, run twice on the same Wine ws2_32: through the library (win32.ts) and
// through ws2_32.dll called directly (test/conformance/raw-ws2_32.mjs). The
// library must never score below raw ws2_32: no expectation that raw ws2_32
// meets may fail through the library. Every expectation the library misses
// must be a recorded Wine deviation (the check's `wine`, with its reason and
// the sock.c line). Writes the comparison to .cache/conformance/contracts-vs-raw.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, wineSkip } from './lane.js';
import { contracts } from '../contract/index.mjs';

const OUT = join(ROOT, '.cache/conformance');

interface CheckResult {
  name: string;
  status: 'pass' | 'wine-deviation' | 'fail';
  observed: Record<string, unknown> | null;
}
interface Result {
  id: string;
  backend: string;
  error: string | null;
  checks: CheckResult[];
}

function lane(api: 'library' | 'raw'): Promise<Map<string, Result>> {
  const dir = join(OUT, `contracts-${api}`);
  rmSync(dir, { recursive: true, force: true });
  return new Promise((done, fail) => {
    const env = {
      ...process.env,
      WINE_LANE_OUT: dir,
      WINE_LANE_SUITE: 'contracts',
      WINE_LANE_API: api,
      WINE_LANE_BUILD: existsSync(join(ROOT, 'dist/index.js')) ? 'auto' : 'always',
    };
    const child = spawn('bash', ['scripts/wine-lane.sh'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', fail);
    child.on('close', () => {
      const f = join(dir, 'summary.json');
      if (!existsSync(f)) return fail(new Error(`the ${api} lane wrote no results:\n${log}`));
      const s = JSON.parse(readFileSync(f, 'utf8')) as { results: Result[] };
      done(new Map(s.results.map((r) => [r.id, r])));
    });
  });
}

describe.skipIf(wineSkip !== null)(`contracts under Wine: library vs raw ws2_32${wineSkip ? ` — skipped: ${wineSkip}` : ''}`, () => {
  let lib: Map<string, Result>;
  let raw: Map<string, Result>;
  beforeAll(async () => {
    // One lane at a time: the script holds a lock on the Wine prefix.
    lib = await lane('library');
    raw = await lane('raw');
  }, 600_000);

  const met = (r: Map<string, Result>, id: string, name: string): boolean =>
    r.get(id)?.checks.find((c) => c.name === name)?.status === 'pass';

  it('ran on the intended backends', () => {
    expect([...lib.values()][0]?.backend).toBe('win32');
    expect([...raw.values()][0]?.backend).toBe('raw-ws2_32');
    for (const c of contracts) {
      expect(lib.get(c.id)?.error ?? null, `${c.id} (library)`).toBeNull();
      expect(raw.get(c.id)?.error ?? null, `${c.id} (raw)`).toBeNull();
    }
  });

  for (const c of contracts) {
    it(`${c.id}: the library meets every expectation raw ws2_32 meets; each miss is a recorded Wine deviation`, () => {
      for (const [name, check] of Object.entries(c.checks)) {
        const l = lib.get(c.id)?.checks.find((k) => k.name === name);
        if (met(raw, c.id, name))
          expect(l?.status, `${name}: raw ws2_32 meets it, the library does not: ${JSON.stringify(l?.observed)}`).toBe('pass');
        if (l?.status !== 'pass')
          expect(
            check.wine,
            `${name}: missed through the library and not recorded as a Wine deviation: ${JSON.stringify(l?.observed)}`,
          ).toBeDefined();
        expect(l?.status, `${name}: ${JSON.stringify(l?.observed)}`).not.toBe('fail');
      }
    });
  }

  it('scores: the library never below raw ws2_32 (table in .cache/conformance/contracts-vs-raw.md)', () => {
    const lines = ['| sock.c function | expectations | library meets | raw ws2_32 meets |', '|---|---|---|---|'];
    let [total, l, r] = [0, 0, 0];
    for (const c of contracts) {
      const names = Object.keys(c.checks);
      const ln = names.filter((n) => met(lib, c.id, n)).length;
      const rn = names.filter((n) => met(raw, c.id, n)).length;
      lines.push(`| ${c.rule} | ${names.length} | ${ln} | ${rn} |`);
      [total, l, r] = [total + names.length, l + ln, r + rn];
      expect(ln, c.id).toBeGreaterThanOrEqual(rn);
    }
    lines.push(`| all | ${total} | ${l} | ${r} |`);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'contracts-vs-raw.md'), lines.join('\n') + '\n');
    console.log(lines.join('\n'));
    expect(l).toBeGreaterThanOrEqual(r);
  });
});
