// shutdown(SD_RECEIVE) by itself puts nothing on the wire: no FIN, no RST, no
// segment at all while the connection idles; data still flows the other way.
import { describe, expect } from 'vitest';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { expectAllReleased, expectHandshake, scenarioTests } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  expect(r.calls.find((c) => c.call === 'shutdown(client, SD_RECEIVE)')!.rc).toBe(0);
  // Between the call and 100 ms later: nothing, in either direction.
  const quiet = r.segments.slice(r.marks['before SD_RECEIVE'], r.marks['after SD_RECEIVE settle']);
  expect(quiet).toEqual([]);
  expect(r.states['client after SD_RECEIVE']).toBe('ESTABLISHED');
  // No RST during the whole run; the only FINs are the graceful close's.
  expect(r).toHaveNoSegment({ flags: 'RST' });
  expect(r.peer['server recv after client SD_RECEIVE']).toBe('bytes:13');
  expect(r.peer['server recv after client SD_SEND']).toBe('EOF');
  expectAllReleased(r);
}

describe('shutdown(SD_RECEIVE)', () => {
  scenarioTests('sd-receive-silent', { loopback: 'emits nothing by itself (loopback)' }, check);
});
