// closesocket on a socket with unread received data sends RST (RFC 2525), not FIN.
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult } from '../../src/harness/scenarios.js';
import { expectAllReleased, expectHandshake, isolated, runIsolated, titled, wire } from './helpers.js';

function check(r: ScenarioResult): void {
  expect(r.captured).toBe(true);
  expectHandshake(r);
  const close = r.calls.find((c) => c.call === 'closesocket(client)')!;
  expect(close.rc).toBe(0);
  expect(r.segments.slice(r.marks['client close'], close.segIndex)).toContainSegment({ from: r.client, flags: 'RST' });
  expect(r).toHaveNoSegment({ from: r.client, flags: 'FIN' });
  expect(r.states['client after closesocket']).toBe('CLOSED');
  expect(r.peer['server recv after close']).toBe('WSAECONNRESET');
  expectAllReleased(r);
}

describe('closesocket with unread data', () => {
  it.skipIf(wire.skip)(titled('produces a RST (loopback)', wire), async () => {
    check(await runScenario('unread-data-close-rst'));
  });
  it.skipIf(isolated.skip)(titled('same, isolated in a namespace', isolated), async () => {
    check(await runIsolated('unread-data-close-rst'));
  });
});
