// ===== THE PROMISE-API HOOK =====
// The "promises" contender of workloads 2 (churn), 3 (bulk) and 4 (scale)
// plugs in here. src/promises.ts (winsock-compat/promises) is being written;
// until it exists, loadPromises() returns undefined and bench/main.ts shows
// those cells as "n/a" and their targets as "not run" (never as met).
//
// The contenders themselves are written against the API in DESIGN.md ("The
// promise API"): P.connect, P.accept, P.send, P.recv, P.gracefulClose and
// P.closesocket over the same SOCKET handles as the flat API. They have not
// run yet: whoever lands src/promises.ts should run `npm run bench -- --quick`
// once and fix them if the real signatures differ. The interface below is only
// what the contenders call; it is checked against the module when it loads.
import type { SockAddr, SOCKET } from '../src/index.js';

export interface PromiseApi {
  connect(s: SOCKET, addr: SockAddr): Promise<void>;
  accept(s: SOCKET, addrOut?: SockAddr): Promise<SOCKET>;
  send(s: SOCKET, buf: Uint8Array, len?: number, flags?: number): Promise<number>;
  recv(s: SOCKET, buf: Uint8Array, len?: number, flags?: number): Promise<number>;
  gracefulClose(s: SOCKET, options: { timeoutMs: number }): Promise<{ graceful: boolean }>;
  closesocket(s: SOCKET): Promise<void>;
}

const NAMES = ['connect', 'accept', 'send', 'recv', 'gracefulClose', 'closesocket'] as const;

/** The promise API of the built package (bench/wsc.ts), checked against what the contenders call. */
export async function loadPromises(): Promise<PromiseApi | undefined> {
  const P = (await import('./wsc.js')).Promises as unknown as Record<string, unknown>;
  const missing = NAMES.filter((n) => typeof P[n] !== 'function');
  if (missing.length) throw new Error(`the promise API lacks ${missing.join(', ')}`);
  return P as unknown as PromiseApi;
}
