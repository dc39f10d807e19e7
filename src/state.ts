// What the flat API (api.ts) and the promise layer (promises.ts) share. Not
// part of the public API: index.ts does not re-export it.
import type { SockBase } from './backends/backend.js';
import { HandleTable } from './shared-table.js';

/**
 * The handle table: every open SOCKET of the process (whichever thread made
 * it) and this thread's backend record for it (src/shared-table.ts).
 */
export const table = new HandleTable<SockBase>();

/**
 * Set by the promise layer around one flat call: the call makes one attempt
 * that never waits (WSAEWOULDBLOCK where it would), whatever the socket's
 * FIONBIO mode (backend.ts, `nowait`). JavaScript runs one call at a time, so
 * a flag read by the synchronous call is exact; it is always reset in `finally`.
 */
export const attempt = { nowait: false };

/**
 * The flat API's own answers, for the modules beside api.ts (events.ts,
 * overlapped.ts, select.ts, names.ts): `lookup` gives the same TypeError for
 * a non-number, WSANOTINITIALISED and WSAENOTSOCK as every flat call;
 * `started` says whether the program's WSAStartup is in force. Set by api.ts
 * when it loads.
 */
export const flat = {
  lookup: (_fn: string, _s: unknown): SockBase | undefined => undefined,
  started: (): boolean => false,
};
