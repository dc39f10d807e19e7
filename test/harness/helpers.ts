// Shared plumbing of the harness tests: the gates (skip with a reason where the
// machine cannot capture or isolate, never under CI=true), running a scenario
// in a fresh namespace, and small views of a scenario's segments.
import { join } from 'node:path';
import { expect } from 'vitest';
import { captureAvailability } from '../../src/harness/capture.js';
import { fileURLToPath } from 'node:url';
import { listNamespaces, namespaceGate, runInNamespace, wireGate } from '../../src/harness/netns.js';
import type { ScenarioName, ScenarioOptions, ScenarioResult } from '../../src/harness/scenarios.js';
import type { ChurnResult } from '../../src/harness/scenarios.js';
import '../../src/vitest.js';

export const wire = wireGate(() => captureAvailability());
export const isolated = namespaceGate();

/** Test title with the skip reason appended when the test will be skipped. */
export const titled = (title: string, gate: { skip: boolean; reason: string }): string =>
  gate.skip ? `${title} (skipped: ${gate.reason})` : title;

/** This checkout's root (tests run from sources; tsx and the scenario entry live here). */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

export const scenarioMain = join(packageRoot, 'src', 'harness', 'scenario-main.ts');

/** Run a scenario in a namespace created for it; checks the namespace was private and is gone afterwards. */
export async function runIsolated(name: ScenarioName, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const run = await runInNamespace(scenarioMain, { args: [name, JSON.stringify(opts)], timeoutMs: 30_000, cwd: packageRoot });
  const res = run.result as
    { where: { netns: string | null; interfaces: string[] }; scenario?: ScenarioResult; error?: string } | undefined;
  if (!res?.scenario)
    throw new Error(
      `isolated ${name} failed (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${res?.error ?? run.stderr.slice(-2000)}`,
    );
  // Isolation evidence: only a loopback interface inside, and (ip netns) the namespace deleted after.
  expect(res.where.interfaces).toEqual(['lo']);
  if (run.mode === 'netns') {
    expect(res.where.netns).toBe(run.namespace);
    expect(listNamespaces()).not.toContain(run.namespace);
  }
  return res.scenario;
}

export async function churnIsolated(cycles: number): Promise<{ churn: ChurnResult; namespace: string; mode: string }> {
  const run = await runInNamespace(scenarioMain, { args: ['churn', String(cycles)], timeoutMs: 120_000, cwd: packageRoot });
  const res = run.result as { churn?: ChurnResult; error?: string } | undefined;
  if (!res?.churn)
    throw new Error(`churn failed (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${res?.error ?? run.stderr.slice(-2000)}`);
  if (run.mode === 'netns') expect(listNamespaces()).not.toContain(run.namespace);
  return { churn: res.churn, namespace: run.namespace, mode: run.mode };
}

/** `['client SYN', 'server SYN,ACK', ...]`: who sent what, in order. */
export function flow(r: ScenarioResult, from = 0): string[] {
  return r.segments.slice(from).map((s) => `${s.src === r.client ? 'client' : 'server'} ${s.flags}`);
}

/** The three-way handshake opens the capture. */
export function expectHandshake(r: ScenarioResult): void {
  expect(r.captureDrops).toBe(0); // the capture is complete: the kernel dropped nothing
  expect(flow(r).slice(0, 3)).toEqual(['client SYN', 'server SYN,ACK', 'client ACK']);
}

/** Every socket of the scenario passed its release check. */
export function expectAllReleased(r: ScenarioResult): void {
  for (const [side, rep] of Object.entries(r.releases)) {
    expect(rep.problems, `${side}: ${Object.values(rep.checks).join('; ')}`).toEqual([]);
    expect(rep.checks.handle).toMatch(/WSAENOTSOCK/);
    expect(rep.checks.fd).toMatch(/closed/);
  }
  expect(Object.keys(r.releases).sort()).toEqual(['client', 'listener', 'server']);
}
