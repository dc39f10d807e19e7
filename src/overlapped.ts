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
import { describe, fail, WinsockError, WSA, WSAGetLastError, WSASetLastError } from './errors.js';
import { closed, onClosed, setExtensionOption } from './hooks.js';
import * as api from './api.js';
import { attempt, flat, table } from './state.js';
import { release, reserve } from './shared-table.js';
import { bytesToIp, checkSockAddrOut, ipToBytes } from './sockaddr.js';
import { backend as be } from './backends/select.js';
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

/**
 * The queue rejected the operation: closing the socket (already completed by
 * the onClosed listener above, which runs first) or a descriptor that can no
 * longer be watched (closed behind the library's back): it completes with that error.
 */
function settleRejected(op: OpState, e: unknown): void {
  complete(op, e instanceof WinsockError ? e.errno : WSA.WSAENOTSOCK, 0);
}

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
  p.catch((e: unknown) => settleRejected(op, e));
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
  // Microsoft: on failure lpcbTransfer is not updated.
  if (op.error) return (fail(op.error), false);
  cb[0] = op.bytes;
  fl[0] = op.flags;
  return true;
}

// --- Microsoft's extensions: AcceptEx, GetAcceptExSockaddrs, DisconnectEx (mswsock.h) ---------
// Reached the way real code reaches them: WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_*).
export const SIO_GET_EXTENSION_FUNCTION_POINTER = 0xc8000006;
/** The GUIDs, as their usual text form (WSAIoctl also takes them with braces, in any case). */
export const WSAID_ACCEPTEX = 'b5367df1-cbac-11cf-95ca-00805f48a192';
export const WSAID_GETACCEPTEXSOCKADDRS = 'b5367df2-cbac-11cf-95ca-00805f48a192';
export const WSAID_DISCONNECTEX = '7fda2e11-8630-436f-a031-f536a6eec157';
export const TF_DISCONNECT = 0x01;
export const TF_REUSE_SOCKET = 0x02;
export const SO_UPDATE_ACCEPT_CONTEXT = 0x700b;

export type LPFN_ACCEPTEX = typeof AcceptEx;
export type LPFN_GETACCEPTEXSOCKADDRS = typeof GetAcceptExSockaddrs;
export type LPFN_DISCONNECTEX = typeof DisconnectEx;

/** sizeof(SOCKADDR_IN) / sizeof(SOCKADDR_IN6), as C code computes the address lengths. */
const sockaddrSize = (af: number): number => (af === K.AF_INET6 ? 28 : 16);

/**
 * An address block of AcceptEx's output buffer: the address's length (an
 * int), then the address in Windows' SOCKADDR layout (family, port in network
 * order, address), as Windows writes it and GetAcceptExSockaddrs reads it.
 */
function writeAddrBlock(buf: Uint8Array, off: number, a: SockAddr): void {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = sockaddrSize(a.family);
  b.fill(0, off, off + 4 + size);
  b.writeInt32LE(size, off);
  b.writeUInt16LE(a.family, off + 4);
  b.writeUInt16BE(a.port, off + 6);
  b.set(ipToBytes(a.family, a.address), off + 4 + (a.family === K.AF_INET6 ? 8 : 4));
}

function readAddrBlock(buf: Uint8Array, off: number, out: SockAddr): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = b.readInt32LE(off);
  const family = b.readUInt16LE(off + 4);
  out.family = family;
  out.port = b.readUInt16BE(off + 6);
  out.address = family === K.AF_INET6 ? bytesToIp(b.subarray(off + 12, off + 28)) : bytesToIp(b.subarray(off + 8, off + 12));
  return size;
}

/** A record nothing else uses any more leaves the table for good (AcceptEx's temporary handle). */
function dropHandle(h: SOCKET): void {
  table.delete(h);
  closed(h);
}

/**
 * AcceptEx: accepts a connection into `sAcceptSocket`, a socket the program
 * created and left unbound, and with dwReceiveDataLength > 0 completes only
 * once the first data arrived (the count is its length). The local and remote
 * addresses follow the data in lpOutputBuffer (read them with
 * GetAcceptExSockaddrs). TRUE when it completed at once; FALSE with
 * WSA_IO_PENDING, then hEvent is signalled. Closing either socket aborts it.
 * On Linux accept4 makes a new descriptor: it is moved under sAcceptSocket's
 * handle (backend.adopt), whose own unused descriptor is closed.
 */
export function AcceptEx(
  sListenSocket: SOCKET,
  sAcceptSocket: SOCKET,
  lpOutputBuffer: Uint8Array,
  dwReceiveDataLength: number,
  dwLocalAddressLength: number,
  dwRemoteAddressLength: number,
  lpdwBytesReceived: number[] | null,
  lpOverlapped: WSAOVERLAPPED,
): boolean {
  const fn = 'AcceptEx';
  const lrec = flat.lookup(fn, sListenSocket);
  if (!lrec) return false;
  const arec = flat.lookup(fn, sAcceptSocket);
  if (!arec) return false;
  if (!(lpOutputBuffer instanceof Uint8Array))
    throw new TypeError(`${fn}: lpOutputBuffer must be a Buffer or Uint8Array, got ${describe(lpOutputBuffer)}`);
  for (const [arg, v] of [
    ['dwReceiveDataLength', dwReceiveDataLength],
    ['dwLocalAddressLength', dwLocalAddressLength],
    ['dwRemoteAddressLength', dwRemoteAddressLength],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new TypeError(`${fn}: ${arg} must be an integer >= 0, got ${describe(v)}`);
  }
  const count = outArg(fn, 'lpdwBytesReceived', lpdwBytesReceived, false);
  const ov = overlappedArg(fn, lpOverlapped, null);
  // Microsoft: lpOverlapped cannot be NULL; each address length is at least 16 bytes more than the address.
  if (!ov) return (fail(WSA.WSAEINVAL), false);
  const need = sockaddrSize(lrec.af) + 16;
  if (dwLocalAddressLength < need || dwRemoteAddressLength < need) return (fail(WSA.WSAEINVAL), false);
  if (dwReceiveDataLength + dwLocalAddressLength + dwRemoteAddressLength > lpOutputBuffer.length) return (fail(WSA.WSAEFAULT), false);
  if (lrec.type !== K.SOCK_STREAM || arec.type !== K.SOCK_STREAM || arec.af !== lrec.af || sAcceptSocket === sListenSocket) {
    return (fail(WSA.WSAEINVAL), false);
  }
  // The listener must listen, and the accept socket must be fresh (neither bound nor connected).
  const saved = WSAGetLastError();
  const listening = [0];
  const unbound =
    api.getsockopt(sListenSocket, K.SOL_SOCKET, K.SO_ACCEPTCONN, listening) === 0 && api.getsockname(sAcceptSocket, {} as SockAddr) !== 0;
  WSASetLastError(saved);
  if (!listening[0] || !unbound) return (fail(WSA.WSAEINVAL), false);
  const old = ops.get(ov);
  if (old && !old.done) return (fail(WSA.WSAEINVAL), false);
  const ev = ov.hEvent ? eventOf(ov.hEvent) : undefined;
  const op: OpState = { s: sAcceptSocket, syscall: fn, done: false, error: 0, bytes: 0, flags: 0, ov, ev, routine: undefined };
  ops.set(ov, op);
  if (ev) resetEventObject(ev);
  ov.Internal = STATUS_PENDING;
  ov.InternalHigh = 0;
  for (const s of [sListenSocket, sAcceptSocket]) {
    let set = pending.get(s);
    if (!set) pending.set(s, (set = new Set()));
    set.add(op);
  }
  let sync = true;
  let failedAtOnce = 0;
  const end = (error: number, bytes: number) => {
    if (sync && error) failedAtOnce = error;
    else complete(op, error, bytes);
  };
  const receive = () =>
    queue
      .queued(sAcceptSocket, 'reads', fn, undefined, () => {
        const saved2 = WSAGetLastError();
        const r = tryOnce(() => api.recv(sAcceptSocket, lpOutputBuffer, dwReceiveDataLength, 0));
        WSASetLastError(saved2);
        if (r === undefined) return undefined;
        if (typeof r === 'number') complete(op, 0, r);
        else complete(op, r.error, 0);
        return 0;
      })
      .catch((e: unknown) => settleRejected(op, e));
  queue
    .queued(sListenSocket, 'reads', fn, undefined, () => {
      if (op.done) return 0;
      const saved2 = WSAGetLastError();
      const remote = {} as SockAddr;
      const r = tryOnce(() => api.accept(sListenSocket, remote));
      if (r === undefined) return (WSASetLastError(saved2), undefined);
      if (typeof r !== 'number') return (end(r.error, 0), sync || WSASetLastError(saved2), 0);
      const child = table.get(r)!;
      be.adopt(table.get(sAcceptSocket)!, child);
      dropHandle(r);
      const local = {} as SockAddr;
      api.getsockname(sAcceptSocket, local);
      writeAddrBlock(lpOutputBuffer, dwReceiveDataLength, local);
      writeAddrBlock(lpOutputBuffer, dwReceiveDataLength + dwLocalAddressLength, remote);
      // Accepted: closing the listener no longer aborts it.
      pending.get(sListenSocket)?.delete(op);
      if (!sync) WSASetLastError(saved2);
      if (dwReceiveDataLength === 0) complete(op, 0, 0);
      else receive();
      return 0;
    })
    .catch((e: unknown) => settleRejected(op, e));
  sync = false;
  if (failedAtOnce) {
    for (const s of [sListenSocket, sAcceptSocket]) pending.get(s)?.delete(op);
    op.done = true;
    op.error = failedAtOnce;
    ov.Internal = failedAtOnce;
    return (fail(failedAtOnce), false);
  }
  if (!op.done) return (fail(WSA.WSA_IO_PENDING), false);
  if (count) count[0] = op.bytes;
  return true;
}

/**
 * GetAcceptExSockaddrs: reads the local and remote addresses AcceptEx wrote
 * after the data in lpOutputBuffer (the same three lengths as given to it).
 */
export function GetAcceptExSockaddrs(
  lpOutputBuffer: Uint8Array,
  dwReceiveDataLength: number,
  dwLocalAddressLength: number,
  dwRemoteAddressLength: number,
  LocalSockaddr: SockAddr,
  LocalSockaddrLength: number[] | null,
  RemoteSockaddr: SockAddr,
  RemoteSockaddrLength: number[] | null,
): void {
  void dwRemoteAddressLength;
  if (!(lpOutputBuffer instanceof Uint8Array))
    throw new TypeError(`GetAcceptExSockaddrs: lpOutputBuffer must be a Buffer or Uint8Array, got ${describe(lpOutputBuffer)}`);
  checkSockAddrOut('GetAcceptExSockaddrs', LocalSockaddr);
  checkSockAddrOut('GetAcceptExSockaddrs', RemoteSockaddr);
  const l = readAddrBlock(lpOutputBuffer, dwReceiveDataLength, LocalSockaddr);
  const r = readAddrBlock(lpOutputBuffer, dwReceiveDataLength + dwLocalAddressLength, RemoteSockaddr);
  if (LocalSockaddrLength) LocalSockaddrLength[0] = l;
  if (RemoteSockaddrLength) RemoteSockaddrLength[0] = r;
}

/**
 * DisconnectEx: a graceful disconnect (our FIN, then the peer's; what it
 * still sends is read and discarded), completing once both FINs were
 * exchanged (or with the reset that ended it). With TF_REUSE_SOCKET the
 * handle then holds a fresh socket again, ready for AcceptEx or connect.
 * Without lpOverlapped it blocks the thread until done.
 */
export function DisconnectEx(hSocket: SOCKET, lpOverlapped: WSAOVERLAPPED | null, dwFlags: number, dwReserved: number): boolean {
  const fn = 'DisconnectEx';
  const rec = flat.lookup(fn, hSocket);
  if (typeof dwFlags !== 'number') throw new TypeError(`${fn}: dwFlags must be a number, got ${describe(dwFlags)}`);
  if (typeof dwReserved !== 'number') throw new TypeError(`${fn}: dwReserved must be a number, got ${describe(dwReserved)}`);
  const given = overlappedArg(fn, lpOverlapped, null);
  if (!rec) return false;
  if (dwReserved !== 0 || (dwFlags & ~TF_REUSE_SOCKET) !== 0 || rec.type !== K.SOCK_STREAM) return (fail(WSA.WSAEINVAL), false);
  if (api.shutdown(hSocket, K.SD_SEND) !== 0) return false;
  const ov = given ?? newOverlapped(null);
  const scratch = Buffer.allocUnsafe(16384);
  const { af, type, protocol } = rec;
  const r = start(fn, hSocket, 'reads', ov, null, null, () => {
    for (;;) {
      const n = tryOnce(() => api.recv(hSocket, scratch, scratch.length, 0));
      if (n === undefined || typeof n !== 'number') return n;
      if (n > 0) continue;
      if (dwFlags & TF_REUSE_SOCKET) {
        // The connection's descriptor closes (the kernel finishes the close); the handle gets a fresh socket.
        // (made in a slot of its own, which it leaves at once: only its state moves).
        const slot = reserve();
        const fresh = slot && be.socket(slot, af, type, protocol);
        const cur = table.get(hSocket);
        if (fresh && cur) be.adopt(cur, fresh);
        if (slot) release(slot);
      }
      return 0;
    }
  });
  if (r === 0) return true;
  if (WSAGetLastError() !== WSA.WSA_IO_PENDING) return false;
  if (given) return false;
  // No WSAOVERLAPPED: the call itself waits, as a blocking DisconnectEx does.
  const op = ops.get(ov)!;
  if (driveUntil(() => op.done, Infinity) === 'failed') return false;
  return op.error ? (fail(op.error), false) : true;
}

/**
 * WSAIoctl, for what ported code uses it for: SIO_GET_EXTENSION_FUNCTION_POINTER
 * with WSAID_ACCEPTEX, WSAID_GETACCEPTEXSOCKADDRS or WSAID_DISCONNECTEX puts
 * the function in lpvOutBuffer[0] (cbOutBuffer must hold a pointer, 8).
 * Other control codes: WSAEINVAL (not provided).
 */
export function WSAIoctl(
  s: SOCKET,
  dwIoControlCode: number,
  lpvInBuffer: unknown,
  cbInBuffer: number,
  lpvOutBuffer: unknown[],
  cbOutBuffer: number,
  lpcbBytesReturned: number[] | null,
  lpOverlapped: WSAOVERLAPPED | null,
  lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  const rec = flat.lookup('WSAIoctl', s);
  if (typeof dwIoControlCode !== 'number')
    throw new TypeError(`WSAIoctl: dwIoControlCode must be a number, got ${describe(dwIoControlCode)}`);
  overlappedArg('WSAIoctl', lpOverlapped, lpCompletionRoutine);
  void cbInBuffer;
  if (!rec) return K.SOCKET_ERROR;
  if (dwIoControlCode >>> 0 !== SIO_GET_EXTENSION_FUNCTION_POINTER) return fail(WSA.WSAEINVAL);
  if (!Array.isArray(lpvOutBuffer))
    throw new TypeError(`WSAIoctl: lpvOutBuffer must be an array (lpvOutBuffer[0] receives the function), got ${describe(lpvOutBuffer)}`);
  const guid = typeof lpvInBuffer === 'string' ? lpvInBuffer.replace(/[{}]/g, '').toLowerCase() : '';
  const fns: Record<string, unknown> = {
    [WSAID_ACCEPTEX]: AcceptEx,
    [WSAID_GETACCEPTEXSOCKADDRS]: GetAcceptExSockaddrs,
    [WSAID_DISCONNECTEX]: DisconnectEx,
  };
  const f = fns[guid];
  if (!f) return fail(WSA.WSAEINVAL);
  if (typeof cbOutBuffer !== 'number' || cbOutBuffer < 8) return fail(WSA.WSAEFAULT);
  lpvOutBuffer[0] = f;
  const out = outArg('WSAIoctl', 'lpcbBytesReturned', lpcbBytesReturned, false);
  if (out) out[0] = 8;
  return 0;
}

// SO_UPDATE_ACCEPT_CONTEXT (setsockopt on the socket AcceptEx filled, the
// listener's SOCKET as the value): Windows then gives it the listener's
// properties. Here the accepted socket already answers getsockname,
// getpeername and shutdown, so the option checks its arguments and succeeds.
setExtensionOption((s, level, name, value) => {
  if (level !== K.SOL_SOCKET || name !== SO_UPDATE_ACCEPT_CONTEXT) return undefined;
  if (!flat.lookup('setsockopt', s)) return K.SOCKET_ERROR;
  if (typeof value !== 'number' || !table.has(value)) return fail(WSA.WSAENOTSOCK);
  return 0;
});
