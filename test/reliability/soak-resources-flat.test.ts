// The soak, short: 3,500 connection cycles over every teardown kind (one of
// them the 1 s linger expiry) in a private network namespace leave the
// descriptor count, the handle table and libuv's epoll watches exactly where
// they started, and every peer observed what Winsock promises. The long run
// (100,000 cycles, slopes into docs/soak.md) is `npm run soak`.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { namespaceGate, runInNamespace } from '../../src/harness/index.js';
import { slopePer10k, TEARDOWNS, type SoakResult } from './soak/teardowns.js';

const gate = namespaceGate();
const CYCLES = 3500;

describe('soak (short)', () => {
  it.skipIf(gate.skip)(
    `${CYCLES} cycles of every teardown kind: descriptors, handles and watches flat (${gate.reason})`,
    async () => {
      const script = fileURLToPath(new URL('../../scripts/soak.mts', import.meta.url));
      const run = await runInNamespace(script, {
        args: ['--inner', '--cycles', String(CYCLES), '--sample-every', '500', '--expiry-every', String(CYCLES)],
        timeoutMs: 50_000,
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
      const res = run.result as { where: { netns: string | null }; soak: SoakResult } | undefined;
      expect(res?.soak, run.stderr).toBeDefined();
      const { soak } = res!;
      console.log(
        `soak: ${soak.cycles} cycles in ${soak.ms} ms; ` +
          Object.entries(soak.kinds)
            .map(([k, v]) => `${k} ${v.runs}`)
            .join(', '),
      );
      for (const [k, v] of Object.entries(soak.kinds)) expect(v.firstFailure ?? 'none', k).toBe('none');
      for (const t of TEARDOWNS) expect(soak.kinds[t.name]!.runs).toBeGreaterThanOrEqual(Math.floor(CYCLES / TEARDOWNS.length) - 1);
      expect(soak.kinds['linger-expiry']!.runs).toBe(1);
      const first = soak.samples[0]!;
      const last = soak.samples[soak.samples.length - 1]!;
      expect(last.cycle).toBe(CYCLES);
      for (const s of soak.samples) {
        expect(s.fds, `fds at cycle ${s.cycle}`).toBe(first.fds);
        expect(s.handles, `handles at cycle ${s.cycle}`).toBe(first.handles);
        expect(s.watched, `epoll watches at cycle ${s.cycle}`).toBe(first.watched);
      }
      expect(slopePer10k(soak.samples, 'fds')).toBe(0);
      console.log(
        `soak: rss ${(first.rss / 2 ** 20).toFixed(1)} -> ${(last.rss / 2 ** 20).toFixed(1)} MiB (not asserted: the heap grows and shrinks with GC)`,
      );
    },
    60_000,
  );
});
