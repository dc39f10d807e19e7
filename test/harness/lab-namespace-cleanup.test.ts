// Faults live only in namespaces the run creates, and the run always deletes
// them: after a normal run, and when the run is interrupted mid-way (SIGINT as
// Ctrl-C sends it, SIGTERM as a supervisor does). The machine's own namespace
// never gets our nft table.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listNamespaces } from '../../src/harness/netns.js';
import { isolated, packageRoot, titled } from './helpers.js';

const cli = join(packageRoot, 'dist', 'cli.js');
const hostTables = (): string => spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? '';
// Other test files make namespaces of their own at the same time: a run's are named after its pid (netns.ts).
const ofRun = (pid: number): string[] => listNamespaces().filter((n) => n.startsWith(`wsc-${pid}-`));

async function interrupt(signal: NodeJS.Signals): Promise<{ pid: number; during: string[]; code: number | null; signal: string | null }> {
  const child = spawn(process.execPath, [cli, 'run', 'half-open-queue'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let during: string[] = [];
  // Wait until the run's namespace exists (the child scenario is inside it), then stop the run.
  for (let i = 0; i < 300 && during.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    during = ofRun(child.pid!);
  }
  await new Promise((r) => setTimeout(r, 500)); // mid-way: rules and sysctls are set by now
  child.kill(signal);
  const [code, sig] = await new Promise<[number | null, string | null]>((res) => child.on('exit', (c, s) => res([c, s])));
  return { pid: child.pid!, during, code, signal: sig };
}

describe('namespaces of the lab are always deleted', () => {
  it.skipIf(isolated.skip || isolated.reason.includes('unshare'))(
    titled('after a run: ip netns list as before, no nft table here', isolated),
    () => {
      const before = listNamespaces();
      const tables = hostTables();
      const r = spawnSync(process.execPath, [cli, 'run', 'fin-retransmit', '--json'], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).toBe(0);
      const where = JSON.parse(r.stdout).results[0].where as string;
      expect(where).toMatch(new RegExp(`^wsc-${r.pid}-`));
      expect(before).not.toContain(where);
      const after = listNamespaces();
      expect(after).not.toContain(where);
      expect(ofRun(r.pid)).toEqual([]);
      // Every namespace there now was there before, or belongs to another test file running alongside.
      expect(after.filter((n) => !before.includes(n) && !/^wsc-(probe-)?\d+-/.test(n))).toEqual([]);
      expect(hostTables()).toBe(tables);
      expect(hostTables()).not.toContain('wsc_fault');
    },
  );

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it.skipIf(isolated.skip || isolated.reason.includes('unshare'))(
      titled(`a run killed mid-way with ${signal} deletes its namespace`, isolated),
      async () => {
        const before = listNamespaces();
        const { pid, during, signal: got } = await interrupt(signal);
        expect(during.length, 'the run created its namespace').toBe(1);
        expect(before).not.toContain(during[0]);
        expect(got).toBe(signal); // it died of the signal, after cleaning up
        expect(listNamespaces()).not.toContain(during[0]);
        expect(ofRun(pid)).toEqual([]);
        expect(hostTables()).not.toContain('wsc_fault');
      },
    );
  }
});
