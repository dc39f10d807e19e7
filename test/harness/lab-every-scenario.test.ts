// Every lab scenario of the registry runs from the command line and passes
// its own verdict. Split in two runs (loopback ones, namespace ones) so each
// stays well under the test timeout; fault scenarios run, never skip, under CI.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarios } from '../../src/scenarios/index.js';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { isolated, packageRoot, titled, wire } from './helpers.js';

function runAll(names: string[]): ScenarioResult[] {
  const r = spawnSync(process.execPath, [join(packageRoot, 'dist', 'cli.js'), 'run', ...names, '--json'], {
    encoding: 'utf8',
    timeout: 28_000,
  });
  expect(r.status, r.stderr + r.stdout.slice(-3000)).toBe(0);
  return (JSON.parse(r.stdout) as { results: ScenarioResult[] }).results;
}

function check(results: ScenarioResult[], names: string[]): void {
  expect(results.map((r) => r.name)).toEqual(names);
  for (const r of results) {
    expect(r.ran, `${r.name}: ${r.skipped}`).toBe(true);
    // Every scenario that puts something on the wire was captured.
    if (scenarios.find((s) => s.name === r.name)!.expected.segments) expect(r.captured, r.name).toBe(true);
    expect(r.verdict.ok, `${r.name}: ${r.verdict.line}`).toBe(true);
    expect(r.verdict.checks.length, r.name).toBeGreaterThan(3);
  }
}

describe('every lab scenario passes its verdict', () => {
  const plain = scenarios.filter((s) => !s.namespace).map((s) => s.name);
  const faults = scenarios.filter((s) => s.namespace && s.name !== 'half-open-queue').map((s) => s.name);
  it.skipIf(wire.skip)(titled(`on loopback: ${plain.join(', ')}`, wire), () => {
    const rs = runAll(plain);
    check(rs, plain);
    for (const r of rs) expect(r.where).toBe('loopback');
  });
  it.skipIf(isolated.skip)(titled(`in namespaces of their own: ${faults.join(', ')}`, isolated), () => {
    const rs = runAll(faults);
    check(rs, faults);
    for (const r of rs) expect(r.where).toMatch(/^wsc-|namespace/);
  });
  it.skipIf(isolated.skip)(titled('in a namespace of its own: half-open-queue (about 8 s)', isolated), () => {
    const [halfOpen] = runAll(['half-open-queue']);
    check([halfOpen!], ['half-open-queue']);
    // The doubling: the second wait about twice the first; the lifetime their sum plus the last wait (1 + 2 + 4 s).
    const [i1, i2] = [halfOpen!.figures['SYN+ACK retransmission 1 after ms']!, halfOpen!.figures['SYN+ACK retransmission 2 after ms']!];
    expect(i2 / i1).toBeGreaterThan(1.6);
    expect(halfOpen!.figures['half-open lifetime ms']! / (i1 + i2)).toBeGreaterThan(2);
  });
});
