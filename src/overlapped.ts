// Overlapped I/O: WSASocket, WSASend / WSARecv / WSASendTo / WSARecvFrom with
// WSABUF arrays and a WSAOVERLAPPED whose hEvent is signalled on completion,
// WSAGetOverlappedResult, and cancellation by closesocket (Microsoft's WSARecv,
// WSASend and WSAGetOverlappedResult pages).
//
// How (docs/porting.md, "Overlapped I/O"): an overlapped operation is one
// operation of the promise layer's per-socket queue (src/queue-seam.ts), so it
// completes in order with the socket's other operations and through the same
// attempts: at once when it can (the call returns 0, fills the count and still
// signals hEvent), else later (SOCKET_ERROR, WSA_IO_PENDING), driven by
// whichever runs first: the socket's readiness watch while Node's loop runs, or
// a thread blocked in WSAWaitForMultipleEvents / WSAGetOverlappedResult(fWait),
// which polls the sockets of pending operations and runs their attempts
// (events.ts, driveUntil). Completion is recorded synchronously inside the
// attempt, so a blocked thread sees it without returning to the loop.
import * as K from './constants.js';
import type { SockAddr, SOCKET } from './constants.js';
import { describe, fail, WSA, WSAGetLastError, WSASetLastError } from './errors.js';
import { onClosed } from './hooks.js';
import * as api from './api.js';
import { attempt, flat, table } from './state.js';
import { driveUntil, eventOf, queueApc, resetEventObject, setEventObject, type WSAEVENT } from './events.js';
import { queue } from './queue-seam.js';
// The queue lives in the promise layer: load it (it fills queue-seam.ts in).
import './promises.js';

// --- constants (winsock2.h, ntstatus.h) ---------------------------------------------
export const WSA_FLAG_OVERLAPPED = 0x01;
export const WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
/** What WSAOVERLAPPED.Internal holds while the operation runs (Windows' STATUS_PENDING). */
export const STATUS_PENDING = 0x103;

/** One buffer of a scatter/gather list: the first `len` bytes of `buf`. */
export interface WSABUF {
  len: number;
  buf: Uint8Array;
}

/**
 * WSAOVERLAPPED: `hEvent` is signalled when the operation completes. Internal
 * is STATUS_PENDING while it runs, then 0 or the WSA code it failed with;
 * InternalHigh the bytes transferred (what HasOverlappedIoCompleted reads).
 */
export interface WSAOVERLAPPED {
  Internal: number;
  InternalHigh: number;
  Offset: number;
  OffsetHigh: number;
  hEvent: WSAEVENT | null;
}

export type LPWSAOVERLAPPED_COMPLETION_ROUTINE = (
  dwError: number,
  cbTransferred: number,
  lpOverlapped: WSAOVERLAPPED,
  dwFlags: number,
) => void;

/** A zeroed WSAOVERLAPPED (C's `WSAOVERLAPPED ov = {0}`), with `hEvent` set. */
export function newOverlapped(hEvent: WSAEVENT | null = null): WSAOVERLAPPED {
  return { Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent };
}

/** winbase.h's macro: the operation is no longer pending. */
export function HasOverlappedIoCompleted(lpOverlapped: WSAOVERLAPPED): boolean {
  return lpOverlapped.Internal !== STATUS_PENDING;
}

// --- operations -----------------------------------------------------------------------
interface OpState {
  s: SOCKET;
  syscall: string;
  done: boolean;
  error: number;
  bytes: number;
  flags: number;
  ov: WSAOVERLAPPED;
  ev: { signalled: boolean } | undefined;
  /** The completion routine, run by the thread's next alertable wait (hEvent is then the program's own). */
  routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | undefined;
}

const ops = new WeakMap<WSAOVERLAPPED, OpState>();
const pending = new Map<SOCKET, Set<OpState>>();

function complete(op: OpState, error: number, bytes: number, flags = 0): void {
  if (op.done) return;
  op.done = true;
  op.error = error;
  op.bytes = bytes;
  op.flags = flags;
  op.ov.Internal = error;
  op.ov.InternalHigh = bytes;
  pending.get(op.s)?.delete(op);
  if (op.ev) setEventObject(op.ev);
  const routine = op.routine;
  if (routine) queueApc(() => routine(error, bytes, op.ov, flags));
}

// Microsoft: closesocket completes the operations still pending on the socket
// with WSA_OPERATION_ABORTED (their events are signalled). The queue rejects
// its own copy of each; that rejection is caught and ignored below.
onClosed((s) => {
  const set = pending.get(s);
  if (!set) return;
  pending.delete(s);
  for (const op of [...set]) complete(op, WSA.WSA_OPERATION_ABORTED, 0);
});

type Attempt = number | undefined | { error: number };

/** One attempt of a flat call that never waits: bytes, undefined (it would block) or the error. */
function tryOnce(call: () => number): Attempt {
  attempt.nowait = true;
  try {
    const r = call();
    if (r !== K.SOCKET_ERROR) return r;
    const e = WSAGetLastError();
    return e === WSA.WSAEWOULDBLOCK ? undefined : { error: e };
  } finally {
    attempt.nowait = false;
  }
}

/**
 * Runs an overlapped operation through the socket's queue. `step` is one
 * attempt; it returns the bytes once the operation is whole. Returns the
 * call's result: 0 (completed at once, hEvent signalled) or SOCKET_ERROR
 * (WSA_IO_PENDING, or the error it failed with at once: no completion then).
 */
function start(
  syscall: string,
  s: SOCKET,
  dir: 'reads' | 'writes',
  ov: WSAOVERLAPPED,
  routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null | undefined,
  count: number[] | null | undefined,
  step: () => Attempt,
  onDone?: () => void,
): number {
  const old = ops.get(ov);
  // Windows leaves a WSAOVERLAPPED in use undefined; refusing it keeps the first operation's result.
  if (old && !old.done) return fail(WSA.WSAEINVAL);
  // With a completion routine hEvent is the program's to use (Microsoft's WSARecv page): not touched.
  const ev = !routine && ov.hEvent ? eventOf(ov.hEvent) : undefined;
  const op: OpState = { s, syscall, done: false, error: 0, bytes: 0, flags: 0, ov, ev, routine: routine ?? undefined };
  ops.set(ov, op);
  // Windows' I/O manager resets the event when the operation starts.
  if (ev) resetEventObject(ev);
  ov.Internal = STATUS_PENDING;
  ov.InternalHigh = 0;
  let sync = true;
  let now: Attempt;
  const p = queue.queued(s, dir, syscall, undefined, () => {
    // A later attempt runs from the loop or a blocked wait: it leaves WSAGetLastError alone.
    const saved = WSAGetLastError();
    const r = step();
    if (!sync) WSASetLastError(saved);
    if (r === undefined) return undefined;
    if (sync) now = r;
    else if (typeof r === 'number') (onDone?.(), complete(op, 0, r));
    else complete(op, r.error, 0);
    return 0;
  });
  p.catch(() => {});
  sync = false;
  if (now === undefined) {
    let set = pending.get(s);
    if (!set) pending.set(s, (set = new Set()));
    set.add(op);
    return fail(WSA.WSA_IO_PENDING);
  }
  if (typeof now === 'number') {
    onDone?.();
    complete(op, 0, now);
    if (count) count[0] = now;
    return 0;
  }
  // Failed at once: reported by the call, and no completion follows.
  op.done = true;
  op.error = now.error;
  ov.Internal = now.error;
  return fail(now.error);
}

// --- argument checks -------------------------------------------------------------------
function buffersArg(fn: string, lpBuffers: unknown, dwBufferCount: unknown): WSABUF[] | undefined {
  if (!Array.isArray(lpBuffers))
    throw new TypeError(`${fn}: lpBuffers must be an array of WSABUF { len, buf }, got ${describe(lpBuffers)}`);
  if (typeof dwBufferCount !== 'number') throw new TypeError(`${fn}: dwBufferCount must be a number, got ${describe(dwBufferCount)}`);
  if (!Number.isInteger(dwBufferCount) || dwBufferCount < 0 || dwBufferCount > lpBuffers.length) {
    throw new RangeError(`${fn}: dwBufferCount must be an integer from 0 to lpBuffers.length (${lpBuffers.length}), got ${dwBufferCount}`);
  }
  const bufs = lpBuffers.slice(0, dwBufferCount) as WSABUF[];
  let bad = false;
  bufs.forEach((b, i) => {
    if (b === null || typeof b !== 'object' || typeof b.len !== 'number' || !(b.buf instanceof Uint8Array)) {
      throw new TypeError(`${fn}: lpBuffers[${i}] must be a WSABUF { len: number, buf: Uint8Array }, got ${describe(b)}`);
    }
    // A len beyond the buffer would make Windows touch memory it does not own: WSAEFAULT.
    if (!Number.isInteger(b.len) || b.len < 0 || b.len > b.buf.length) bad = true;
  });
  return bad ? void fail(WSA.WSAEFAULT) : bufs;
}

function overlappedArg(fn: string, ov: unknown, routine: unknown): WSAOVERLAPPED | null | undefined {
  if (routine !== undefined && routine !== null && typeof routine !== 'function') {
    throw new TypeError(`${fn}: lpCompletionRoutine must be a function or null, got ${describe(routine)}`);
  }
  if (ov === undefined || ov === null) return null;
  if (typeof ov !== 'object' || !('hEvent' in ov))
    throw new TypeError(`${fn}: lpOverlapped must be a WSAOVERLAPPED { hEvent, ... } or null, got ${describe(ov)}`);
  const h = (ov as WSAOVERLAPPED).hEvent;
  if (h !== null && h !== 0 && typeof h !== 'number')
    throw new TypeError(`${fn}: lpOverlapped.hEvent must be a WSAEVENT or null, got ${describe(h)}`);
  return ov as WSAOVERLAPPED;
}

function outArg(fn: string, arg: string, v: unknown, required: boolean): number[] | null {
  if (v === undefined || v === null) {
    if (required) throw new TypeError(`${fn}: ${arg} must be an array (${arg}[0] is the DWORD), got ${describe(v)}`);
    return null;
  }
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${arg} must be an array (${arg}[0] is the DWORD) or null, got ${describe(v)}`);
  return v as number[];
}

const total = (bufs: WSABUF[]): number => bufs.reduce((n, b) => n + b.len, 0);

/** Gathers the buffers into one (a copy taken at the call: what is sent is what they held then). */
function gather(bufs: WSABUF[]): Uint8Array {
  if (bufs.length === 1) return new Uint8Array(bufs[0]!.buf.subarray(0, bufs[0]!.len));
  return Buffer.concat(bufs.map((b) => b.buf.subarray(0, b.len)));
}

/** Scatters the first `n` bytes of `from` over the buffers, in order. */
function scatter(from: Uint8Array, n: number, bufs: WSABUF[]): void {
  if (bufs.length === 1 && from === bufs[0]!.buf) return;
  let off = 0;
  for (const b of bufs) {
    if (off >= n) break;
    const k = Math.min(b.len, n - off);
    b.buf.set(from.subarray(off, off + k), 0);
    off += k;
  }
}

// --- the calls -------------------------------------------------------------------------
/**
 * WSASocket: socket() with Winsock 2's flags. Every socket of this library can
 * take overlapped operations (as socket() makes them on Windows), so
 * WSA_FLAG_OVERLAPPED changes nothing; lpProtocolInfo and groups are refused
 * (WSAEINVAL) rather than ignored.
 */
export function WSASocket(af: number, type: number, protocol: number, lpProtocolInfo: unknown, g: number, dwFlags: number): SOCKET {
  if (typeof g !== 'number') throw new TypeError(`WSASocket: g must be a number, got ${describe(g)}`);
  if (typeof dwFlags !== 'number') throw new TypeError(`WSASocket: dwFlags must be a number, got ${describe(dwFlags)}`);
  if (
    (lpProtocolInfo !== null && lpProtocolInfo !== undefined) ||
    g !== 0 ||
    (dwFlags & ~(WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT)) !== 0
  ) {
    return fail(WSA.WSAEINVAL);
  }
  return api.socket(af, type, protocol);
}

function recvCommon(
  fn: string,
  s: SOCKET,
  lpBuffers: WSABUF[],
  dwBufferCount: number,
  lpNumberOfBytesRecvd: number[] | null,
  lpFlags: number[],
  from: { addr: SockAddr | undefined; len: number[] | null } | undefined,
  lpOverlapped: WSAOVERLAPPED | null | undefined,
  lpCompletionRoutine: unknown,
): number {
  const routine = lpCompletionRoutine as LPWSAOVERLAPPED_COMPLETION_ROUTINE | null | undefined;
  const rec = flat.lookup(fn, s);
  const bufs = buffersArg(fn, lpBuffers, dwBufferCount);
  const count = outArg(fn, 'lpNumberOfBytesRecvd', lpNumberOfBytesRecvd, false);
  const flagsOut = outArg(fn, 'lpFlags', lpFlags, true)!;
  if (typeof flagsOut[0] !== 'number')
    throw new TypeError(`${fn}: lpFlags[0] must be a number (the flags in), got ${describe(flagsOut[0])}`);
  const ov = overlappedArg(fn, lpOverlapped, lpCompletionRoutine);
  if (!rec || !bufs) return K.SOCKET_ERROR;
  const flags = flagsOut[0];
  const n = total(bufs);
  const tmp = bufs.length === 1 ? bufs[0]!.buf : Buffer.alloc(n);
  const stream = rec.type === K.SOCK_STREAM;
  const waitAll = stream && (flags & K.MSG_WAITALL) !== 0 && (flags & K.MSG_PEEK) === 0;
  const call = (off: number): number => {
    const b = off === 0 ? tmp : tmp.subarray(off);
    const f = ov && waitAll ? flags & ~K.MSG_WAITALL : flags;
    return from ? api.recvfrom(s, b, n - off, f, from.addr) : api.recv(s, b, n - off, f);
  };
  const finish = (got: number) => {
    scatter(tmp, got, bufs);
    flagsOut[0] = 0;
    if (from?.len) from.len[0] = rec.af === K.AF_INET6 ? 28 : 16;
  };
  if (!ov) {
    // Not overlapped: recv's own rules, blocking or not as the socket's mode says.
    const r = call(0);
    if (r === K.SOCKET_ERROR) return r;
    finish(r);
    if (count) count[0] = r;
    return 0;
  }
  let got = 0;
  return start(fn, s, 'reads', ov, routine, count, () => {
    const r = tryOnce(() => call(got));
    if (r === undefined || typeof r !== 'number') return got > 0 && r !== undefined ? (finish(got), got) : r;
    got += r;
    // MSG_WAITALL on a stream: complete once the buffers are full, or at the peer's FIN.
    if (waitAll && r > 0 && got < n) return undefined;
    finish(got);
    return got;
  });
}

/** WSARecv: scatter into `lpBuffers`; lpFlags[0] in (MSG_PEEK, MSG_OOB, MSG_WAITALL) and out. */
export function WSARecv(
  s: SOCKET,
  lpBuffers: WSABUF[],
  dwBufferCount: number,
  lpNumberOfBytesRecvd: number[] | null,
  lpFlags: number[],
  lpOverlapped: WSAOVERLAPPED | null,
  lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  return recvCommon('WSARecv', s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, undefined, lpOverlapped, lpCompletionRoutine);
}

/** WSARecvFrom: WSARecv that also fills lpFrom with the sender (lpFromlen[0] with its C size). */
export function WSARecvFrom(
  s: SOCKET,
  lpBuffers: WSABUF[],
  dwBufferCount: number,
  lpNumberOfBytesRecvd: number[] | null,
  lpFlags: number[],
  lpFrom: SockAddr | null,
  lpFromlen: number[] | null,
  lpOverlapped: WSAOVERLAPPED | null,
  lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  const len = outArg('WSARecvFrom', 'lpFromlen', lpFromlen, false);
  return recvCommon(
    'WSARecvFrom',
    s,
    lpBuffers,
    dwBufferCount,
    lpNumberOfBytesRecvd,
    lpFlags,
    { addr: lpFrom ?? undefined, len },
    lpOverlapped,
    lpCompletionRoutine,
  );
}

function sendCommon(
  fn: string,
  s: SOCKET,
  lpBuffers: WSABUF[],
  dwBufferCount: number,
  lpNumberOfBytesSent: number[] | null,
  dwFlags: number,
  to: SockAddr | undefined,
  lpOverlapped: WSAOVERLAPPED | null | undefined,
  lpCompletionRoutine: unknown,
): number {
  const routine = lpCompletionRoutine as LPWSAOVERLAPPED_COMPLETION_ROUTINE | null | undefined;
  const rec = flat.lookup(fn, s);
  const bufs = buffersArg(fn, lpBuffers, dwBufferCount);
  const count = outArg(fn, 'lpNumberOfBytesSent', lpNumberOfBytesSent, false);
  if (typeof dwFlags !== 'number') throw new TypeError(`${fn}: dwFlags must be a number, got ${describe(dwFlags)}`);
  const ov = overlappedArg(fn, lpOverlapped, lpCompletionRoutine);
  if (!rec || !bufs) return K.SOCKET_ERROR;
  const data = gather(bufs);
  const n = data.length;
  const call = (off: number): number => {
    const b = off === 0 ? data : data.subarray(off);
    return to ? api.sendto(s, b, n - off, dwFlags, to) : api.send(s, b, n - off, dwFlags);
  };
  if (!ov) {
    const r = call(0);
    if (r === K.SOCKET_ERROR) return r;
    if (count) count[0] = r;
    return 0;
  }
  let off = 0;
  const stream = rec.type === K.SOCK_STREAM;
  // An overlapped send on a stream completes once every byte is queued (what Windows reports).
  return start(fn, s, 'writes', ov, routine, count, () => {
    const r = tryOnce(() => call(off));
    if (r === undefined || typeof r !== 'number') return off > 0 && r !== undefined ? off : r;
    off += r;
    return stream && off < n ? undefined : off;
  });
}

/** WSASend: gather `lpBuffers` into one send. */
export function WSASend(
  s: SOCKET,
  lpBuffers: WSABUF[],
  dwBufferCount: number,
  lpNumberOfBytesSent: number[] | null,
  dwFlags: number,
  lpOverlapped: WSAOVERLAPPED | null,
  lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  return sendCommon('WSASend', s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, undefined, lpOverlapped, lpCompletionRoutine);
}

/** WSASendTo: WSASend to `lpTo` (iTolen is C's size of it, not needed here). */
export function WSASendTo(
  s: SOCKET,
  lpBuffers: WSABUF[],
  dwBufferCount: number,
  lpNumberOfBytesSent: number[] | null,
  dwFlags: number,
  lpTo: SockAddr,
  iTolen: number,
  lpOverlapped: WSAOVERLAPPED | null,
  lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  void iTolen;
  return sendCommon('WSASendTo', s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, lpOverlapped, lpCompletionRoutine);
}

/**
 * WSAGetOverlappedResult: TRUE with the bytes transferred once the operation
 * completed; FALSE with WSA_IO_INCOMPLETE while it runs (fWait false), or with
 * the code it failed with (WSA_OPERATION_ABORTED after closesocket). fWait
 * true blocks the thread until it completes, driving it (and recording the
 * network events of associated sockets) meanwhile. The socket may already be
 * closed: the result of an aborted operation is still read this way.
 */
export function WSAGetOverlappedResult(
  s: SOCKET,
  lpOverlapped: WSAOVERLAPPED,
  lpcbTransfer: number[],
  fWait: boolean,
  lpdwFlags: number[],
): boolean {
  if (typeof s !== 'number') throw new TypeError(`WSAGetOverlappedResult: s must be a SOCKET (number), got ${describe(s)}`);
  const ov = overlappedArg('WSAGetOverlappedResult', lpOverlapped, null);
  if (!ov) throw new TypeError('WSAGetOverlappedResult: lpOverlapped must be a WSAOVERLAPPED');
  const cb = outArg('WSAGetOverlappedResult', 'lpcbTransfer', lpcbTransfer, true)!;
  const fl = outArg('WSAGetOverlappedResult', 'lpdwFlags', lpdwFlags, true)!;
  const op = ops.get(ov);
  // Never given to an operation: nothing to report.
  if (!op) return (fail(WSA.WSAEINVAL), false);
  if (!op.done) {
    if (!fWait) return (fail(WSA.WSA_IO_INCOMPLETE), false);
    if (driveUntil(() => op.done, Infinity) === 'failed') return false;
  }
  cb[0] = op.bytes;
  fl[0] = op.flags;
  if (op.error) return (fail(op.error), false);
  return true;
}

/** @internal The operations still pending (tests, resource checks). */
export function pendingOverlapped(s: SOCKET): number {
  return table.has(s) ? (pending.get(s)?.size ?? 0) : 0;
}
