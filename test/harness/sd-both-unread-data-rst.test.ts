// shutdown(SD_BOTH) on a socket with unread received data resets the connection
// (Linux alone would send FIN and keep the data readable).
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { duringCall, expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  // The RST left during the shutdown call; no FIN from the client at any time.
  expect(duringCall(r, 'shutdown(client, SD_BOTH)', 'client SD_BOTH')).toContainSegment({ from: r.client, flags: 'RST' });
  expect(r).toHaveNoSegment({ from: r.client, flags: 'FIN' });
  expect(r.peer['server recv after SD_BOTH']).toBe('WSAECONNRESET');
  expectAllReleased(r);
}

describe('shutdown(SD_BOTH) with unread data', () => {
  scenarioTests('sd-both-unread-rst', { loopback: 'produces a RST (loopback)' }, check);
});
