// closesocket with SO_LINGER {1,0} is abortive: a RST, no FIN, no TIME_WAIT,
// and the local port can be bound again at once.
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { expectAllReleased, expectHandshake, flow, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  expect(flow(r, 3)).toEqual(['client RST,ACK']);
  expect(r).toHaveNoSegment({ flags: 'FIN' });
  expect(r.states['client after closesocket']).toBe('CLOSED'); // gone from the kernel's table: no TIME_WAIT
  expect(r.peer['server recv after abortive close']).toBe('WSAECONNRESET');
  expect(r.releases.client!.rows).toEqual([]);
  // Bindable again, or (a busy loopback lent the ephemeral port to other peers' connections) free of this socket.
  expect(['bindable', 'other']).toContain(r.releases.client!.status.port);
  expectAllReleased(r);
}

describe('linger {1,0}', () => {
  scenarioTests('linger-zero-rst', { loopback: 'closesocket sends RST and leaves no TIME_WAIT (loopback)' }, check);
});
