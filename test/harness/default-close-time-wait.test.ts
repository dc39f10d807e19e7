// A default closesocket (linger off) closes gracefully: FIN, no RST, and the
// side that closed first ends in TIME_WAIT, owned by no process.
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { duringCall, expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  expect(duringCall(r, 'closesocket(client)', 'client close')).toContainSegment({ from: r.client, flags: 'FIN' });
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
  scenarioTests('default-close-time-wait', { loopback: 'sends FIN and the closer ends in TIME_WAIT (loopback)' }, check);
});
