// Hostile use of the harness: a scenario killed mid-run (its parent told to
// stop with SIGTERM or SIGINT, or the scenario timing out) leaves no network
// namespace, no nft table and no process: the scenario, its own child and
// anything else that would keep the namespace alive are gone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isolationSupport, listNamespaces, namespaceGate } from '../../src/harness/index.js';

const gate = namespaceGate();
// `ip netns` mode only: an `unshare -rn` namespace has no name to look for (it dies with its process).
const named = isolationSupport().mode === 'netns';
const dir = mkdtempSync(join(tmpdir(), 'wsc-killed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Info {
  pid: number;
  childPid: number;
  netns: number;
  namespace: string;
}

/** Alive and not a zombie (a zombie has already left its namespaces). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Processes whose network namespace is the inode `ino`. */
function holders(ino: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readlinkSync(`/proc/${p}/ns/net`) === `net:[${ino}]`) out.push(Number(p));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

const nftTables = (nsName?: string): string => {
  const args = nsName ? ['netns', 'exec', nsName, 'nft', 'list', 'tables'] : ['list', 'tables'];
  return spawnSync(nsName ? 'ip' : 'nft', args, { encoding: 'utf8' }).stdout ?? '';
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

async function killMidRun(how: 'SIGTERM' | 'SIGINT' | 'timeout'): Promise<void> {
  const info = join(dir, `${how}.json`);
  const table = `wsc_killed_${how.toLowerCase()}_${process.pid}`;
  const runner = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./fixtures/run-killable.mts', import.meta.url)),
      info,
      table,
      how === 'timeout' ? '4000' : '60000',
    ],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  runner.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => runner.once('exit', (code) => r(code)));
  try {
    expect(
      await until(() => existsSync(info) && readFileSync(info, 'utf8').endsWith('}'), 15_000),
      `scenario never started: ${stderr}`,
    ).toBe(true);
    const where = JSON.parse(readFileSync(info, 'utf8')) as Info;
    // Mid-run: the namespace, its nft table and both processes exist.
    expect(alive(where.pid) && alive(where.childPid)).toBe(true);
    if (named) {
      expect(listNamespaces()).toContain(where.namespace);
      expect(nftTables(where.namespace)).toContain(table);
    }
    expect(nftTables()).not.toContain(table); // never in the machine's own namespace
    if (how !== 'timeout') runner.kill(how);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    expect(runner.exitCode !== null || runner.signalCode !== null, 'the runner did not exit').toBe(true);
    // Nothing is left: the processes, whatever held the namespace, its name, its table.
    expect(await until(() => !alive(where.pid) && !alive(where.childPid), 5_000), 'a scenario process outlived the run').toBe(true);
    expect(await until(() => holders(where.netns).length === 0, 5_000), `processes still in the namespace: ${holders(where.netns)}`).toBe(
      true,
    );
    if (named) expect(listNamespaces()).not.toContain(where.namespace);
    expect(nftTables()).not.toContain(table);
  } finally {
    if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
  }
}

describe('a scenario killed mid-run', () => {
  for (const how of ['SIGTERM', 'SIGINT', 'timeout'] as const) {
    it.skipIf(gate.skip)(
      how === 'timeout'
        ? `that times out leaves no namespace, nft table or process (${gate.reason})`
        : `whose parent gets ${how} leaves no namespace, nft table or process (${gate.reason})`,
      () => killMidRun(how),
      30_000,
    );
  }
});
