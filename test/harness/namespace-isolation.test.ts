// Isolation: a scenario runs in a namespace the test creates and deletes; the
// namespace is private (only lo, its own TCP table); a hung scenario is killed
// and its namespace deleted all the same; the gates skip only with a reason
// and never under CI=true.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listNamespaces, namespaceGate, runInNamespace, wireGate } from '../../src/harness/netns.js';
import { isolated, runIsolated, titled } from './helpers.js';

// The user-namespace path, forced even as root, wherever `unshare -rn` works (and always under CI=true).
const unshareWorks = spawnSync('unshare', ['-rn', 'true']).status === 0;
const unshareGate =
  unshareWorks || process.env.CI === 'true'
    ? { skip: false, reason: 'unshare -rn' }
    : { skip: true, reason: 'unshare -rn not permitted here' };

const dir = mkdtempSync(join(tmpdir(), 'wsc-ns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const probe = join(dir, 'probe.mjs');
writeFileSync(
  probe,
  `import { readFileSync } from 'node:fs';
   const ifs = readFileSync('/proc/net/dev', 'utf8').split('\\n').slice(2).map((l) => l.split(':')[0].trim()).filter(Boolean);
   const tcp = readFileSync('/proc/net/tcp', 'utf8').trim().split('\\n').length - 1;
   process.stdout.write('WSC-RESULT ' + JSON.stringify({ ifs, tcp, ns: process.env.WSC_NAMESPACE }) + '\\n');`,
);
const hang = join(dir, 'hang.mjs');
writeFileSync(hang, `setInterval(() => {}, 1000);`);

describe('namespaces', () => {
  it.skipIf(isolated.skip)(titled('runs a script in a private namespace and deletes it afterwards', isolated), async () => {
    const run = await runInNamespace(probe, { timeoutMs: 10_000 });
    expect(run.code).toBe(0);
    const res = run.result as { ifs: string[]; tcp: number; ns: string };
    expect(res.ifs).toEqual(['lo']);
    expect(res.tcp).toBe(0); // a fresh TCP table: none of the machine's connections
    if (run.mode === 'netns') {
      expect(res.ns).toBe(run.namespace);
      expect(run.namespace).toMatch(/^wsc-\d+-[0-9a-f]{8}$/);
      expect(listNamespaces()).not.toContain(run.namespace);
    }
  });

  it.skipIf(isolated.skip)(titled('kills a hung scenario at its timeout and still deletes the namespace', isolated), async () => {
    const t0 = Date.now();
    const run = await runInNamespace(hang, { timeoutMs: 500 });
    expect(run.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
    if (run.mode === 'netns') expect(listNamespaces()).not.toContain(run.namespace);
  });

  it.skipIf(unshareGate.skip)(titled('also works the unprivileged way (unshare -rn), capture included', unshareGate), async () => {
    // Same scenario through a user + network namespace: what a non-root machine gets.
    const r = await runIsolatedVia('unshare');
    expect(r.captured).toBe(true);
    expect(r.segments.map((s) => s.flags)).toContain('RST,ACK');
  });

  it.skipIf(isolated.skip)(titled('runs a whole teardown scenario with capture inside the namespace', isolated), async () => {
    const r = await runIsolated('linger-zero-rst');
    expect(r.captured).toBe(true);
    expect(r.segments.filter((s) => s.flags.includes('RST'))).toHaveLength(1);
  });

  it('gates: skip with a one-line reason without privileges, but never under CI=true', () => {
    const saved = process.env.CI;
    try {
      delete process.env.CI;
      const g = wireGate(() => ({ ok: false, reason: 'packet capture needs CAP_NET_RAW' }));
      expect(g).toEqual({ skip: true, reason: 'packet capture needs CAP_NET_RAW' });
      expect(g.reason).not.toContain('\n');
      process.env.CI = 'true';
      expect(wireGate(() => ({ ok: false, reason: 'no' })).skip).toBe(false);
      expect(namespaceGate().skip).toBe(false);
      expect(wireGate(() => ({ ok: true })).skip).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

async function runIsolatedVia(mode: 'unshare') {
  const { scenarioMain, packageRoot } = await import('./helpers.js');
  const run = await runInNamespace(scenarioMain, { args: ['linger-zero-rst'], mode, timeoutMs: 30_000, cwd: packageRoot });
  const res = run.result as {
    where: { interfaces: string[] };
    scenario?: import('../../src/harness/scenarios.js').ScenarioResult;
    error?: string;
  };
  if (!res?.scenario) throw new Error(`unshare run failed: ${res?.error ?? run.stderr}`);
  expect(res.where.interfaces).toEqual(['lo']);
  return res.scenario;
}
