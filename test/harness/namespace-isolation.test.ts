// Isolation: a scenario runs in a namespace the test creates and deletes; the
// namespace is private (only lo, its own TCP table); a hung scenario is killed
// and its namespace deleted all the same; the gates skip only with a reason
// and never under CI=true.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isolationSupport, listNamespaces, namespaceGate, runInNamespace, wireGate } from '../../src/harness/netns.js';
import { isolated, packageRoot, runIsolated, titled } from './helpers.js';

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

  it.skipIf(isolated.skip)(
    titled('a runner stopped by SIGTERM mid-run (vitest after a test timeout) kills the scenario and deletes its namespace', isolated),
    async () => {
      // The runner: a process that starts a long scenario in a namespace; the scenario writes its pid.
      const pidFile = join(dir, 'hang.pid');
      const hangPid = join(dir, 'hang-pid.mjs');
      writeFileSync(
        hangPid,
        `import { writeFileSync } from 'node:fs'; writeFileSync(process.argv[2], String(process.pid)); setInterval(() => {}, 1000);`,
      );
      const runnerFile = join(dir, 'runner.mts');
      const netns = new URL('../../src/harness/netns.ts', import.meta.url).pathname;
      writeFileSync(
        runnerFile,
        `import { runInNamespace } from ${JSON.stringify(netns)};
         await runInNamespace(${JSON.stringify(hangPid)}, { args: [${JSON.stringify(pidFile)}], timeoutMs: 60_000 });`,
      );
      const runner = spawn(process.execPath, ['--import', 'tsx', runnerFile], { cwd: packageRoot, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((r) => runner.on('exit', (_c, sig) => r(sig)));
      try {
        const t0 = Date.now();
        while (!existsSync(pidFile) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
        const scenarioPid = Number(readFileSync(pidFile, 'utf8'));
        expect(listNamespaces().some((n) => n.startsWith(`wsc-${runner.pid}-`)) || isolationSupport().mode === 'unshare').toBe(true);
        runner.kill('SIGTERM');
        expect(await exited).toBe('SIGTERM'); // the signal still ends the runner, as it would without the harness
        expect(listNamespaces().filter((n) => n.startsWith(`wsc-${runner.pid}-`))).toEqual([]);
        const alive = (): boolean => {
          try {
            process.kill(scenarioPid, 0);
            return true;
          } catch {
            return false;
          }
        };
        const t1 = Date.now();
        while (alive() && Date.now() - t1 < 2000) await new Promise((r) => setTimeout(r, 20));
        expect(alive()).toBe(false);
      } finally {
        // Without the fix these outlive the runner: do not leave them behind either way.
        runner.kill('SIGKILL');
        if (existsSync(pidFile)) spawnSync('kill', ['-KILL', readFileSync(pidFile, 'utf8')]);
        for (const n of listNamespaces().filter((x) => x.startsWith(`wsc-${runner.pid}-`))) spawnSync('ip', ['netns', 'del', n]);
      }
    },
  );

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
    result?: import('../../src/scenarios/model.js').ScenarioResult;
    error?: string;
  };
  if (!res?.result) throw new Error(`unshare run failed: ${res?.error ?? run.stderr}`);
  expect(res.where.interfaces).toEqual(['lo']);
  return res.result;
}
