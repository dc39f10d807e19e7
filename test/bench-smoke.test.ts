// The benchmark suite must not rot: every workload runs once at a tiny size
// (`bench/run.sh --smoke`, a few seconds) and produces a figure for every
// contender. No timing is checked here; the figures belong in docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { listNamespaces, namespaceGate } from '../src/harness/netns.js';

const gate = namespaceGate();
const dir = mkdtempSync(join(tmpdir(), 'wsc-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Figures = Record<string, Record<string, Record<string, (number | boolean)[]>>>;

it.skipIf(gate.skip)(
  `every bench workload runs at a tiny size (${gate.reason})`,
  () => {
    const before = listNamespaces().filter((n) => n.startsWith('wsc-bench-'));
    const json = join(dir, 'figures.json');
    const r = spawnSync('bash', ['bench/run.sh', '--smoke', `--out=${join(dir, 'report.md')}`, `--json=${json}`], {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 25_000,
    });
    expect(r.stderr).not.toMatch(/failed|Error/);
    expect(r.status).toBe(0);
    const { results, promisesAvailable } = JSON.parse(readFileSync(json, 'utf8')) as { results: Figures; promisesAvailable: boolean };
    const expected: Record<string, string[]> = {
      callcost: ['flat', 'C'],
      churn: ['flat', 'net', 'C'],
      bulk: ['flat', 'net', 'C'],
      scale: ['net'],
      growth: ['flat', 'C'],
      teardown: ['flat', 'C'],
    };
    if (promisesAvailable) for (const w of ['churn', 'bulk', 'scale']) expected[w]!.push('promises');
    for (const [workload, contenders] of Object.entries(expected)) {
      for (const k of contenders) {
        const figures = results[workload]?.[k];
        expect(figures, `${workload}/${k}`).toBeDefined();
        for (const [metric, vs] of Object.entries(figures!)) {
          for (const v of vs) {
            // Memory per connection may round to 0 at this size; every other figure is a rate or a time.
            if (typeof v === 'number')
              expect(Number.isFinite(v) && (v > 0 || metric === 'kibPerConn'), `${workload}/${k}/${metric} = ${v}`).toBe(true);
            else expect(v, `${workload}/${k}/${metric}`).toBe(true); // descriptors/handles back to start
          }
        }
      }
    }
    expect(Object.keys(results.growth!.flat!)).toEqual(expect.arrayContaining(['recv_10000', 'close_10000', 'poll_1000']));
    // The namespace the run made is gone.
    expect(listNamespaces().filter((n) => n.startsWith('wsc-bench-'))).toEqual(before);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/\|\s*1 call cost\s*\|\s*ioctlsocket\(FIONREAD\)/);
  },
  30_000,
);
