// The four-way close: client shutdown(SD_SEND) -> FIN from client, ACK from
// server, server recv = 0, server closesocket -> FIN from server, ACK from
// client; client FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT, server CLOSE_WAIT ->
// LAST_ACK -> gone; the three-way handshake opens the same capture.
import { describe, expect, it } from 'vitest';
import { ladderModel } from '../../src/harness/ladder.js';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { expectAllReleased, expectHandshake, flow, runScenario, scenarioTests, titled, wire } from './helpers.js';

function check(r: ScenarioResult): void {
  expectHandshake(r);
  // The passive side waits for its ACK to leave before closing: four segments.
  expect(flow(r, 3)).toEqual(['client FIN,ACK', 'server ACK', 'server FIN,ACK', 'client ACK']);
  const [fin1, ack1, fin2, ack2] = r.segments.slice(3);
  expect(ack1!.relAck).toBe(fin1!.relSeq + 1); // the server's ACK covers the client's FIN
  expect(ack2!.relAck).toBe(fin2!.relSeq + 1);
  expect(r).toHaveNoSegment({ flags: 'RST' });
  expect(r).toHaveSegmentCount({ from: r.client, flags: 'FIN' }, 1);
  expect(r).toHaveSegmentCount({ from: r.server, flags: 'FIN' }, 1);

  // States inferred from the wire, row by row.
  const m = ladderModel(r.segments);
  const clientStates = [m.initial.client, ...m.rows.flatMap((row) => (row.client ? [row.client] : []))];
  const serverStates = [m.initial.server, ...m.rows.flatMap((row) => (row.server ? [row.server] : []))];
  expect(clientStates).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
  expect(serverStates).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);

  // States the kernel reported at each step.
  expect(r.states['client before']).toBe('ESTABLISHED');
  expect(['FIN_WAIT_1', 'FIN_WAIT_2']).toContain(r.states['client after SD_SEND']);
  expect(r.states['server after EOF']).toBe('CLOSE_WAIT');
  expect(['LAST_ACK', 'CLOSED']).toContain(r.states['server after closesocket']);
  expect(r.states['client after server FIN']).toBe('TIME_WAIT');
  expect(r.states['client final']).toBe('TIME_WAIT');
  expect(r.states['server final']).toBe('CLOSED');

  // The API's view: both sides read EOF (recv = 0), every call succeeded.
  expect(r.peer).toEqual({ 'server recv after client FIN': 'EOF', 'client recv after server FIN': 'EOF' });
  expect(r.calls.filter((c) => !c.call.startsWith('accept')).every((c) => c.rc === 0)).toBe(true);
  expectAllReleased(r);
}

describe('four-way close', () => {
  scenarioTests(
    'four-way-close',
    {
      loopback: 'on loopback: handshake, FIN/ACK each way, states, release',
      isolated: 'isolated in a namespace created and deleted by the test',
    },
    check,
  );
  it.skipIf(wire.skip)(titled('on loopback over IPv6', wire), async () => {
    const r = await runScenario('four-way-close', { af: 23 });
    expect(r.client).toMatch(/^\[::1\]:/);
    check(r);
  });
});
