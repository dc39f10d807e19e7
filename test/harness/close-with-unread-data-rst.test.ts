// closesocket on a socket with unread received data sends RST (RFC 2525), not FIN.
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { duringCall, expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  expect(duringCall(r, 'closesocket(client)', 'client close')).toContainSegment({ from: r.client, flags: 'RST' });
  expect(r).toHaveNoSegment({ from: r.client, flags: 'FIN' });
  expect(r.states['client after closesocket']).toBe('CLOSED');
  expect(r.peer['server recv after close']).toBe('WSAECONNRESET');
  expectAllReleased(r);
}

describe('closesocket with unread data', () => {
  scenarioTests('unread-data-close-rst', { loopback: 'produces a RST (loopback)' }, check);
});
