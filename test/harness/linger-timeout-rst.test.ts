// linger {1,N} on a blocking socket whose peer does not read: closesocket waits
// about N seconds for the unsent data, then resets (Linux alone would keep
// sending in the background and never RST). N = 1 here.
import { describe, expect } from 'vitest';
import type { ScenarioOptions, ScenarioResult } from '../../src/scenarios/model.js';
import { expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult, { lingerSeconds: n = 1 }: ScenarioOptions): void {
  expectHandshake(r);
  expect(r.figures['bytes queued']).toBeGreaterThan(0);
  const close = r.calls.find((c) => c.call === 'closesocket(client)')!;
  expect(close.rc).toBe(0);
  expect(close.ms).toBeGreaterThanOrEqual(n * 1000 - 50);
  expect(close.ms).toBeLessThan(n * 1000 + 1000);
  const rsts = r.segments.filter((s) => s.src === r.client && s.flags.includes('RST'));
  expect(rsts).toHaveLength(1);
  // Measured on the wire: the RST's kernel timestamp, from the start of closesocket.
  const after = r.figures['RST after close ms']!;
  expect(after).toBeGreaterThanOrEqual(n * 1000 - 50);
  expect(after).toBeLessThan(n * 1000 + 1000);
  expect(r).toHaveNoSegment({ from: r.client, flags: 'FIN' });
  expect(r.states['client after closesocket']).toBe('CLOSED');
  expectAllReleased(r);
}

describe('linger {1,N} on a blocking socket, peer not reading', () => {
  scenarioTests(
    'linger-timeout-rst',
    { loopback: 'resets after about N seconds (loopback, N=1)', isolated: 'same, isolated in a namespace (N=2)' },
    check,
    { loopback: { lingerSeconds: 1 }, isolated: { lingerSeconds: 2 } },
  );
});
