// The public flat Winsock API. What lives here is only what Windows itself
// cannot provide inside a Node process: the program's own start-up count, the
// handle table and the set of open sockets, plus JavaScript type checks (a
// TypeError for a value C could not even pass). Every Winsock rule that ws2_32
// implements (argument order and codes, option shapes, WSAPoll's flags) is the
// backend's: ws2_32 answers on Windows, posix.ts re-creates it on Linux.
// Platform work is one call into the backend (src/backends/).
//
// Why our own count and table on Windows too: in a Node process libuv has
// already called WSAStartup, so ws2_32 never answers WSANOTINITIALISED and the
// program's last WSACleanup never resets its sockets (DESIGN.md, "Facts").
import * as K from './constants.js';
import type { Linger, SockAddr, SOCKET, WSAData, WSAPOLLFD } from './constants.js';
import { describe, fail, WSA, WSASetLastError } from './errors.js';
import { beforeClose, called, closed, extensionOption, refusesBlocking } from './hooks.js';
import { optionInfo, type OptionInfo } from './options.js';
import { checkSockAddr, checkSockAddrOut } from './sockaddr.js';
import type { PollEntry, SockBase } from './backends/backend.js';
import { backend as be } from './backends/select.js';
import { attempt, flat, table } from './state.js';
import { release, reserve, startupAdd, startups, startupSub } from './shared-table.js';

// --- start-up count and handle table ------------------------------------
// Both are the process's, as in Winsock (src/shared-table.ts): a SOCKET made
// in one worker_thread is valid in every other, WSAStartup's count is one for
// all threads, and the last WSACleanup (in any thread) resets every socket
// still open. WSAGetLastError stays per thread (errors.ts). Handles are
// multiples of 4 like Windows' kernel handles, start well above the stdio
// range, and are never reused: a closed handle always answers WSAENOTSOCK
// instead of reaching whatever reuses its descriptor.
table.init(be.attach, be.forget, closed);

/** The record for `s`, or undefined after setting WSANOTINITIALISED / WSAENOTSOCK. */
function lookup(fn: string, s: unknown): SockBase | undefined {
  if (typeof s !== 'number') throw new TypeError(`${fn}: s must be a SOCKET (number), got ${describe(s)}`);
  if (startups() === 0) return void fail(WSA.WSANOTINITIALISED);
  const rec = table.get(s);
  if (!rec) return void fail(WSA.WSAENOTSOCK);
  return rec;
}

/**
 * Windows clears the thread's last error when these calls succeed (sock.c,
 * checked on Windows: test_timeout and test_set_getsockopt for
 * getsockopt/setsockopt, test_WSAPoll for WSAPoll, test_send_buffering for
 * recv, test_WSASendMsg for recvfrom, test_bind for bind, test_getsockname
 * for getsockname, test_shutdown for shutdown). One place, so every backend agrees.
 */
function cleared(rc: number): number {
  if (rc !== K.SOCKET_ERROR) WSASetLastError(0);
  return rc;
}

flat.lookup = lookup;
flat.started = () => startups() > 0;

function started(): boolean {
  return startups() > 0 || (fail(WSA.WSANOTINITIALISED), false);
}

function num(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${arg} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * True for a number C can pass as an int (or a DWORD/u_long when `dword`). A
 * value it cannot express (1.5, NaN, 2^40) is WSAEINVAL on every backend: it
 * never reaches ws2_32 as some other int.
 */
const cInt = (v: number, dword = false): boolean => Number.isInteger(v) && v >= -0x80000000 && v <= (dword ? 0xffffffff : 0x7fffffff);

function isBuffer(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** len/flags defaults and checks shared by send/recv/sendto/recvfrom. WSAEFAULT when len overruns. */
function bufArgs(fn: string, buf: unknown, len: unknown, flags: unknown): [number, number] | undefined {
  if (!isBuffer(buf)) throw new TypeError(`${fn}: buf must be a Buffer or Uint8Array, got ${describe(buf)}`);
  const n = len === undefined ? buf.length : num(fn, 'len', len);
  const f = flags === undefined ? 0 : num(fn, 'flags', flags);
  if (!Number.isInteger(n) || n < 0 || n > buf.length) return void fail(WSA.WSAEFAULT);
  return [n, f];
}

/** Open handles, oldest first (for the harness's resource checks). */
export function openHandles(): SOCKET[] {
  return [...table.keys()];
}

/** The native descriptor behind a live handle: a Linux fd, or a Windows SOCKET as a number. */
export function nativeFd(s: SOCKET): number | undefined {
  const rec = table.get(s) as (SockBase & { fd?: number | bigint }) | undefined;
  return rec?.fd === undefined ? undefined : Number(rec.fd);
}

/** Which backend runs: 'posix' (libc translation) or 'win32' (ws2_32.dll). */
export const backendName: 'posix' | 'win32' = be.name;

// --- start-up -----------------------------------------------------------
const HIGHEST = K.MAKEWORD(2, 2);

export function WSAStartup(version: number, data?: WSAData): number {
  num('WSAStartup', 'version', version);
  if (data !== undefined && (data === null || typeof data !== 'object')) {
    throw new TypeError(`WSAStartup: data must be an object to fill, got ${describe(data)}`);
  }
  const major = version & 0xff;
  const minor = (version >> 8) & 0xff;
  // ws2_32 supports 1.0 through 2.2; a request above 2.2 is granted as 2.2.
  if (!Number.isInteger(version) || major === 0) return WSA.WSAVERNOTSUPPORTED;
  const granted = major > 2 || (major === 2 && minor > 2) ? HIGHEST : version & 0xffff;
  if (startupAdd() === 0) {
    // A start-up that fails (or throws: no backend on this platform) is not counted.
    let rc = -1;
    try {
      rc = be.startup();
    } finally {
      if (rc !== 0) startupSub();
    }
    if (rc !== 0) return rc;
  }
  if (data) {
    Object.assign(data, {
      wVersion: granted,
      wHighVersion: HIGHEST,
      szDescription: 'WinSock 2.0',
      szSystemStatus: 'Running',
      // Winsock 2 reports 0 for both and says to ignore them.
      iMaxSockets: 0,
      iMaxUdpDg: 0,
    } satisfies WSAData);
  }
  return 0;
}

export function WSACleanup(): number {
  if (!started()) return K.SOCKET_ERROR;
  if (startups() === 1) {
    // While calls still work: the harness records what its release checks need.
    for (const h of table.keys()) beforeClose(h);
  }
  if (startupSub() === 1) {
    // Winsock: the last WSACleanup resets every socket still open in the
    // process (whichever thread made it); their handles then answer WSAENOTSOCK.
    const handles = [...table.keys()];
    for (const h of handles) {
      const rec = table.get(h);
      if (rec) be.abort(rec);
      table.delete(h);
    }
    be.cleanup();
    for (const h of handles) closed(h);
  }
  return 0;
}

export { WSAGetLastError, WSASetLastError } from './errors.js';

// --- sockets ------------------------------------------------------------
export function socket(af: number, type: number, protocol: number): SOCKET {
  num('socket', 'af', af);
  num('socket', 'type', type);
  num('socket', 'protocol', protocol);
  if (!started()) return K.INVALID_SOCKET;
  if (!cInt(af) || !cInt(type) || !cInt(protocol)) return fail(WSA.WSAEINVAL);
  // The checks of af/type/protocol (their order and codes) are the backend's.
  const slot = reserve();
  if (!slot) return fail(WSA.WSAEMFILE);
  const rec = be.socket(slot, af, type, protocol);
  if (!rec) return (release(slot), K.INVALID_SOCKET);
  table.set(slot.handle, rec);
  return slot.handle;
}

export function bind(s: SOCKET, addr: SockAddr): number {
  const rec = lookup('bind', s);
  checkSockAddr('bind', 'addr', addr);
  if (!rec) return K.SOCKET_ERROR;
  return cleared(be.bind(rec, addr));
}

export function listen(s: SOCKET, backlog: number): number {
  const rec = lookup('listen', s);
  num('listen', 'backlog', backlog);
  if (!rec) return K.SOCKET_ERROR;
  if (!cInt(backlog)) return fail(WSA.WSAEINVAL);
  return be.listen(rec, backlog);
}

export function accept(s: SOCKET, addrOut?: SockAddr): SOCKET {
  const rec = lookup('accept', s);
  if (addrOut !== undefined) checkSockAddrOut('accept', addrOut);
  if (!rec) return K.INVALID_SOCKET;
  const slot = reserve();
  if (!slot) return called(s, 'accept', fail(WSA.WSAEMFILE));
  let child: SockBase | undefined;
  try {
    child = be.accept(rec, slot, addrOut, attempt.nowait);
  } finally {
    if (!child) release(slot);
  }
  if (!child) return called(s, 'accept', K.INVALID_SOCKET);
  table.set(slot.handle, child);
  return called(s, 'accept', slot.handle);
}

export function connect(s: SOCKET, addr: SockAddr): number {
  const rec = lookup('connect', s);
  checkSockAddr('connect', 'addr', addr);
  if (!rec) return K.SOCKET_ERROR;
  return called(s, 'connect', be.connect(rec, addr, attempt.nowait));
}

export function send(s: SOCKET, buf: Uint8Array, len?: number, flags?: number): number {
  // bufArgs first: its WSAEFAULT must not hide WSANOTINITIALISED / WSAENOTSOCK.
  const a = bufArgs('send', buf, len, flags);
  const rec = lookup('send', s);
  if (!rec || !a) return K.SOCKET_ERROR;
  return called(s, 'send', be.send(rec, buf, a[0], a[1], attempt.nowait));
}

export function recv(s: SOCKET, buf: Uint8Array, len?: number, flags?: number): number {
  // bufArgs first: its WSAEFAULT must not hide WSANOTINITIALISED / WSAENOTSOCK.
  const a = bufArgs('recv', buf, len, flags);
  const rec = lookup('recv', s);
  if (!rec || !a) return K.SOCKET_ERROR;
  return called(s, 'recv', cleared(be.recv(rec, buf, a[0], a[1], attempt.nowait)));
}

export function sendto(s: SOCKET, buf: Uint8Array, len: number, flags: number, addr: SockAddr): number {
  // bufArgs first: its WSAEFAULT must not hide WSANOTINITIALISED / WSAENOTSOCK.
  const a = bufArgs('sendto', buf, len, flags);
  const rec = lookup('sendto', s);
  checkSockAddr('sendto', 'addr', addr);
  if (!rec || !a) return K.SOCKET_ERROR;
  return called(s, 'send', be.sendto(rec, buf, a[0], a[1], addr, attempt.nowait));
}

export function recvfrom(s: SOCKET, buf: Uint8Array, len: number, flags: number, addrOut?: SockAddr): number {
  // bufArgs first: its WSAEFAULT must not hide WSANOTINITIALISED / WSAENOTSOCK.
  const a = bufArgs('recvfrom', buf, len, flags);
  const rec = lookup('recvfrom', s);
  if (addrOut !== undefined) checkSockAddrOut('recvfrom', addrOut);
  if (!rec || !a) return K.SOCKET_ERROR;
  return called(s, 'recv', cleared(be.recvfrom(rec, buf, a[0], a[1], addrOut, attempt.nowait)));
}

// --- the end of a connection -------------------------------------------
export function shutdown(s: SOCKET, how: number): number {
  const rec = lookup('shutdown', s);
  num('shutdown', 'how', how);
  if (!rec) return K.SOCKET_ERROR;
  if (!cInt(how)) return fail(WSA.WSAEINVAL);
  return cleared(be.shutdown(rec, how));
}

/** A wrong type is a TypeError whatever the handle's state (so before lookup's answer is used). */
function checkDisconnectData(fn: string, data: unknown): void {
  if (data !== undefined && data !== null && !isBuffer(data)) {
    throw new TypeError(`${fn}: disconnect data must be a Buffer, null or undefined, got ${describe(data)}`);
  }
}

/** Winsock's disconnect data: only null/undefined is accepted (TCP and UDP carry none). */
function disconnectData(fn: string, data: unknown): boolean {
  if (data === undefined || data === null) return true;
  checkDisconnectData(fn, data);
  // Microsoft: WSAENOPROTOOPT when the pointer is not NULL and the provider
  // does not support disconnect data (no TCP/IP provider does).
  return (fail(WSA.WSAENOPROTOOPT), false);
}

export function WSASendDisconnect(s: SOCKET, data?: Uint8Array | null): number {
  const rec = lookup('WSASendDisconnect', s);
  checkDisconnectData('WSASendDisconnect', data);
  if (!rec) return K.SOCKET_ERROR;
  if (!disconnectData('WSASendDisconnect', data)) return K.SOCKET_ERROR;
  return be.sendDisconnect(rec);
}

export function WSARecvDisconnect(s: SOCKET, data?: Uint8Array | null): number {
  const rec = lookup('WSARecvDisconnect', s);
  checkDisconnectData('WSARecvDisconnect', data);
  if (!rec) return K.SOCKET_ERROR;
  if (!disconnectData('WSARecvDisconnect', data)) return K.SOCKET_ERROR;
  return be.recvDisconnect(rec);
}

export function closesocket(s: SOCKET): number {
  const rec = lookup('closesocket', s);
  if (!rec) return K.SOCKET_ERROR;
  beforeClose(s);
  const rc = be.closesocket(rec, attempt.nowait);
  // A nonblocking socket with linger {1,N} and unsent data fails with
  // WSAEWOULDBLOCK and stays open, its pending operations too; anything else
  // frees the handle, and what was pending on it is aborted.
  if (rc === 0) {
    // Another thread's closesocket of the same handle got there first: the handle was already invalid.
    const freed = table.delete(s);
    closed(s);
    if (!freed) return fail(WSA.WSAENOTSOCK);
  }
  return rc;
}

// --- options and control -------------------------------------------------
/** The known option optionArgs looked up last (module state, not an object per call: these calls are hot). */
let argInfo: OptionInfo = { kind: 'int' };

/** `checkType(info, x)` throws the TypeError of a wrong value/out type for a known option, whatever the handle's state. */
function optionArgs(
  fn: string,
  s: unknown,
  level: unknown,
  name: unknown,
  checkType: (info: OptionInfo, x: unknown, name: number) => void,
  x: unknown,
): SockBase | undefined {
  const rec = lookup(fn, s);
  num(fn, 'level', level);
  num(fn, 'optname', name);
  const info = optionInfo(level as number, name as number);
  if (info) checkType(info, x, name as number);
  if (!rec) return undefined;
  if (!cInt(level as number, true) || !cInt(name as number)) return void fail(WSA.WSAEINVAL);
  // Only the value's shape is decided here; which (level, name) pairs exist,
  // and on which sockets, is the backend's answer (ws2_32's on Windows). An
  // option this table does not know is passed as a 4-byte int.
  argInfo = info ?? UNKNOWN_OPTION;
  return rec;
}

const UNKNOWN_OPTION: OptionInfo = { kind: 'int' };

const U_SHORT = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;

function checkSetValue(info: OptionInfo, value: unknown, name: number): void {
  if (info.readOnly) return; // refused whatever the value
  if (info.kind === 'linger') {
    if (value === null || typeof value !== 'object') {
      throw new TypeError(`setsockopt: SO_LINGER takes a Linger { l_onoff, l_linger }, got ${describe(value)}`);
    }
    const { l_onoff, l_linger } = value as Linger;
    if (typeof l_onoff !== 'number' || typeof l_linger !== 'number') {
      throw new TypeError('setsockopt: Linger.l_onoff and Linger.l_linger must be numbers');
    }
  } else if (typeof value !== 'boolean' && typeof value !== 'number') {
    throw new TypeError(`setsockopt: option ${name} takes a number or boolean, got ${describe(value)}`);
  }
}

export function setsockopt(s: SOCKET, level: number, name: number, value: number | boolean | Linger): number {
  const ext = extensionOption(s, level, name, value);
  if (ext !== undefined) return ext;
  const rec = optionArgs('setsockopt', s, level, name, checkSetValue, value);
  if (!rec) return K.SOCKET_ERROR;
  const info = argInfo;
  // A read-only option's answer (WSAENOPROTOOPT, or WSAEINVAL for SO_TYPE on
  // UDP) is the backend's: ws2_32's own on Windows.
  if (info.readOnly) return cleared(be.setsockopt(rec, level, name, info.kind, 0));
  if (info.kind === 'linger') {
    const { l_onoff, l_linger } = value as Linger;
    // Winsock's linger is two u_short: nothing outside 0..65535 can be expressed.
    if (!U_SHORT(l_onoff) || !U_SHORT(l_linger)) return fail(WSA.WSAEINVAL);
    return cleared(be.setsockopt(rec, level, name, info.kind, { l_onoff, l_linger }));
  }
  const v0 = value as number | boolean;
  let v = typeof v0 === 'boolean' ? (v0 ? 1 : 0) : v0;
  // Winsock passes these as int/DWORD/BOOL: a value that is not an integer of
  // that range cannot be expressed in C.
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) return fail(WSA.WSAEINVAL);
  // Timeouts are DWORDs: -1 is 0xFFFFFFFF (what C programs pass for INFINITE).
  // How a BOOL's 4 bytes are read (the whole int, or its first byte) is the
  // backend's: Windows reads some options as a 1-byte BOOLEAN (sock.c test_set_getsockopt).
  if (info.kind === 'ms') v = v >>> 0;
  return cleared(be.setsockopt(rec, level, name, info.kind, v));
}

function checkGetOut(info: OptionInfo, out: unknown): void {
  if (info.kind === 'linger' ? out === null || typeof out !== 'object' || Array.isArray(out) : !Array.isArray(out)) {
    throw new TypeError(
      `getsockopt: out must be ${info.kind === 'linger' ? 'a Linger object' : 'an array (out[0] receives the value)'}, got ${describe(out)}`,
    );
  }
}

export function getsockopt(s: SOCKET, level: number, name: number, out: Linger | number[]): number {
  const rec = optionArgs('getsockopt', s, level, name, checkGetOut, out);
  if (!rec) return K.SOCKET_ERROR;
  return cleared(be.getsockopt(rec, level, name, argInfo.kind, out));
}

export function ioctlsocket(s: SOCKET, cmd: number, argp: number[]): number {
  const rec = lookup('ioctlsocket', s);
  num('ioctlsocket', 'cmd', cmd);
  if (!Array.isArray(argp)) throw new TypeError(`ioctlsocket: argp must be an array (argp[0] is the u_long), got ${describe(argp)}`);
  if (cmd === K.FIONBIO && typeof argp[0] !== 'number') {
    throw new TypeError(`ioctlsocket: FIONBIO needs argp[0] as a number, got ${describe(argp[0])}`);
  }
  if (!rec) return K.SOCKET_ERROR;
  if (!cInt(cmd, true)) return fail(WSA.WSAEINVAL);
  // Microsoft's WSAEventSelect page: FIONBIO 0 fails while an association makes the socket nonblocking.
  if (cmd === K.FIONBIO && !argp[0] && refusesBlocking(s)) return fail(WSA.WSAEINVAL);
  return be.ioctlsocket(rec, cmd, argp);
}

/**
 * The backend's view of one fds array, kept with it and refilled in place on
 * every call (a program polls the same array again and again): an entry
 * object per entry per call was 1,000 objects of garbage a call at 1,000
 * entries (bench growth: ~30% of the per-entry cost at 100 and 1,000 entries).
 */
const pollScratch = new WeakMap<WSAPOLLFD[], { entries: PollEntry<SockBase>[]; revents: number[] }>();
function pollScratchFor(fds: WSAPOLLFD[]): { entries: PollEntry<SockBase>[]; revents: number[] } {
  let k = pollScratch.get(fds);
  if (!k) pollScratch.set(fds, (k = { entries: [], revents: [] }));
  const { entries, revents } = k;
  // The program may have grown or shrunk its array since the last call.
  while (entries.length < fds.length) entries.push({ sock: undefined, ignored: false, events: 0 });
  if (entries.length > fds.length) entries.length = revents.length = fds.length;
  while (revents.length < fds.length) revents.push(0);
  return k;
}

export function WSAPoll(fds: WSAPOLLFD[], timeoutMs: number): number {
  if (!Array.isArray(fds)) throw new TypeError(`WSAPoll: fds must be an array of { fd, events, revents }, got ${describe(fds)}`);
  num('WSAPoll', 'timeout', timeoutMs);
  // An INT in C: NaN, Infinity or a value beyond INT_MAX cannot be passed.
  const badTimeout = !Number.isInteger(timeoutMs) || timeoutMs < -0x80000000 || timeoutMs > 0x7fffffff;
  const { entries, revents } = pollScratchFor(fds);
  for (let i = 0; i < fds.length; i++) {
    const p = fds[i];
    if (p === null || typeof p !== 'object' || typeof p.fd !== 'number' || typeof p.events !== 'number') {
      throw new TypeError(`WSAPoll: fds[${i}] must be { fd: number, events: number, revents }, got ${describe(p)}`);
    }
    // Checked again on every call (the handle may have closed since the last
    // one, in any thread): the last call's record when its slot still holds it.
    const e = entries[i]!;
    e.sock = table.recheck(p.fd, e.sock);
    e.ignored = p.fd < 0;
    e.events = p.events;
    revents[i] = 0;
  }
  if (!started()) return K.SOCKET_ERROR;
  // A timeout C cannot pass as an INT is refused before any wait. Flags,
  // an empty array and invalid entries are the backend's answer.
  if (badTimeout) return fail(WSA.WSAEINVAL);
  const rc = be.poll(entries, revents, timeoutMs);
  // Filled on failure too: Windows marks invalid entries POLLNVAL even when
  // the call fails for want of any valid one (sock.c test_WSAPoll).
  for (let i = 0; i < fds.length; i++) fds[i]!.revents = revents[i]!;
  return cleared(rc);
}

export function getsockname(s: SOCKET, out: SockAddr): number {
  const rec = lookup('getsockname', s);
  checkSockAddrOut('getsockname', out);
  return rec ? cleared(be.getsockname(rec, out)) : K.SOCKET_ERROR;
}

export function getpeername(s: SOCKET, out: SockAddr): number {
  const rec = lookup('getpeername', s);
  checkSockAddrOut('getpeername', out);
  return rec ? be.getpeername(rec, out) : K.SOCKET_ERROR;
}
