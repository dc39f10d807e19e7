// The shared conformance scenarios (test/conformance/scenarios.mjs), run twice as
// separate processes against the built library: in Linux Node (posix backend) and in
// Windows Node under Wine (win32 backend over Wine's ws2_32.dll, via
// scripts/wine-lane.sh). Each run is watched by a loopback capture here, so every
// teardown's FIN or RST is checked on the wire for both lanes: Wine's sockets are Linux
// sockets, so the same capture sees the Windows path's packets.
//
// The Linux lane must match the documented Winsock result everywhere. The Wine lane
// must match it too, except where a check records a measured Wine 8 deviation: those
// are reported as deviations (and must still be exactly the recorded values).
//
// Without Wine the Wine lane is skipped with a one-line reason; under CI=true it runs
// (the lane script installs wine64 from Debian).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureAvailability, startCapture, type Segment } from '../../src/harness/capture.js';
import { scenarios } from '../conformance/scenarios.mjs';
import { CI, libraryBuild, ROOT, runChild, wineSkip } from './lane.js';

const OUT = join(ROOT, '.cache/conformance');

type Lane = 'linux' | 'wine';
type Status = 'pass' | 'wine-deviation' | 'fail';
interface CheckResult {
  name: string;
  call: string;
  expect: Record<string, unknown>;
  observed: Record<string, unknown> | null;
  status: Status;
}
interface ScenarioResult {
  id: string;
  lane: Lane;
  backend: string;
  status: Status;
  error: string | null;
  conn: { address: string; clientPort: number; serverPort: number } | null;
  checks: CheckResult[];
}
interface Packets {
  client: string[];
  server: string[];
}
interface LaneRun {
  results: Map<string, ScenarioResult>;
  segments: Segment[] | null;
  log: string;
}

const capture = captureAvailability();

/** Runs one lane as a child process under a loopback capture; returns its results and the segments seen. */
async function runLane(lane: Lane, lib: string): Promise<LaneRun> {
  const dir = join(OUT, lane);
  rmSync(dir, { recursive: true, force: true });
  // Headers suffice: flags and ports are all the checks read.
  const cap = capture.ok ? startCapture({ snaplen: 128 }) : null;
  let r: { code: number | null; log: string };
  try {
    r =
      lane === 'linux'
        ? await runChild(process.execPath, ['test/conformance/run.mjs', '--lane', 'linux', '--out', dir, '--dist', lib], process.env)
        : // A WINE_LANE_DIST given by the caller (a candidate build) wins for the Wine lane.
          await runChild('bash', ['scripts/wine-lane.sh'], {
            WINE_LANE_DIST: lib,
            ...process.env,
            WINE_LANE_OUT: dir,
            WINE_LANE_BUILD: 'never',
          });
  } finally {
    if (cap) await cap.settle(50, 1000);
  }
  const segments = cap ? cap.stop() : null;
  const summary = join(dir, 'summary.json');
  if (!existsSync(summary)) throw new Error(`the ${lane} lane wrote no results (exit ${r.code}):\n${r.log}`);
  const parsed = JSON.parse(readFileSync(summary, 'utf8')) as { results: ScenarioResult[] };
  return { results: new Map(parsed.results.map((x) => [x.id, x])), segments, log: r.log };
}

/**
 * The FIN/RST-bearing segments one side sent on one connection, in order. A FIN sent
 * again with the same sequence number is a retransmission of the same FIN.
 */
function teardown(segments: Segment[], address: string, fromPort: number, toPort: number): string[] {
  const out: string[] = [];
  let lastFinSeq = -1;
  for (const s of segments) {
    if (s.srcAddr !== address || s.srcPort !== fromPort || s.dstPort !== toPort) continue;
    if (s.flags.includes('RST')) out.push('RST');
    else if (s.flags.includes('FIN')) {
      if (s.seq !== lastFinSeq) out.push('FIN');
      lastFinSeq = s.seq;
    }
  }
  return out;
}

function packetsSeen(segments: Segment[], conn: { address: string; clientPort: number; serverPort: number }): Packets {
  return {
    client: teardown(segments, conn.address, conn.clientPort, conn.serverPort),
    server: teardown(segments, conn.address, conn.serverPort, conn.clientPort),
  };
}

const same = (a: Packets, b: Packets): boolean => JSON.stringify(a) === JSON.stringify(b);
const fmt = (p: Packets): string => `client ${p.client.join(',') || '-'} / server ${p.server.join(',') || '-'}`;

// For the table written after the run (docs/semantics.md reproduces it).
const table = new Map<string, Partial<Record<Lane, { checks: CheckResult[]; packets: Packets | null; packetStatus: Status | null }>>>();

function record(lane: Lane, r: ScenarioResult, packets: Packets | null, packetStatus: Status | null): void {
  const row = table.get(r.id) ?? {};
  row[lane] = { checks: r.checks, packets, packetStatus };
  table.set(r.id, row);
}

function laneSuite(lane: Lane): void {
  let laneRun: LaneRun;
  beforeAll(async () => {
    const t0 = Date.now();
    laneRun = await runLane(lane, libraryBuild(OUT));
    // The lane's time belongs in CI's log (the script's own breakdown for Wine).
    const times = laneRun.log.split('\n').filter((l) => /^wine-lane: (times|total)/.test(l));
    console.log([`${lane} lane: ${((Date.now() - t0) / 1000).toFixed(1)} s including the capture`, ...times].join('\n'));
  }, 600_000);

  it('runs on the intended backend', () => {
    const first = laneRun.results.values().next().value as ScenarioResult | undefined;
    // Under Wine dist/ must pick win32.ts (process.platform === 'win32'), else the lane
    // would test the POSIX translation on Wine instead of ws2_32.
    expect(first?.backend, laneRun.log).toBe(lane === 'wine' ? 'win32' : 'posix');
    expect([...laneRun.results.keys()]).toEqual(scenarios.map((s) => s.id));
  });

  for (const sc of scenarios) {
    it(`${sc.id}: ${sc.rule}`, () => {
      const r = laneRun.results.get(sc.id);
      expect(r, `no result for ${sc.id}`).toBeDefined();
      if (!r) return;
      expect(r.error).toBeNull();
      for (const c of r.checks) {
        const allowed: Status[] = lane === 'wine' && sc.checks[c.name]?.wine ? ['pass', 'wine-deviation'] : ['pass'];
        expect(allowed, `${c.call}: expected ${JSON.stringify(c.expect)}, observed ${JSON.stringify(c.observed)}`).toContain(c.status);
      }
      let packets: Packets | null = null;
      let packetStatus: Status | null = null;
      if (sc.packets && laneRun.segments) {
        expect(r.conn).not.toBeNull();
        packets = packetsSeen(laneRun.segments, r.conn!);
        const documented = sc.packets;
        const wine = sc.winePackets?.packets;
        packetStatus = same(packets, documented) ? 'pass' : lane === 'wine' && wine && same(packets, wine) ? 'wine-deviation' : 'fail';
        expect(packetStatus, `packets: documented ${fmt(documented)}${wine ? `, Wine ${fmt(wine)}` : ''}; seen ${fmt(packets)}`).not.toBe(
          'fail',
        );
      }
      record(lane, r, packets, packetStatus);
    });
  }

  // Without CAP_NET_RAW the packet half cannot run: say so once, per lane. In CI it must.
  if (!capture.ok && !CI) it.skip(`packets (skipped: ${capture.reason})`, () => {});
  if (CI) {
    it('captures the loopback in CI', () => {
      expect(capture.ok ? 'ok' : capture.reason).toBe('ok');
    });
  }
}

describe('conformance scenarios, Linux backend (posix.ts)', () => laneSuite('linux'));

describe.skipIf(wineSkip !== null)(
  `conformance scenarios under Wine (win32.ts over ws2_32.dll)${wineSkip ? ` — skipped: ${wineSkip}` : ''}`,
  () => {
    laneSuite('wine');
    // The lane above provisioned (or found) the cache; a second full run must
    // start from it: nothing installed, fetched or booted again.
    it('a second run starts from the cache', async () => {
      const t0 = Date.now();
      const dir = join(OUT, 'wine-second-run');
      const r = await runChild('bash', ['scripts/wine-lane.sh'], {
        WINE_LANE_DIST: libraryBuild(OUT),
        ...process.env,
        WINE_LANE_OUT: dir,
        WINE_LANE_BUILD: 'never',
      });
      const times = r.log.split('\n').filter((l) => /^wine-lane: (times|total)/.test(l));
      console.log([`wine lane, second run: ${((Date.now() - t0) / 1000).toFixed(1)} s`, ...times].join('\n'));
      expect(r.code, r.log).toBe(0);
      expect(times[0], r.log).toMatch(/wine64 0\.0 s, npm packages 0\.0 s, prefix 0\.0 s/);
    }, 300_000);
  },
);

afterAll(() => {
  // Markdown table of the run: one line per check, the packets line per scenario.
  const cell = (x: { checks: CheckResult[] } | undefined, name: string): string => {
    const c = x?.checks.find((k) => k.name === name);
    if (!c) return '—';
    const o = c.observed;
    const v = o === null ? 'not reached' : o.ret === -1 ? `-1 / ${o.wsa}` : `${o.ret}`;
    return c.status === 'pass' ? `${v} ✓` : c.status === 'wine-deviation' ? `${v} (Wine deviation)` : `${v} ✗`;
  };
  const lines = ['| scenario | call | expected | Linux backend | Wine ws2_32 |', '|---|---|---|---|---|'];
  for (const sc of scenarios) {
    const row = table.get(sc.id);
    for (const [name, check] of Object.entries(sc.checks)) {
      const e = check.expect as { ret: number; wsa?: number };
      lines.push(
        `| ${sc.id} | ${check.call} | ${e.ret === -1 ? `-1 / ${e.wsa}` : e.ret} | ${cell(row?.linux, name)} | ${cell(row?.wine, name)} |`,
      );
    }
    if (sc.packets) {
      const p = (x: { packets: Packets | null; packetStatus: Status | null } | undefined): string =>
        x?.packets
          ? `${fmt(x.packets)} ${x.packetStatus === 'pass' ? '✓' : x.packetStatus === 'wine-deviation' ? '(Wine deviation)' : '✗'}`
          : '—';
      lines.push(`| ${sc.id} | packets (FIN/RST sent) | ${fmt(sc.packets)} | ${p(row?.linux)} | ${p(row?.wine)} |`);
    }
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'table.md'), lines.join('\n') + '\n');
});
