// Plumbing for the event tests: an association, a bounded wait, the record.
import { expect } from 'vitest';
import * as W from '../../src/index.js';
import type { SOCKET, WSAEVENT, WSANETWORKEVENTS } from '../../src/index.js';
import { ok } from '../helpers.js';

export function select(s: SOCKET, mask: number): WSAEVENT {
  const ev = W.WSACreateEvent();
  ok(W.WSAEventSelect(s, ev, mask), 'WSAEventSelect');
  return ev;
}

/** WSAEnumNetworkEvents (resetting `ev`). */
export function enumEvents(s: SOCKET, ev: WSAEVENT | null = null): WSANETWORKEVENTS {
  const ne: WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: [] };
  ok(W.WSAEnumNetworkEvents(s, ev, ne), 'WSAEnumNetworkEvents');
  return ne;
}

/** Waits (blocking, bounded) until `ev` is set; then the record of `s`. */
export function waitEvents(s: SOCKET, ev: WSAEVENT, timeoutMs = 3000): WSANETWORKEVENTS {
  expect(W.WSAWaitForMultipleEvents(1, [ev], false, timeoutMs, false)).toBe(W.WSA_WAIT_EVENT_0);
  return enumEvents(s, ev);
}

/** Waits until the record of `s` holds all of `bits`, collecting every event seen meanwhile (and their codes). */
export function collect(s: SOCKET, ev: WSAEVENT, bits: number, timeoutMs = 3000): WSANETWORKEVENTS {
  const all: WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: new Array(10).fill(0) };
  const deadline = Date.now() + timeoutMs;
  while ((all.lNetworkEvents & bits) !== bits) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    if (W.WSAWaitForMultipleEvents(1, [ev], false, left, false) !== W.WSA_WAIT_EVENT_0) break;
    const ne = enumEvents(s, ev);
    all.lNetworkEvents |= ne.lNetworkEvents;
    for (let b = 0; b < 10; b++) if (ne.lNetworkEvents & (1 << b)) all.iErrorCode[b] = ne.iErrorCode[b]!;
  }
  return all;
}
