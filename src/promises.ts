// winsock-compat/promises: the flat calls, awaited. The same names, arguments
// and SOCKET handles as the flat API (Node's fs/promises convention); the flat
// API creates, binds and configures a socket, this module waits on it without
// blocking the event loop, whatever the socket's FIONBIO mode.
//
// How: every operation is the flat call itself, run as one attempt that never
// waits (state.ts's `attempt.nowait`), so each rule of the contract and each
// argument check is the flat API's own. An attempt that would block
// (WSAEWOULDBLOCK) queues the operation on its socket; the socket's one
// readiness watch on Node's loop (backend.watch, watch.ts) wakes the queue,
// which retries in order. Nothing waits on libuv's thread pool.
//
// Settling: success resolves; a failure rejects with a WinsockError (code,
// errno, syscall), never through WSAGetLastError, which this module leaves as
// it found it. Closing the socket (flat or promise closesocket, or the last
// WSACleanup) rejects what was pending on it with WSA_OPERATION_ABORTED (995);
// an aborted signal rejects with an AbortError and leaves the socket usable.
import * as api from './api.js';
import * as K from './constants.js';
import type { Linger, SockAddr, SOCKET, WSAPOLLFD } from './constants.js';
import { describe, WinsockError, WSA, WSAGetLastError, WSASetLastError } from './errors.js';
import { onClosed } from './hooks.js';
import { attempt, table } from './state.js';
import { backend as be } from './backends/select.js';
import type { Interest, Ready } from './backends/watch.js';
import { queue } from './queue-seam.js';

export { WinsockError } from './errors.js';
// Name resolution waits in libc (or ws2_32) itself, as dns.lookup does: the
// awaitable forms run that call on libuv's thread pool (names.ts).
export { getaddrinfoAsync as getaddrinfo, getnameinfoAsync as getnameinfo } from './names.js';

export interface Options {
  /** Aborting it rejects the pending operation with an AbortError; the socket stays usable. */
  signal?: AbortSignal;
}

// --- one attempt ---------------------------------------------------------------
/**
 * Runs a flat call as one attempt that never waits. Returns its result,
 * undefined when it would block, or throws a WinsockError naming `syscall`
 * (and lets the flat call's TypeError/RangeError through).
 */
function once(syscall: string, call: () => number): number | undefined {
  const saved = WSAGetLastError();
  attempt.nowait = true;
  try {
    const r = call();
    if (r !== K.SOCKET_ERROR) return r;
    const e = WSAGetLastError();
    if (e === WSA.WSAEWOULDBLOCK) return undefined;
    throw new WinsockError(e, syscall);
  } finally {
    attempt.nowait = false;
    WSASetLastError(saved);
  }
}

/** Node's AbortError: a DOMException whose `cause` is the signal's reason (the lib typings lack the options form). */
function abortError(signal: AbortSignal): DOMException {
  const options = { name: 'AbortError', cause: signal.reason } as unknown as string;
  return new DOMException('The operation was aborted', options);
}

function signalOf(fn: string, options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const { signal } = options as Options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${fn}: options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return signal;
}

// --- operations queued on a socket ----------------------------------------------
/** An operation that waits: `step` is one attempt (a number settles it, undefined waits on). */
interface Op {
  syscall: string;
  step: () => number | undefined;
  resolve: (v: number) => void;
  reject: (e: unknown) => void;
}

/** A queue nothing waits in: shared by every socket, frozen (a queue that gets an operation is a new array). */
const NONE = Object.freeze([]) as unknown as Op[];

/**
 * What waits on one socket: reads and writes each in order, and timer-driven
 * waits (a lingering close). It is also the socket's one Interest on its
 * watch, re-registered with new flags: a class with a method, so a socket
 * with a pending recv holds this one object, no closure or context (memory per
 * pending recv is what 10,000 connections multiply).
 */
class Waits implements Interest {
  reads = NONE;
  writes = NONE;
  /** Made on first need (a lingering close): most sockets never have one. */
  others: Set<Op> | null = null;
  /** Registered on the socket's watch now (with the flags below). */
  watching = false;
  readable = false;
  writable = false;
  constructor(readonly s: SOCKET) {}
  get ref(): boolean {
    return true;
  }
  fn(ev: Ready): void {
    pump(this.s, ev);
  }
}

const waiting = new Map<SOCKET, Waits>();

// Fairness: an operation that can complete at once settles at once, so a loop
// of them (a transfer whose reader keeps up, a WSAPoll on a ready socket) runs
// on microtasks alone and Node's loop never turns: no timer fires (a lingering
// close's own), no other socket or node:net stream is served. After YIELD_MS
// of settlements within one turn, later ones are delivered on the next turns
// (setImmediate), in the order they came (test/promises/transfer-loop-yields-to-event-loop.test.ts).
const YIELD_MS = 5;
let turnStart = -1;
let deferred = 0;

function deliver(fn: () => void): void {
  const now = performance.now();
  if (turnStart < 0) {
    turnStart = now;
    setImmediate(() => (turnStart = -1));
  }
  if (deferred === 0 && now - turnStart < YIELD_MS) return fn();
  deferred++;
  setImmediate(() => {
    deferred--;
    fn();
  });
}

/** Pending WSAPoll calls: each looks again whenever one of its sockets is ready or closed. */
const polls = new Set<() => void>();

function waitsOf(s: SOCKET): Waits {
  let w = waiting.get(s);
  if (!w) waiting.set(s, (w = new Waits(s)));
  return w;
}

/** Runs one attempt of `op`; true when it settled. */
function run(op: Op): boolean {
  let r: number | undefined;
  try {
    r = op.step();
  } catch (e) {
    op.reject(e);
    return true;
  }
  if (r === undefined) return false;
  op.resolve(r);
  return true;
}

// Sockets whose queues emptied during this turn of Node's loop. Their watch
// is stopped at the end of the turn (setImmediate), unless an operation was
// queued again by then: a loop that awaits one recv after another (a
// transfer's receiver) asks again within the same turn, and stopping then
// restarting its uv_poll cost two epoll_ctl calls per wait (libuv deletes the
// descriptor from its epoll set at once, then adds it again) for an interest
// that never changed.
const idle = new Set<SOCKET>();

function disarmIdle(): void {
  for (const s of idle) {
    idle.delete(s);
    const w = waiting.get(s);
    if (w) arm(s, w, true);
  }
}

/** Watches the socket for what its queues wait on (or stops), or fails them when it cannot be watched. */
function arm(s: SOCKET, w: Waits, now = false): void {
  const readable = w.reads.length > 0;
  const writable = w.writes.length > 0;
  const rec = table.get(s);
  if (w.watching && w.readable === readable && w.writable === writable) return;
  if (!readable && !writable && w.watching && !now) {
    if (idle.size === 0) setImmediate(disarmIdle);
    idle.add(s);
    return;
  }
  if (w.watching && rec) be.unwatch(rec, w);
  w.watching = false;
  if (!readable && !writable) {
    if (!w.others?.size) waiting.delete(s);
    return;
  }
  w.readable = readable;
  w.writable = writable;
  if (rec && be.watch(rec, w)) {
    w.watching = true;
    return;
  }
  // Not a live socket any more (its descriptor was closed behind the library's back).
  waiting.delete(s);
  for (const op of [...w.reads, ...w.writes]) op.reject(new WinsockError(WSA.WSAENOTSOCK, op.syscall));
}

/** Retries the queue's head until one would block again. */
function drain(s: SOCKET, w: Waits, q: Op[]): void {
  while (q.length > 0 && waiting.get(s) === w) {
    const op = q[0]!;
    if (!run(op)) return;
    if (q[0] === op) q.shift();
  }
}

function pump(s: SOCKET, ev: Ready): void {
  const w = waiting.get(s);
  if (!w) return;
  if (ev.readable || ev.disconnect) drain(s, w, w.reads);
  if (ev.writable || ev.disconnect) drain(s, w, w.writes);
  if (waiting.get(s) === w) arm(s, w);
}

/**
 * The promise of one operation on socket `s`. It is attempted at once unless
 * others of its direction wait before it (they complete in order), and queued
 * while it would block.
 */
function queued(
  s: SOCKET,
  dir: 'reads' | 'writes',
  syscall: string,
  options: unknown,
  attempt: (op: Queued) => number | undefined,
  buf?: Uint8Array,
  len?: number,
  flags?: number,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const signal = signalOf(syscall, options);
    if (signal?.aborted) return reject(abortError(signal));
    const op = new Queued(syscall, attempt, resolve, reject, signal, s, buf, len, flags);
    const onAbort = signal
      ? () => {
          const w = waiting.get(s);
          const q = w?.[dir];
          const i = q?.indexOf(op) ?? -1;
          if (i < 0) return;
          q!.splice(i, 1);
          arm(s, w!);
          reject(abortError(signal));
        }
      : undefined;
    op.onAbort = onAbort;
    const before = waiting.get(s)?.[dir].length ?? 0;
    if (before === 0 && run(op)) return;
    const w = waitsOf(s);
    // The first operation gets an array of its own, sized for one.
    if (w[dir].length === 0) w[dir] = [op];
    else w[dir].push(op);
    if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
    arm(s, w);
  });
}

/**
 * A queued operation. A class, not closures: a pending recv holds only this
 * (memory per pending operation is what 10,000 connections multiply). Its
 * attempt is a function shared by every operation of its kind that reads the
 * arguments from the operation (recv), or a closure over them (the rest).
 */
class Queued implements Op {
  onAbort: (() => void) | undefined;
  /** Progress across attempts: bytes received so far (recv with MSG_WAITALL). */
  got = 0;
  constructor(
    readonly syscall: string,
    private readonly attempt: (op: Queued) => number | undefined,
    private readonly res: (v: number) => void,
    private readonly rej: (e: unknown) => void,
    private readonly signal: AbortSignal | undefined,
    readonly s: SOCKET,
    readonly buf: Uint8Array | undefined,
    readonly len: number | undefined,
    readonly flags: number | undefined,
  ) {}
  step(): number | undefined {
    return this.attempt(this);
  }
  resolve(v: number): void {
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
    deliver(() => this.res(v));
  }
  reject(e: unknown): void {
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
    deliver(() => this.rej(e));
  }
}

// Closing a handle (flat closesocket, promise closesocket, the last WSACleanup)
// settles everything that waited on it; pending WSAPoll calls look again
// (a closed handle is POLLNVAL; after WSACleanup they are aborted).
onClosed((s) => {
  const w = waiting.get(s);
  if (w) {
    waiting.delete(s);
    for (const op of [...w.reads, ...w.writes, ...(w.others ?? [])]) op.reject(new WinsockError(WSA.WSA_OPERATION_ABORTED, op.syscall));
  }
  for (const look of [...polls]) look();
});

/** The length a send/recv means when `len` is omitted (the flat call checks the arguments). */
const lengthOf = (buf: unknown, len: unknown): number => (typeof len === 'number' ? len : buf instanceof Uint8Array ? buf.length : 0);

const isStream = (s: SOCKET): boolean => table.get(s)?.type === K.SOCK_STREAM;

// --- the calls -------------------------------------------------------------------
/** connect: resolves once the connection is established; rejects with how the handshake failed. */
export function connect(s: SOCKET, addr: SockAddr, options?: Options): Promise<void> {
  let started = false;
  return queued(s, 'writes', 'connect', options, () => {
    if (!started) {
      started = true;
      const r = once('connect', () => api.connect(s, addr));
      // On loopback the handshake has usually ended by the time connect
      // returns: one look (WSAPoll with no wait) before a watch on Node's loop
      // is made for it, which costs a watch (an epoll_ctl) and a turn of the loop.
      if (r !== undefined) return r;
      const rev = writableNow(s);
      if (!rev) return undefined;
      // Writable with neither POLLERR nor POLLHUP: established, and SO_ERROR
      // would say 0 (one syscall fewer, as the flat blocking connect does).
      // A failed handshake always shows POLLERR (and POLLHUP): SO_ERROR says how.
      if (rev === K.POLLWRNORM) return 0;
    }
    // The handshake ended (the socket is writable, or in error): SO_ERROR says how.
    const err = [0];
    once('connect', () => api.getsockopt(s, K.SOL_SOCKET, K.SO_ERROR, err));
    if (err[0]) throw new WinsockError(err[0], 'connect');
    return 0;
  }).then(() => undefined);
}

const look: WSAPOLLFD[] = [{ fd: 0, events: K.POLLWRNORM, revents: 0 }];
/** WSAPoll's revents for `s` right now (nonzero once its connect ended: writable or in error); leaves WSAGetLastError as it was. */
function writableNow(s: SOCKET): number {
  const saved = WSAGetLastError();
  const e = look[0]!;
  e.fd = s;
  e.revents = 0;
  const n = api.WSAPoll(look, 0);
  WSASetLastError(saved);
  return n > 0 ? e.revents : 0;
}

/** accept: resolves with the new SOCKET (which inherits the listener's properties, its FIONBIO mode included). */
export function accept(s: SOCKET, addrOut?: SockAddr, options?: Options): Promise<SOCKET> {
  return queued(s, 'reads', 'accept', options, () => once('accept', () => api.accept(s, addrOut)));
}

/** send: resolves once all `len` bytes are queued (what a blocking send does on a stream socket). */
export function send(s: SOCKET, buf: Uint8Array, len?: number, flags?: number, options?: Options): Promise<number> {
  return sendAll('send', s, buf, len, options, (b, n) => api.send(s, b, n, flags));
}

/** sendto: one datagram (on a stream socket, a send: the address is ignored, as in Winsock). */
export function sendto(s: SOCKET, buf: Uint8Array, len: number, flags: number, addr: SockAddr, options?: Options): Promise<number> {
  return sendAll('sendto', s, buf, len, options, (b, n) => api.sendto(s, b, n, flags, addr));
}

function sendAll(
  syscall: string,
  s: SOCKET,
  buf: Uint8Array,
  len: unknown,
  options: unknown,
  call: (b: Uint8Array, n: number) => number,
): Promise<number> {
  let off = 0;
  return queued(s, 'writes', syscall, options, () => {
    const total = lengthOf(buf, len);
    // The first attempt passes the program's own arguments, so the flat call checks them.
    const r = once(syscall, () => (off === 0 ? call(buf, len as number) : call(buf.subarray(off), total - off)));
    if (r === undefined) return undefined;
    off += r;
    return off >= total || !isStream(s) ? off : undefined;
  });
}

/** recv: resolves with the bytes read; 0 is the peer's FIN. With MSG_WAITALL on a stream, once `len` bytes arrived (or the FIN). */
export function recv(s: SOCKET, buf: Uint8Array, len?: number, flags?: number, options?: Options): Promise<number> {
  const all = typeof flags === 'number' && (flags & K.MSG_WAITALL) !== 0 && (flags & K.MSG_PEEK) === 0 && isStream(s);
  return queued(s, 'reads', 'recv', options, all ? recvAll : recvOnce, buf, len, flags);
}

// recv's attempts: shared functions, the arguments on the operation (no closure kept per pending recv).
const recvOnce = (op: Queued): number | undefined => once('recv', () => api.recv(op.s, op.buf!, op.len, op.flags));

function recvAll(op: Queued): number | undefined {
  const { s, buf, len, flags, got } = op;
  const total = lengthOf(buf, len);
  const r = once('recv', () =>
    got === 0 ? api.recv(s, buf!, len, flags! & ~K.MSG_WAITALL) : api.recv(s, buf!.subarray(got), total - got, flags! & ~K.MSG_WAITALL),
  );
  if (r === undefined) return undefined;
  op.got += r;
  return r === 0 || op.got >= total ? op.got : undefined;
}

/** recvfrom: resolves with the datagram's length; fills addrOut with its sender. */
export function recvfrom(s: SOCKET, buf: Uint8Array, len: number, flags: number, addrOut?: SockAddr, options?: Options): Promise<number> {
  return queued(s, 'reads', 'recvfrom', options, () => once('recvfrom', () => api.recvfrom(s, buf, len, flags, addrOut)));
}

/** How often a lingering close looks at the unsent data: there is no readiness event for "the send queue drained". */
const LINGER_POLL_MS = 10;

/**
 * closesocket with the blocking column of the linger table, without blocking
 * the loop: linger {1,N} with unsent data waits up to N seconds for it to be
 * sent and acknowledged, then resets (RST). Whatever waited on the socket is
 * rejected with WSA_OPERATION_ABORTED once it is closed.
 */
export function closesocket(s: SOCKET, options?: Options): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const signal = signalOf('closesocket', options);
    if (signal?.aborted) return reject(abortError(signal));
    let deadline = -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const op: Op = {
      syscall: 'closesocket',
      step: () => undefined,
      resolve: () => (finish(), resolve()),
      reject: (e) => (finish(), reject(e)),
    };
    const onAbort = () => op.reject(abortError(signal!));
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const w = waiting.get(s);
      w?.others?.delete(op);
      if (w) arm(s, w);
    }
    function tick() {
      // Off the socket's list while it closes it, so that its own success is not an abort.
      waiting.get(s)?.others?.delete(op);
      let r: number | undefined;
      try {
        r = once('closesocket', () => api.closesocket(s));
        if (r === undefined) {
          // WSAEWOULDBLOCK: linger {1,N} with unsent data. N counts from the first call.
          const now = performance.now();
          if (deadline < 0) {
            const l: Linger = { l_onoff: 0, l_linger: 0 };
            once('closesocket', () => api.getsockopt(s, K.SOL_SOCKET, K.SO_LINGER, l));
            deadline = now + l.l_linger * 1000;
          }
          if (now >= deadline) {
            // The linger time ran out: an abortive close, as a blocking closesocket does.
            once('closesocket', () => api.setsockopt(s, K.SOL_SOCKET, K.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
            r = once('closesocket', () => api.closesocket(s));
          }
        }
      } catch (e) {
        return op.reject(e);
      }
      if (r !== undefined) return op.resolve(0);
      const w = waitsOf(s);
      (w.others ??= new Set()).add(op);
      timer = setTimeout(tick, Math.max(1, Math.min(LINGER_POLL_MS, deadline - performance.now())));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

/**
 * Any revents at all: a ready entry, or one that is not a socket (POLLNVAL,
 * which Windows reports without counting it). Either ends the wait.
 */
const anyEvents = (fds: WSAPOLLFD[]): boolean => fds.some((p) => p.revents !== 0);

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/**
 * WSAPoll: resolves with the count of ready entries (filling each `revents`,
 * as the flat call does) once one is ready, or with 0 after `timeoutMs`
 * (negative: no limit). An entry that is not a socket, or a handle closed
 * while it waits, ends the wait too: its revents is POLLNVAL, which Windows
 * does not count in the result.
 */
export function WSAPoll(fds: WSAPOLLFD[], timeoutMs: number, options?: Options): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const signal = signalOf('WSAPoll', options);
    if (typeof timeoutMs !== 'number') throw new TypeError(`WSAPoll: timeout must be a number, got ${describe(timeoutMs)}`);
    // An INT in C: anything else cannot be passed (the flat call says the same).
    if (!Number.isInteger(timeoutMs) || timeoutMs < INT_MIN || timeoutMs > INT_MAX) {
      throw new WinsockError(WSA.WSAEINVAL, 'WSAPoll');
    }
    if (signal?.aborted) return reject(abortError(signal));
    // The first look checks the arguments like the flat call.
    const first = once('WSAPoll', () => api.WSAPoll(fds, 0))!;
    if (first > 0 || timeoutMs === 0 || anyEvents(fds)) return deliver(() => resolve(first));
    const watched: Array<[SOCKET, Interest]> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      polls.delete(look);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const [h, i] of watched) {
        const rec = table.get(h);
        if (rec) be.unwatch(rec, i);
      }
    };
    const settle = (r: number) => (finish(), resolve(r));
    function look(): void {
      let r: number;
      try {
        r = once('WSAPoll', () => api.WSAPoll(fds, 0))!;
      } catch (e) {
        finish();
        const code = e instanceof WinsockError ? e.errno : 0;
        // Every socket it waited on was closed meanwhile: the wait is over, each entry POLLNVAL.
        if (code === WSA.WSAENOTSOCK) {
          for (const p of fds) p.revents = table.has(p.fd) ? 0 : K.POLLNVAL;
          return resolve(0);
        }
        // The last WSACleanup: it was aborted.
        return reject(code === WSA.WSANOTINITIALISED ? new WinsockError(WSA.WSA_OPERATION_ABORTED, 'WSAPoll') : e);
      }
      if (r > 0 || anyEvents(fds)) settle(r);
    }
    const onAbort = () => (finish(), reject(abortError(signal!)));
    for (const p of fds) {
      const rec = table.get(p.fd);
      if (!rec) continue;
      const i: Interest = {
        readable: (p.events & (K.POLLRDNORM | K.POLLRDBAND)) !== 0,
        writable: (p.events & (K.POLLWRNORM | K.POLLWRBAND)) !== 0,
        // POLLHUP and POLLERR are reported whatever was asked; each wake looks once and settles on them.
        disconnect: true,
        ref: true,
        fn: look,
      };
      if (be.watch(rec, i)) watched.push([p.fd, i]);
    }
    polls.add(look);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs > 0) timer = setTimeout(() => settle(once('WSAPoll', () => api.WSAPoll(fds, 0))!), timeoutMs);
  });
}

export interface GracefulCloseOptions extends Options {
  /** How long the peer has to finish (its FIN) before the close turns abortive (RST). Default 5000 ms. */
  timeoutMs?: number;
}

export interface GracefulCloseResult {
  /** true when the peer's FIN arrived in time and nothing failed: both directions closed cleanly. */
  graceful: boolean;
  /** The timeout passed first: the connection was reset (linger {1,0}) instead. */
  timedOut: boolean;
  /** Bytes the peer still sent after our FIN, read and discarded. */
  bytesDrained: number;
  /** What ended the exchange early (e.g. WSAECONNRESET: the peer reset), if anything. */
  error?: WinsockError;
}

export const GRACEFUL_CLOSE_TIMEOUT_MS = 5000;

/**
 * Microsoft's graceful shutdown sequence: shutdown(SD_SEND) (our FIN), recv
 * until it returns 0 (the peer's FIN), then closesocket. If `timeoutMs` passes
 * first, an abortive close (RST) and `graceful: false`.
 */
export async function gracefulClose(s: SOCKET, options?: GracefulCloseOptions): Promise<GracefulCloseResult> {
  const signal = signalOf('gracefulClose', options);
  const timeoutMs = options?.timeoutMs ?? GRACEFUL_CLOSE_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number') throw new TypeError(`gracefulClose: options.timeoutMs must be a number, got ${describe(timeoutMs)}`);
  if (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs))
    throw new RangeError(`gracefulClose: options.timeoutMs must be a finite number >= 0, got ${timeoutMs}`);
  if (signal?.aborted) throw abortError(signal);
  let error: WinsockError | undefined;
  let timedOut = false;
  let bytesDrained = 0;
  try {
    once('shutdown', () => api.shutdown(s, K.SD_SEND));
  } catch (e) {
    // A reset connection has nothing to shut down gracefully: report it, then close. Any other
    // failure (not a socket, not connected, not started) rejects and leaves the handle as it was.
    if (!(e instanceof WinsockError) || (e.errno !== WSA.WSAECONNRESET && e.errno !== WSA.WSAECONNABORTED)) throw e;
    error = e;
  }
  if (!error) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    const scratch = Buffer.allocUnsafe(16384);
    try {
      for (;;) {
        const n = await recv(s, scratch, scratch.length, 0, { signal: both });
        if (n === 0) break;
        bytesDrained += n;
      }
    } catch (e) {
      if (signal?.aborted) throw e;
      if (timeout.signal.aborted) timedOut = true;
      else if (e instanceof WinsockError && e.errno !== WSA.WSA_OPERATION_ABORTED) error = e;
      else throw e;
    } finally {
      clearTimeout(timer);
    }
  }
  // Linger is a stream option: a datagram socket that timed out just closes.
  if (timedOut && isStream(s)) once('setsockopt', () => api.setsockopt(s, K.SOL_SOCKET, K.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
  await closesocket(s);
  return { graceful: !timedOut && !error, timedOut, bytesDrained, ...(error ? { error } : {}) };
}

// --- the queue, shared with overlapped I/O and the flat event wait (src/queue-seam.ts) ---
queue.queued = queued;
queue.pump = pump;
// A socket whose queues emptied this turn keeps its entry (and watch) until
// the turn ends (see `idle`): nothing waits on it, so it is not listed.
queue.pending = () =>
  [...waiting]
    .filter(([, w]) => w.reads.length > 0 || w.writes.length > 0 || (w.others?.size ?? 0) > 0)
    .map(([s, w]) => ({ s, read: w.reads.length > 0, write: w.writes.length > 0 }));

export { WSAWaitForMultipleEvents } from './events-promises.js';
