// shutdown(SD_BOTH) on a socket with unread received data resets the connection
// (Linux alone would send FIN and keep the data readable).
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult } from '../../src/harness/scenarios.js';
import { expectAllReleased, expectHandshake, isolated, runIsolated, titled, wire } from './helpers.js';

function check(r: ScenarioResult): void {
  expect(r.captured).toBe(true);
  expectHandshake(r);
  const call = r.calls.find((c) => c.call === 'shutdown(client, SD_BOTH)')!;
  expect(call.rc).toBe(0);
  // The RST left during the shutdown call; no FIN from the client at any time.
  expect(r.segments.slice(r.marks['client SD_BOTH'], call.segIndex)).toContainSegment({ from: r.client, flags: 'RST' });
  expect(r).toHaveNoSegment({ from: r.client, flags: 'FIN' });
  expect(r.peer['server recv after SD_BOTH']).toBe('WSAECONNRESET');
  expectAllReleased(r);
}

describe('shutdown(SD_BOTH) with unread data', () => {
  it.skipIf(wire.skip)(titled('produces a RST (loopback)', wire), async () => {
    check(await runScenario('sd-both-unread-rst'));
  });
  it.skipIf(isolated.skip)(titled('same, isolated in a namespace', isolated), async () => {
    check(await runIsolated('sd-both-unread-rst'));
  });
});
