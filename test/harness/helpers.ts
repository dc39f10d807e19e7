// Shared plumbing of the harness tests: the gates (skip with a reason where the
// machine cannot capture or isolate, never under CI=true), running a scenario
// in a fresh namespace, and small views of a scenario's segments.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { captureAvailability } from '../../src/harness/capture.js';
import { fileURLToPath } from 'node:url';
import { listNamespaces, namespaceGate, runInNamespace, wireGate } from '../../src/harness/netns.js';
import type { Segment } from '../../src/harness/capture.js';
import type { ChurnResult } from '../../src/scenarios/churn.js';
import { scenario } from '../../src/scenarios/index.js';
import { flow } from '../../src/scenarios/judge.js';
import { runHere } from '../../src/scenarios/lab.js';
import type { ScenarioOptions, ScenarioResult } from '../../src/scenarios/model.js';
import * as W from '../../src/index.js';
import { tcpPair } from '../helpers.js';
import '../../src/vitest.js';

export const wire = wireGate(() => captureAvailability());
export const isolated = namespaceGate();

/** Test title with the skip reason appended when the test will be skipped. */
export const titled = (title: string, gate: { skip: boolean; reason: string }): string =>
  gate.skip ? `${title} (skipped: ${gate.reason})` : title;

/** This checkout's root (tests run from sources; tsx and the scenario entry live here). */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

export const scenarioMain = join(packageRoot, 'src', 'scenarios', 'child.ts');

/** A lab scenario's name in the registry. */
export type ScenarioName = string;

/** Run a registered scenario here, in this process (its namespace needs are the caller's business). */
export function runScenario(name: ScenarioName, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const sc = scenario(name);
  if (!sc) throw new RangeError(`no scenario ${name}`);
  return runHere(sc, opts);
}

/** Run a scenario in a namespace created for it; checks the namespace was private and is gone afterwards. */
export async function runIsolated(name: ScenarioName, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const run = await runInNamespace(scenarioMain, { args: [name, JSON.stringify(opts)], timeoutMs: 30_000, cwd: packageRoot });
  const res = run.result as { where: { netns: string | null; interfaces: string[] }; result?: ScenarioResult; error?: string } | undefined;
  if (!res?.result)
    throw new Error(
      `isolated ${name} failed (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${res?.error ?? run.stderr.slice(-2000)}`,
    );
  // Isolation evidence: only a loopback interface inside, and (ip netns) the namespace deleted after.
  expect(res.where.interfaces).toEqual(['lo']);
  if (run.mode === 'netns') {
    expect(res.where.netns).toBe(run.namespace);
    expect(listNamespaces()).not.toContain(run.namespace);
  }
  return res.result;
}

export async function churnIsolated(cycles: number): Promise<{ churn: ChurnResult; namespace: string; mode: string }> {
  const run = await runInNamespace(scenarioMain, { args: ['churn', String(cycles)], timeoutMs: 120_000, cwd: packageRoot });
  const res = run.result as { churn?: ChurnResult; error?: string } | undefined;
  if (!res?.churn)
    throw new Error(`churn failed (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${res?.error ?? run.stderr.slice(-2000)}`);
  if (run.mode === 'netns') expect(listNamespaces()).not.toContain(run.namespace);
  return { churn: res.churn, namespace: run.namespace, mode: run.mode };
}

/** A listener on an ephemeral 127.0.0.1 port, a client connected to it and the accepted server socket (Winsock started). */
export function loopbackPair(): { l: W.SOCKET; c: W.SOCKET; s: W.SOCKET; addr: W.SockAddr } {
  const { listener, client, server, addr } = tcpPair();
  return { l: listener, c: client, s: server, addr };
}

export { flow };

/**
 * The two runs every scenario test makes, judged by the same `check`: on this
 * machine's loopback, and isolated in a namespace created for it. `check` gets
 * the options the run used.
 */
export function scenarioTests(
  name: ScenarioName,
  titles: { loopback: string; isolated?: string },
  check: (r: ScenarioResult, opts: ScenarioOptions) => void,
  opts: { loopback?: ScenarioOptions; isolated?: ScenarioOptions } = {},
): void {
  const [onLoopback, inNamespace] = [opts.loopback ?? {}, opts.isolated ?? {}];
  it.skipIf(wire.skip)(titled(titles.loopback, wire), async () => {
    check(await runScenario(name, onLoopback), onLoopback);
  });
  it.skipIf(isolated.skip)(titled(titles.isolated ?? 'same, isolated in a namespace', isolated), async () => {
    check(await runIsolated(name, inNamespace), inNamespace);
  });
}

/** The segments emitted while `call` ran (from the mark set just before it); the call must have returned 0. */
export function duringCall(r: ScenarioResult, call: string, mark: string): Segment[] {
  const c = r.calls.find((x) => x.call === call);
  expect(c, `no call ${call}`).toBeDefined();
  expect(c!.rc).toBe(0);
  return r.segments.slice(r.marks[mark], c!.segIndex);
}

/** The capture ran and is complete, and the three-way handshake opens it. */
export function expectHandshake(r: ScenarioResult): void {
  expect(r.captured).toBe(true);
  expect(r.captureDrops).toBe(0); // the capture is complete: the kernel dropped nothing
  expect(flow(r).slice(0, 3)).toEqual(['client SYN', 'server SYN,ACK', 'client ACK']);
}

/** Every socket of the scenario passed its release check. */
export function expectAllReleased(r: ScenarioResult): void {
  for (const [side, rep] of Object.entries(r.releases)) {
    expect(rep.problems, `${side}: ${Object.values(rep.checks).join('; ')}`).toEqual([]);
    expect(rep.status.handle).toBe('released');
    expect(['closed', 'reused']).toContain(rep.status.fd);
  }
  expect(Object.keys(r.releases).sort()).toEqual(['client', 'listener', 'server']);
}
