// Resource release: 10,000 connections opened and closed leave the process's
// descriptor count where it started and the handle table empty.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

const isRoot = process.getuid?.() === 0;

it('10,000 connection cycles leave the descriptor count flat', () => {
  const script = new URL('../fixtures/churn.ts', import.meta.url).pathname;
  const node = `${process.execPath} --import tsx ${script} 10000`;
  // A namespace of its own keeps the 10,000 TIME_WAIT entries out of the
  // machine's port space; it vanishes with the child.
  const out = isRoot
    ? execFileSync('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec ${node}`], { encoding: 'utf8', timeout: 120_000 })
    : execFileSync('sh', ['-c', node], { encoding: 'utf8', timeout: 120_000 });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  expect(r.cycles).toBe(10_000);
  expect(r.peak).toBe(r.before + 3); // listener, client, server while a cycle runs
  expect(r.after).toBe(r.before);
  expect(r.handles).toBe(0);
}, 180_000);
