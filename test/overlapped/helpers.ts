import * as W from '../../src/index.js';
import type { WSAOVERLAPPED } from '../../src/index.js';

/** A fresh event and a WSAOVERLAPPED naming it. */
export function overlapped(): { ev: number; ov: WSAOVERLAPPED } {
  const ev = W.WSACreateEvent();
  return { ev, ov: W.newOverlapped(ev) };
}

export const isSet = (ev: number): boolean => W.WSAWaitForMultipleEvents(1, [ev], false, 0, false) === W.WSA_WAIT_EVENT_0;

/** WSAGetOverlappedResult as one value: bytes, or the WSA error name. */
export function result(s: number, ov: WSAOVERLAPPED, wait = false): number | string {
  const n = [0];
  const f = [0];
  return W.WSAGetOverlappedResult(s, ov, n, wait, f) ? n[0]! : W.wsaErrorName(W.WSAGetLastError());
}
