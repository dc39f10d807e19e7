// select() with Winsock's fd_set: a count and an array of SOCKETs (winsock2.h),
// not Berkeley's bit mask, so FD_SETSIZE bounds how many sockets a set holds,
// not how large a handle may be. The rules (Microsoft's select page; Wine's
// dlls/ws2_32/tests/sock.c test_select, which passes on Windows):
// - the first argument (nfds) is ignored;
// - every set null or empty, or a timeout that is not a valid timeval: WSAEINVAL;
// - a handle in a set that is not an open socket: WSAENOTSOCK, sets unchanged;
// - on success each set given is rewritten in place to its ready sockets and
//   the call returns how many entries are ready in all sets together; 0 when
//   the timeout passed; a null timeout waits forever (the thread blocks, as in C);
// - readiness per set: see posix-select.ts (ws2_32 decides it on Windows).
import * as K from './constants.js';
import type { SOCKET } from './constants.js';
import { describe, fail, WSA } from './errors.js';
import { flat, table } from './state.js';
import type { Backend, SockBase } from './backends/backend.js';
import { backend } from './backends/select.js';
import './api.js';

const be = backend as Backend<SockBase>;

/** winsock2.h's default; a program that defined a larger FD_SETSIZE gives it to fd_set(). */
export const FD_SETSIZE = 64;

/** winsock2.h `fd_set`: `fd_count` entries of `fd_array` are the set. */
export interface fd_set {
  fd_count: number;
  fd_array: SOCKET[];
  /** The set's capacity (FD_SETSIZE when absent), as `#define FD_SETSIZE n` would make it. */
  fd_setsize?: number;
}

/** `struct timeval`: seconds and microseconds. */
export interface timeval {
  tv_sec: number;
  tv_usec: number;
}

/** A new, empty set (what `fd_set s; FD_ZERO(&s);` gives). `capacity` stands in for a program's own FD_SETSIZE. */
export function fd_set(capacity: number = FD_SETSIZE): fd_set {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`fd_set: capacity must be a positive integer, got ${describe(capacity)}`);
  return capacity === FD_SETSIZE ? { fd_count: 0, fd_array: [] } : { fd_count: 0, fd_array: [], fd_setsize: capacity };
}

function checkSet(fn: string, set: unknown): asserts set is fd_set {
  if (set === null || typeof set !== 'object' || !Array.isArray((set as fd_set).fd_array) || typeof (set as fd_set).fd_count !== 'number') {
    throw new TypeError(`${fn}: set must be an fd_set { fd_count, fd_array }, got ${describe(set)}`);
  }
  const { fd_count, fd_array } = set as fd_set;
  if (!Number.isInteger(fd_count) || fd_count < 0 || fd_count > fd_array.length) {
    throw new RangeError(`${fn}: set.fd_count must be an integer 0..fd_array.length (${fd_array.length}), got ${fd_count}`);
  }
}

function checkSocket(fn: string, s: unknown): asserts s is SOCKET {
  if (typeof s !== 'number') throw new TypeError(`${fn}: s must be a SOCKET (number), got ${describe(s)}`);
}

/** FD_ZERO(set): empties the set. */
export function FD_ZERO(set: fd_set): void {
  checkSet('FD_ZERO', set);
  set.fd_count = 0;
  set.fd_array.length = 0;
}

/** FD_SET(s, set): adds s unless present; like winsock2.h's macro, silently ignores it when the set is full. */
export function FD_SET(s: SOCKET, set: fd_set): void {
  checkSocket('FD_SET', s);
  checkSet('FD_SET', set);
  for (let i = 0; i < set.fd_count; i++) if (set.fd_array[i] === s) return;
  if (set.fd_count >= (set.fd_setsize ?? FD_SETSIZE)) return;
  set.fd_array[set.fd_count++] = s;
  set.fd_array.length = set.fd_count;
}

/** FD_CLR(s, set): removes s, keeping the order of the others. */
export function FD_CLR(s: SOCKET, set: fd_set): void {
  checkSocket('FD_CLR', s);
  checkSet('FD_CLR', set);
  const i = set.fd_array.slice(0, set.fd_count).indexOf(s);
  if (i < 0) return;
  set.fd_array.splice(i, 1);
  set.fd_count--;
  set.fd_array.length = set.fd_count;
}

/** FD_ISSET(s, set): nonzero (1) when s is in the set, 0 otherwise (__WSAFDIsSet). */
export function FD_ISSET(s: SOCKET, set: fd_set): number {
  checkSocket('FD_ISSET', s);
  checkSet('FD_ISSET', set);
  for (let i = 0; i < set.fd_count; i++) if (set.fd_array[i] === s) return 1;
  return 0;
}

/** timeval -> milliseconds (rounded up: a wait is never shorter than asked), -1 for null; undefined if invalid. */
function timeoutMs(timeout: unknown): number | undefined {
  if (timeout === null || timeout === undefined) return -1;
  if (typeof timeout !== 'object')
    throw new TypeError(`select: timeout must be a timeval { tv_sec, tv_usec } or null, got ${describe(timeout)}`);
  const { tv_sec, tv_usec } = timeout as timeval;
  if (typeof tv_sec !== 'number' || typeof tv_usec !== 'number')
    throw new TypeError('select: timeout.tv_sec and timeout.tv_usec must be numbers');
  // Both are C longs: anything negative or not an integer is not a valid time.
  if (!Number.isInteger(tv_sec) || !Number.isInteger(tv_usec) || tv_sec < 0 || tv_usec < 0) return undefined;
  return Math.min(0x7fffffff, tv_sec * 1000 + Math.ceil(tv_usec / 1000));
}

/**
 * select(nfds, readfds, writefds, exceptfds, timeout). Returns the count of
 * ready entries, 0 on timeout, or SOCKET_ERROR (WSAGetLastError says why).
 * The timeout object is never modified (as on Windows).
 */
export function select(
  nfds: number,
  readfds: fd_set | null,
  writefds: fd_set | null,
  exceptfds: fd_set | null,
  timeout: timeval | null,
): number {
  if (typeof nfds !== 'number') throw new TypeError(`select: nfds must be a number (it is ignored), got ${describe(nfds)}`);
  const given = [readfds, writefds, exceptfds];
  given.forEach((set) => {
    if (set !== null && set !== undefined) checkSet('select', set);
  });
  const ms = timeoutMs(timeout);
  if (!flat.started()) return fail(WSA.WSANOTINITIALISED);
  const handles = given.map((set) => (set ? set.fd_array.slice(0, set.fd_count) : []));
  if (handles.every((h) => h.length === 0) || ms === undefined) return fail(WSA.WSAEINVAL);
  const lists: SockBase[][] = [];
  for (const h of handles) {
    const recs: SockBase[] = [];
    for (const s of h) {
      const rec = typeof s === 'number' ? table.get(s) : undefined;
      // Checked before any wait, and the sets stay as they were.
      if (!rec) return fail(WSA.WSAENOTSOCK);
      recs.push(rec);
    }
    lists.push(recs);
  }
  const ready: [boolean[], boolean[], boolean[]] = [[], [], []];
  const rc = be.select(lists as [SockBase[], SockBase[], SockBase[]], ms, ready);
  if (rc === K.SOCKET_ERROR) return rc;
  // Rewrite each set to its ready sockets. The same fd_set may be given for
  // two arguments: it then holds the union, each socket once, and counts once.
  const results = new Map<fd_set, SOCKET[]>();
  given.forEach((set, k) => {
    if (!set) return;
    const out = results.get(set) ?? [];
    handles[k]!.forEach((s, i) => {
      if (ready[k]![i] && !out.includes(s)) out.push(s);
    });
    results.set(set, out);
  });
  let count = 0;
  for (const [set, out] of results) {
    set.fd_array.length = 0;
    set.fd_array.push(...out);
    set.fd_count = out.length;
    count += out.length;
  }
  return count;
}
