// Event objects and network events: WSACreateEvent / WSACloseEvent /
// WSASetEvent / WSAResetEvent / WSAWaitForMultipleEvents, WSAEventSelect and
// WSAEnumNetworkEvents, with Windows' rules (Microsoft's WSAEventSelect and
// WSAEnumNetworkEvents pages).
//
// Design (docs/porting.md, "Event objects and WSAEventSelect"):
// - An event object is a manual-reset flag kept here, in a handle space of its
//   own (never a SOCKET, never reused). No descriptor backs it: handles are
//   per thread (api.ts), so while a thread is blocked in the flat wait nothing
//   but that wait itself can set one of its events — the network events it
//   records and the overlapped operations it completes. The wait therefore
//   polls those sockets (backend.waitNet) instead of a descriptor per event.
// - A WSAEventSelect association records network events whenever one of three
//   things looks at the socket: the flat wait (blocked thread), an interest on
//   the socket's one readiness watch (Node's loop running; ref: false, so an
//   association alone does not keep the process alive), and the calls that
//   re-enable an event (recv, send, accept, connect: hooks.onCall), which look
//   at once because FD_READ and FD_ACCEPT are level-triggered.
// - Each FD_* event is recorded once and then disabled until its re-enabling
//   call: FD_READ by recv, FD_WRITE only after a send failed with
//   WSAEWOULDBLOCK, FD_ACCEPT by accept; FD_CONNECT and FD_CLOSE never.
import { threadId } from 'node:worker_threads';
import * as K from './constants.js';
import type { SOCKET } from './constants.js';
import { describe, fail, WSA, WSAGetLastError, WSASetLastError } from './errors.js';
import { onCall, onClosed, setBlockingRefused } from './hooks.js';
import * as api from './api.js';
import { flat, table } from './state.js';
import { backend as be } from './backends/select.js';
import { NET_HUP, NET_READ, NET_WRITE, type NetState, type SockBase } from './backends/backend.js';
import type { Interest } from './backends/watch.js';
import { queue } from './queue-seam.js';

// --- constants (winsock2.h) ------------------------------------------------------
export type WSAEVENT = number;
export const WSA_INVALID_EVENT: WSAEVENT = 0;
export const WSA_MAXIMUM_WAIT_EVENTS = 64;
export const WSA_INFINITE = 0xffffffff;
export const WSA_WAIT_EVENT_0 = 0;
export const WSA_WAIT_IO_COMPLETION = 0xc0;
export const WSA_WAIT_TIMEOUT = 0x102;
export const WSA_WAIT_FAILED = 0xffffffff;

export const FD_READ_BIT = 0;
export const FD_WRITE_BIT = 1;
export const FD_OOB_BIT = 2;
export const FD_ACCEPT_BIT = 3;
export const FD_CONNECT_BIT = 4;
export const FD_CLOSE_BIT = 5;
export const FD_MAX_EVENTS = 10;
export const FD_READ = 1 << FD_READ_BIT;
export const FD_WRITE = 1 << FD_WRITE_BIT;
export const FD_OOB = 1 << FD_OOB_BIT;
export const FD_ACCEPT = 1 << FD_ACCEPT_BIT;
export const FD_CONNECT = 1 << FD_CONNECT_BIT;
export const FD_CLOSE = 1 << FD_CLOSE_BIT;
/** The events this library records (FD_OOB, FD_QOS and the rest are refused with WSAEINVAL: not provided). */
const SUPPORTED = FD_READ | FD_WRITE | FD_ACCEPT | FD_CONNECT | FD_CLOSE;

/** WSANETWORKEVENTS: the events recorded since the last call, and each one's error code (index FD_*_BIT). */
export interface WSANETWORKEVENTS {
  lNetworkEvents: number;
  iErrorCode: number[];
}

// --- event objects -------------------------------------------------------------
class EventObject {
  signalled = false;
}

const events = new Map<WSAEVENT, EventObject>();
// Never a SOCKET (those are multiples of 4) and never reused; per thread like the sockets.
let nextEvent = threadId * 2 ** 32 + 0x1002;

/** Called whenever an event becomes signalled (the awaitable wait listens). */
const signalListeners = new Set<() => void>();

function signal(e: EventObject): void {
  if (e.signalled) return;
  e.signalled = true;
  for (const fn of [...signalListeners]) fn();
}

/** @internal For the awaitable wait (events-promises.ts) and overlapped.ts. */
export function onSignal(fn: () => void): () => void {
  signalListeners.add(fn);
  return () => signalListeners.delete(fn);
}

function eventArg(fn: string, arg: string, h: unknown): EventObject | undefined {
  if (typeof h !== 'number') throw new TypeError(`${fn}: ${arg} must be a WSAEVENT (number), got ${describe(h)}`);
  return events.get(h);
}

// --- completion routines (user APCs) ------------------------------------------------
/**
 * Completion routines of overlapped operations, queued when they complete and
 * run only by an alertable wait of this thread (Windows delivers them as user
 * APCs): the wait then returns WSA_WAIT_IO_COMPLETION.
 */
const apcs: Array<() => void> = [];

/** @internal overlapped.ts queues a completion routine. */
export function queueApc(fn: () => void): void {
  apcs.push(fn);
  for (const l of [...signalListeners]) l();
}

/** @internal Whether completion routines wait to run. */
export function apcsPending(): boolean {
  return apcs.length > 0;
}

/** @internal Runs the queued completion routines, in order (those they queue too). */
export function runApcs(): void {
  while (apcs.length > 0) apcs.shift()!();
}

/** @internal The event object behind a handle (overlapped.ts signals hEvent); undefined when not an open event. */
export function eventOf(h: WSAEVENT): { signalled: boolean } | undefined {
  return events.get(h);
}

/** @internal Sets an event object (an overlapped operation completed). */
export function setEventObject(e: { signalled: boolean }): void {
  signal(e as EventObject);
}

/** @internal Resets one (an overlapped operation starts: its hEvent is reset, as Windows' I/O manager does). */
export function resetEventObject(e: { signalled: boolean }): void {
  e.signalled = false;
}

/**
 * A manual-reset event, not signalled. Event objects are kernel objects on
 * Windows (CreateEvent): they need no WSAStartup and outlive WSACleanup.
 */
export function WSACreateEvent(): WSAEVENT {
  const h = nextEvent;
  nextEvent += 4;
  events.set(h, new EventObject());
  return h;
}

/** FALSE with WSA_INVALID_HANDLE for a handle that is not an open event object. */
export function WSACloseEvent(hEvent: WSAEVENT): boolean {
  if (!eventArg('WSACloseEvent', 'hEvent', hEvent)) return (fail(WSA.WSA_INVALID_HANDLE), false);
  // An association that still names it keeps the object (as the kernel keeps a
  // referenced one); only the handle is gone.
  events.delete(hEvent);
  return true;
}

export function WSASetEvent(hEvent: WSAEVENT): boolean {
  const e = eventArg('WSASetEvent', 'hEvent', hEvent);
  if (!e) return (fail(WSA.WSA_INVALID_HANDLE), false);
  signal(e);
  return true;
}

export function WSAResetEvent(hEvent: WSAEVENT): boolean {
  const e = eventArg('WSAResetEvent', 'hEvent', hEvent);
  if (!e) return (fail(WSA.WSA_INVALID_HANDLE), false);
  e.signalled = false;
  return true;
}

// --- associations (WSAEventSelect) ------------------------------------------------
interface Assoc {
  s: SOCKET;
  ev: EventObject;
  mask: number;
  /** FD_* bits that may be recorded now (cleared when recorded, set again by the re-enabling call). */
  enabled: number;
  /** The network event record WSAEnumNetworkEvents returns and clears. */
  record: number;
  codes: number[];
  /** The interest on the socket's watch while Node's loop runs, and the NET_* bits it asks for. */
  interest: Interest | null;
  wants: number;
  /** A wake that recorded nothing (a level condition no event answers): looked at on a timer instead. */
  stuck: ReturnType<typeof setTimeout> | null;
}

const assocs = new Map<SOCKET, Assoc>();

/**
 * FD_CONNECT is posted once per connect call: 'pending' while the handshake
 * runs, then the code to report until an association with FD_CONNECT takes it.
 */
const connects = new Map<SOCKET, 'pending' | number>();

/** Awaitable waits pending on Node's loop: while there are, associations keep the process alive. */
let loopWaiters = 0;

/** Looks at the socket and records what its association may record; returns the bits recorded. */
function check(a: Assoc): { posted: number; st: NetState | undefined } {
  if (assocs.get(a.s) !== a) return { posted: 0, st: undefined };
  const rec = table.get(a.s);
  const saved = WSAGetLastError();
  const st = rec ? be.netState(rec) : undefined;
  WSASetLastError(saved);
  if (!st) return { posted: 0, st };
  let posted = 0;
  const post = (bit: number, code: number) => {
    const m = 1 << bit;
    if (!(a.mask & a.enabled & m)) return;
    a.record |= m;
    a.codes[bit] = code;
    a.enabled &= ~m;
    posted |= m;
  };
  const c = connects.get(a.s);
  if (c !== undefined) {
    let code = -1;
    if (typeof c === 'number') code = c;
    else if (st.connectDone >= 0) code = st.connectDone;
    else if (st.connected) code = 0;
    // The handshake ended and another look (a promise connect) took its result: it failed.
    else if (!st.connecting) code = WSA.WSAECONNREFUSED;
    if (code >= 0) {
      if (a.mask & a.enabled & FD_CONNECT) {
        post(FD_CONNECT_BIT, code);
        connects.delete(a.s);
      } else connects.set(a.s, code);
    }
  }
  if (st.listening) {
    if (st.readable) post(FD_ACCEPT_BIT, 0);
  } else if (st.connected) {
    if (st.readable) post(FD_READ_BIT, 0);
    if (st.writable) post(FD_WRITE_BIT, 0);
    if (st.closed >= 0) post(FD_CLOSE_BIT, st.closed);
  }
  if (posted) signal(a.ev);
  rearm(a, st);
  return { posted, st };
}

/** The readiness that could record one of the events still enabled (0: nothing can happen now). */
function wantsOf(a: Assoc, st: NetState): number {
  const en = a.mask & a.enabled;
  if (st.listening) return en & FD_ACCEPT ? NET_READ : 0;
  if (st.connecting) return connects.has(a.s) ? NET_WRITE | NET_HUP : 0;
  if (!st.connected) return 0;
  let w = 0;
  // After the connection ended, no data can arrive and the descriptor stays "ready" for good.
  if (st.closed < 0) {
    if (en & FD_READ) w |= NET_READ;
    if (en & FD_CLOSE) w |= NET_HUP;
  }
  if (en & FD_WRITE && st.closed <= 0) w |= NET_WRITE;
  return w;
}

/** Keeps the association's interest on the socket's watch in step with what it waits for. */
function rearm(a: Assoc, st: NetState): void {
  const w = a.stuck ? 0 : wantsOf(a, st);
  const ref = loopWaiters > 0;
  if (a.interest && a.wants === w && a.interest.ref === ref) return;
  const rec = table.get(a.s);
  if (a.interest && rec) be.unwatch(rec, a.interest);
  a.interest = null;
  a.wants = 0;
  if (!w || !rec) return;
  const i: Interest = {
    readable: (w & NET_READ) !== 0,
    writable: (w & NET_WRITE) !== 0,
    disconnect: (w & NET_HUP) !== 0,
    ref,
    fn: () => {
      if (a.interest !== i) return;
      if (!check(a).posted) markStuck(a);
    },
  };
  if (be.watch(rec, i)) {
    a.interest = i;
    a.wants = w;
  }
}

/** How often a stuck association is looked at again (on the loop, and by a blocked wait). */
const STUCK_MS = 10;

function markStuck(a: Assoc): void {
  if (a.stuck) return;
  a.stuck = setTimeout(() => {
    a.stuck = null;
    check(a);
  }, STUCK_MS);
  // Like the watch's interest: only an awaitable wait keeps the process alive for it.
  if (loopWaiters === 0) a.stuck.unref();
  const rec = table.get(a.s);
  if (a.interest && rec) be.unwatch(rec, a.interest);
  a.interest = null;
  a.wants = 0;
}

function drop(a: Assoc): void {
  if (a.stuck) clearTimeout(a.stuck);
  a.stuck = null;
  const rec = table.get(a.s);
  if (a.interest && rec) be.unwatch(rec, a.interest);
  a.interest = null;
  if (assocs.get(a.s) === a) assocs.delete(a.s);
}

function associate(s: SOCKET, ev: EventObject, mask: number): Assoc {
  const old = assocs.get(s);
  if (old) drop(old);
  const a: Assoc = {
    s,
    ev,
    mask,
    enabled: mask,
    record: 0,
    codes: new Array<number>(FD_MAX_EVENTS).fill(0),
    interest: null,
    wants: 0,
    stuck: null,
  };
  assocs.set(s, a);
  return a;
}

/**
 * Associates `hEventObject` with the FD_* events of `lNetworkEvents` on `s`,
 * replacing any earlier association and clearing the network event record
 * (Microsoft's page). Makes the socket nonblocking; FIONBIO 0 then fails with
 * WSAEINVAL until the association is cancelled (lNetworkEvents 0). Events whose
 * condition already holds are recorded at once.
 */
export function WSAEventSelect(s: SOCKET, hEventObject: WSAEVENT, lNetworkEvents: number): number {
  const rec = flat.lookup('WSAEventSelect', s);
  if (typeof lNetworkEvents !== 'number')
    throw new TypeError(`WSAEventSelect: lNetworkEvents must be a number, got ${describe(lNetworkEvents)}`);
  if (!rec) return K.SOCKET_ERROR;
  if (lNetworkEvents === 0) {
    // Cancels the association (hEventObject is ignored). Microsoft: the call makes the socket
    // nonblocking "regardless of the value of lNetworkEvents"; FIONBIO 0 works again after it.
    const old = assocs.get(s);
    if (old) drop(old);
    const saved = WSAGetLastError();
    api.ioctlsocket(s, K.FIONBIO, [1]);
    WSASetLastError(saved);
    return 0;
  }
  const ev = eventArg('WSAEventSelect', 'hEventObject', hEventObject);
  if (!ev || !Number.isInteger(lNetworkEvents) || (lNetworkEvents & ~SUPPORTED) !== 0) return fail(WSA.WSAEINVAL);
  // Probe the platform first, so that a refusal changes nothing.
  if (!be.netState(rec)) return K.SOCKET_ERROR;
  const saved = WSAGetLastError();
  api.ioctlsocket(s, K.FIONBIO, [1]);
  WSASetLastError(saved);
  check(associate(s, ev, lNetworkEvents));
  return 0;
}

/**
 * Returns (and clears) the network events recorded for `s` since the last
 * call, with their error codes at iErrorCode[FD_*_BIT]; resets hEventObject
 * when one is given (0 or null: none).
 */
export function WSAEnumNetworkEvents(s: SOCKET, hEventObject: WSAEVENT | null, lpNetworkEvents: WSANETWORKEVENTS): number {
  const rec = flat.lookup('WSAEnumNetworkEvents', s);
  if (lpNetworkEvents === null || typeof lpNetworkEvents !== 'object') {
    throw new TypeError(
      `WSAEnumNetworkEvents: lpNetworkEvents must be a WSANETWORKEVENTS object to fill, got ${describe(lpNetworkEvents)}`,
    );
  }
  if (!rec) return K.SOCKET_ERROR;
  let ev: EventObject | undefined;
  if (hEventObject !== null && hEventObject !== undefined && hEventObject !== WSA_INVALID_EVENT) {
    ev = eventArg('WSAEnumNetworkEvents', 'hEventObject', hEventObject);
    if (!ev) return fail(WSA.WSAEINVAL);
  }
  const a = assocs.get(s);
  // Microsoft: only the iErrorCode entries of the events recorded are set; the others are left as
  // they were (a C array always has its 10 ints: missing ones are made 0).
  const codes = Array.isArray(lpNetworkEvents.iErrorCode) ? lpNetworkEvents.iErrorCode : [];
  for (let b = 0; b < FD_MAX_EVENTS; b++) if (typeof codes[b] !== 'number') codes[b] = 0;
  let recorded = 0;
  if (a) {
    check(a);
    recorded = a.record;
    for (let b = 0; b < FD_MAX_EVENTS; b++) if (recorded & (1 << b)) codes[b] = a.codes[b]!;
    a.record = 0;
  }
  lpNetworkEvents.lNetworkEvents = recorded;
  lpNetworkEvents.iErrorCode = codes;
  if (ev) ev.signalled = false;
  return 0;
}

// --- the re-enabling calls, and closing ---------------------------------------------
onCall((s, call, rc) => {
  if (call === 'connect') {
    // FD_CONNECT follows a connect that started (WSAEWOULDBLOCK) or finished at once.
    if (rc === 0) connects.set(s, 0);
    else if (WSAGetLastError() === WSA.WSAEWOULDBLOCK) connects.set(s, 'pending');
  }
  const a = assocs.get(s);
  if (call === 'accept' && rc !== K.INVALID_SOCKET && a) {
    // Microsoft: the accepted socket has the listening socket's properties,
    // its WSAEventSelect association and network events selection among them.
    const saved = WSAGetLastError();
    api.ioctlsocket(rc, K.FIONBIO, [1]);
    WSASetLastError(saved);
    check(associate(rc, a.ev, a.mask));
  }
  if (!a) return;
  if (call === 'recv') a.enabled |= FD_READ;
  else if (call === 'accept') a.enabled |= FD_ACCEPT;
  // FD_WRITE is re-enabled only by a send that failed with WSAEWOULDBLOCK
  // (Microsoft: recorded on connect/accept, then after WSAEWOULDBLOCK once space frees).
  else if (call === 'send' && rc === K.SOCKET_ERROR && WSAGetLastError() === WSA.WSAEWOULDBLOCK) a.enabled |= FD_WRITE;
  check(a);
});

onClosed((s) => {
  const a = assocs.get(s);
  if (a) {
    a.interest = null; // the backend dropped the watch with the descriptor
    drop(a);
  }
  connects.delete(s);
});

setBlockingRefused((s) => assocs.has(s));

// --- the wait -----------------------------------------------------------------------
/** Checks WSAWaitForMultipleEvents' arguments; the events, or a WSA code. */
function waitArgs(fn: string, cEvents: unknown, lphEvents: unknown, dwTimeout: unknown): { evs: EventObject[]; timeout: number } | number {
  if (typeof cEvents !== 'number') throw new TypeError(`${fn}: cEvents must be a number, got ${describe(cEvents)}`);
  if (!Array.isArray(lphEvents)) throw new TypeError(`${fn}: lphEvents must be an array of WSAEVENT, got ${describe(lphEvents)}`);
  if (typeof dwTimeout !== 'number')
    throw new TypeError(`${fn}: dwTimeout must be a number (ms or WSA_INFINITE), got ${describe(dwTimeout)}`);
  if (!Number.isInteger(cEvents) || cEvents < 1 || cEvents > WSA_MAXIMUM_WAIT_EVENTS) return WSA.WSA_INVALID_PARAMETER;
  if (cEvents > lphEvents.length) throw new RangeError(`${fn}: cEvents (${cEvents}) is more than lphEvents holds (${lphEvents.length})`);
  // A DWORD: -1 is what C passes for INFINITE.
  if (!Number.isInteger(dwTimeout) || dwTimeout < -1 || dwTimeout > 0xffffffff) return WSA.WSA_INVALID_PARAMETER;
  const evs: EventObject[] = [];
  for (let i = 0; i < cEvents; i++) {
    const e = typeof lphEvents[i] === 'number' ? events.get(lphEvents[i] as number) : undefined;
    if (!e) return WSA.WSA_INVALID_HANDLE;
    evs.push(e);
  }
  return { evs, timeout: dwTimeout >>> 0 };
}

/** @internal The wait's answer now: WSA_WAIT_EVENT_0 + i, or -1 while not satisfied. */
export function satisfied(evs: { signalled: boolean }[], waitAll: boolean): number {
  if (waitAll) return evs.every((e) => e.signalled) ? WSA_WAIT_EVENT_0 : -1;
  const i = evs.findIndex((e) => e.signalled);
  return i < 0 ? -1 : WSA_WAIT_EVENT_0 + i;
}

/** @internal Looks at every association once (a wait starting, or one of its wakes). */
export function sweep(): void {
  for (const a of [...assocs.values()]) check(a);
}

/** @internal The argument check shared with the awaitable wait. */
export { waitArgs };

/**
 * Blocks the thread until `done()` or `deadline` (performance.now() ms;
 * Infinity: none), recording network events and completing queued operations
 * (overlapped I/O, promise operations) on the sockets involved as it goes.
 * 'failed' has set WSAGetLastError.
 */
export function driveUntil(done: () => boolean, deadline: number): 'done' | 'timeout' | 'failed' {
  for (;;) {
    sweep();
    if (done()) return 'done';
    const now = performance.now();
    if (now >= deadline) return 'timeout';
    const recs: SockBase[] = [];
    const wants: number[] = [];
    const what: Array<Assoc | SOCKET> = [];
    let stuck = false;
    for (const a of assocs.values()) {
      const rec = table.get(a.s);
      if (!rec) continue;
      if (a.stuck) {
        stuck = true;
        continue;
      }
      // check() just set a.wants for the loop's interest; a blocked thread needs the same.
      const st = be.netState(rec);
      const w = st ? wantsOf(a, st) : 0;
      if (!w) continue;
      recs.push(rec);
      wants.push(w);
      what.push(a);
    }
    for (const p of queue.pending()) {
      const rec = table.get(p.s);
      if (!rec) continue;
      recs.push(rec);
      wants.push((p.read ? NET_READ : 0) | (p.write ? NET_WRITE : 0) | NET_HUP);
      what.push(p.s);
    }
    if (recs.length === 0 && !stuck && deadline === Infinity) {
      // Nothing this thread waits on can ever set these events (no other
      // thread shares its handles): Windows would block for good. Say so instead.
      return (fail(WSA.WSA_INVALID_PARAMETER), 'failed');
    }
    const left = deadline === Infinity ? -1 : Math.ceil(deadline - now);
    const t = stuck ? (left < 0 ? STUCK_MS : Math.min(left, STUCK_MS)) : left;
    const ready = new Array<number>(recs.length).fill(0);
    const saved = WSAGetLastError();
    if (be.waitNet(recs, wants, ready, t) === K.SOCKET_ERROR) return 'failed';
    WSASetLastError(saved);
    what.forEach((w, i) => {
      const r = ready[i]!;
      if (!r) return;
      if (typeof w === 'number') {
        queue.pump(w, {
          readable: (r & (NET_READ | NET_HUP)) !== 0,
          writable: (r & (NET_WRITE | NET_HUP)) !== 0,
          disconnect: (r & NET_HUP) !== 0,
        });
      } else if (!check(w).posted) markStuck(w);
    });
  }
}

/**
 * Waits until one of the first `cEvents` events of `lphEvents` is signalled
 * (all of them with fWaitAll) or `dwTimeout` ms pass (WSA_INFINITE: no limit).
 * Returns WSA_WAIT_EVENT_0 + the lowest signalled index (WSA_WAIT_EVENT_0 with
 * fWaitAll), WSA_WAIT_TIMEOUT, or WSA_WAIT_FAILED (WSAGetLastError:
 * WSA_INVALID_PARAMETER, WSA_INVALID_HANDLE). The events are not reset.
 * This blocks the thread, as in C, while recording the network events of the
 * sockets associated with events and completing pending overlapped operations.
 * With fAlertable, completion routines of completed overlapped operations run
 * in the wait, which then returns WSA_WAIT_IO_COMPLETION (the events are
 * looked at first, as Windows' kernel wait does).
 */
export function WSAWaitForMultipleEvents(
  cEvents: number,
  lphEvents: WSAEVENT[],
  fWaitAll: boolean,
  dwTimeout: number,
  fAlertable: boolean,
): number {
  const args = waitArgs('WSAWaitForMultipleEvents', cEvents, lphEvents, dwTimeout);
  if (typeof args === 'number') return (fail(args), WSA_WAIT_FAILED);
  const { evs, timeout } = args;
  const deadline = timeout === WSA_INFINITE ? Infinity : performance.now() + timeout;
  let answer = -1;
  const r = driveUntil(() => (answer = satisfied(evs, Boolean(fWaitAll))) >= 0 || (Boolean(fAlertable) && apcs.length > 0), deadline);
  if (r === 'done' && answer < 0) {
    runApcs();
    return WSA_WAIT_IO_COMPLETION;
  }
  if (r === 'done') return answer;
  if (r === 'timeout') return WSA_WAIT_TIMEOUT;
  return WSA_WAIT_FAILED;
}

/** @internal For the awaitable wait: count it while it waits (associations then keep the process alive). */
export function loopWaiting(delta: 1 | -1): void {
  loopWaiters += delta;
  if ((delta === 1 && loopWaiters === 1) || (delta === -1 && loopWaiters === 0)) sweep();
}
