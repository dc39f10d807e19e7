// A default closesocket (linger off) closes gracefully: FIN, no RST, and the
// side that closed first ends in TIME_WAIT, owned by no process.
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult } from '../../src/harness/scenarios.js';
import { expectAllReleased, expectHandshake, isolated, runIsolated, titled, wire } from './helpers.js';

function check(r: ScenarioResult): void {
  expect(r.captured).toBe(true);
  expectHandshake(r);
  const close = r.calls.find((c) => c.call === 'closesocket(client)')!;
  expect(close.rc).toBe(0);
  expect(r.segments.slice(r.marks['client close'], close.segIndex)).toContainSegment({ from: r.client, flags: 'FIN' });
  expect(r).toHaveNoSegment({ flags: 'RST' });
  expect(r.peer['server recv after client close']).toBe('EOF');
  expect(['FIN_WAIT_1', 'FIN_WAIT_2']).toContain(r.states['client after closesocket']);
  expect(r.states['client final']).toBe('TIME_WAIT');
  const tw = r.releases.client!.rows;
  expect(tw).toHaveLength(1);
  expect(tw[0]).toMatchObject({ state: 'TIME_WAIT', inode: 0, owned: false });
  expectAllReleased(r);
}

describe('default closesocket', () => {
  it.skipIf(wire.skip)(titled('sends FIN and the closer ends in TIME_WAIT (loopback)', wire), async () => {
    check(await runScenario('default-close-time-wait'));
  });
  it.skipIf(isolated.skip)(titled('same, isolated in a namespace', isolated), async () => {
    check(await runIsolated('default-close-time-wait'));
  });
});
