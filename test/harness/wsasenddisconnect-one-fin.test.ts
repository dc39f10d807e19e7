// WSASendDisconnect emits exactly one FIN and no RST; the peer reads EOF, and a
// later send on the disconnected socket fails with WSAESHUTDOWN.
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  const disconnect = r.calls.find((c) => c.call.startsWith('WSASendDisconnect'))!;
  expect(disconnect.rc).toBe(0);
  // The FIN left during the call itself.
  expect(r.segments.slice(0, disconnect.segIndex)).toContainSegment({ from: r.client, flags: 'FIN' });
  expect(r).toHaveSegmentCount({ from: r.client, flags: 'FIN' }, 1);
  expect(r).toHaveNoSegment({ flags: 'RST' });
  expect(r.peer['server recv after WSASendDisconnect']).toBe('EOF');
  expect(r.calls.find((c) => c.call.startsWith('send(client)'))).toMatchObject({ rc: -1, error: 'WSAESHUTDOWN' });
  expect(r.states['client final']).toBe('TIME_WAIT');
  expectAllReleased(r);
}

describe('WSASendDisconnect', () => {
  scenarioTests('wsasenddisconnect-fin', { loopback: 'emits exactly one FIN and no RST (loopback)' }, check);
});
