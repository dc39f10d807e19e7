// Data sent to a socket after its shutdown(SD_RECEIVE) makes that socket reset
// the connection (Winsock's rule; Linux alone would buffer it). No call on the
// receiving socket is needed: the library notices the data arriving.
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  const after = r.segments.slice(r.marks['server sends']);
  expect(after).toContainSegment({ from: r.server, minLen: 1 });
  expect(after).toContainSegment({ from: r.client, flags: 'RST' });
  // The RST comes after the data, and nothing but the data preceded it since SD_RECEIVE.
  const dataAt = after.findIndex((s) => s.src === r.server && s.len > 0);
  const rstAt = after.findIndex((s) => s.src === r.client && s.flags.includes('RST'));
  expect(rstAt).toBeGreaterThan(dataAt);
  expect(r).toHaveNoSegment({ from: r.client, flags: 'FIN' });
  expect(r.peer['server recv after RST']).toBe('WSAECONNRESET');
  expect(r.states['client after RST']).toBe('CLOSED'); // no TIME_WAIT after a reset
  expectAllReleased(r);
}

describe('data after SD_RECEIVE', () => {
  scenarioTests('data-after-sd-receive-rst', { loopback: 'produces a RST from the receiver (loopback)' }, check);
});
