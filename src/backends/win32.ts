// The Windows backend: every call goes to ws2_32.dll, which already keeps
// Winsock's rules (shutdown state, WSAESHUTDOWN, linger, resets, WSA codes), so
// nothing here re-implements them. What a Node process changes is handled in
// api.ts for both backends: libuv has called WSAStartup before the program
// runs, so ws2_32 alone would never answer WSANOTINITIALISED nor reset the
// program's sockets at its last WSACleanup; api.ts's own start-up count and
// handle table give that behaviour, then call startup()/abort()/cleanup() here.
//
// Error handling: every failing call is followed at once by `wsaFail()`, which
// reads ws2_32's WSAGetLastError through koffi and records it with fail() (or,
// in recvfrom, by WSAGetLastError itself when the code depends on it). No other
// ws2_32 call may come between: koffi keeps each call's last error in a
// per-thread slot of its own, so V8 and libuv work in between cannot clobber it
// (checked under Wine), but another koffi call would.
//
// Winsock's numbers (levels, option names, FIONBIO, POLL*, AF_INET6 = 23) are
// ws2_32's own: they pass through untranslated.
import koffi from 'koffi';
import {
  INVALID_SOCKET_NATIVE,
  LINGER,
  SOCKADDR_IN,
  SOCKADDR_IN6,
  SOCKADDR_STORAGE_SIZE,
  W,
  WSADATA,
  WSAPOLLFD,
  toSocket,
  type NativeSocket,
} from '../../native-bindings/ws2_32.js';
import {
  AF_INET,
  AF_INET6,
  FIONBIO,
  FIONREAD,
  IPPROTO_TCP,
  IPPROTO_UDP,
  POLLNVAL,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOCKET_ERROR,
  SOL_SOCKET,
  SO_LINGER,
  SO_TYPE,
} from '../constants.js';
import type { Linger, SockAddr } from '../constants.js';
import { fail, WSA } from '../errors.js';
import { bytesToIp, ipToBytes } from '../sockaddr.js';
import { NET_HUP, NET_READ, NET_WRITE, type Backend, type NetState, type OptionKind, type PollEntry, type SockBase } from './backend.js';
import { Watch, type Interest } from './watch.js';
import { select } from './win32-select.js';
import { Win32Sock } from './win32-sock.js';
import { setKind, type Slot } from '../shared-table.js';

export const name = 'win32' as const;

// The record of a socket: a view over its slot in the process-wide table (win32-sock.ts).
export { Win32Sock };

/** Record ws2_32's last error (read now, before other JS runs) and return SOCKET_ERROR. */
const wsaFail = (): number => fail(W.WSAGetLastError());

// --- sockaddr <-> Windows bytes --------------------------------------------
const IN_PORT = koffi.offsetof(SOCKADDR_IN, 'sin_port');
const IN_ADDR = koffi.offsetof(SOCKADDR_IN, 'sin_addr');
const IN6_PORT = koffi.offsetof(SOCKADDR_IN6, 'sin6_port');
const IN6_ADDR = koffi.offsetof(SOCKADDR_IN6, 'sin6_addr');

/**
 * The SOCKADDR_IN/IN6 bytes for `a`. api.ts lets a foreign family through (it
 * is not malformed, only unsupported): it is sent as a zeroed SOCKADDR_IN with
 * that family, so ws2_32 answers with its own WSA code.
 */
function encodeAddr(a: SockAddr): Buffer {
  if (a.family === AF_INET6) {
    const b = Buffer.alloc(koffi.sizeof(SOCKADDR_IN6));
    b.writeUInt16LE(AF_INET6, 0);
    b.writeUInt16BE(a.port, IN6_PORT);
    b.set(ipToBytes(AF_INET6, a.address), IN6_ADDR);
    return b;
  }
  const b = Buffer.alloc(koffi.sizeof(SOCKADDR_IN));
  b.writeUInt16LE(a.family & 0xffff, 0);
  b.writeUInt16BE(a.port, IN_PORT);
  if (a.family === AF_INET) b.set(ipToBytes(AF_INET, a.address), IN_ADDR);
  return b;
}

/** Fill `out` from the address ws2_32 wrote (`len` bytes valid); false for a family we do not decode. */
function decodeAddr(b: Buffer, len: number, out: SockAddr): boolean {
  if (len < 2) return false;
  const family = b.readUInt16LE(0);
  if (family === AF_INET && len >= koffi.sizeof(SOCKADDR_IN)) {
    Object.assign(out, { family, port: b.readUInt16BE(IN_PORT), address: bytesToIp(b.subarray(IN_ADDR, IN_ADDR + 4)) });
    return true;
  }
  if (family === AF_INET6 && len >= koffi.sizeof(SOCKADDR_IN6)) {
    Object.assign(out, { family, port: b.readUInt16BE(IN6_PORT), address: bytesToIp(b.subarray(IN6_ADDR, IN6_ADDR + 16)) });
    return true;
  }
  return false;
}

/** A SOCKADDR_STORAGE-sized buffer and its in/out length, for calls that return an address. */
function addrOutBuf(): [Buffer, Int32Array] {
  return [Buffer.alloc(SOCKADDR_STORAGE_SIZE), Int32Array.of(SOCKADDR_STORAGE_SIZE)];
}

// --- start-up ---------------------------------------------------------------
/**
 * The program's first WSAStartup. libuv's own call means ws2_32 is already
 * started, but ws2_32 counts per caller: ours is taken (and given back in
 * cleanup()) so the library never relies on libuv's. Returns ws2_32's code.
 */
export function startup(): number {
  const data = Buffer.alloc(koffi.sizeof(WSADATA));
  return W.WSAStartup(0x0202, data);
}

export function cleanup(): void {
  // Balances startup(). libuv's reference keeps ws2_32 running for Node itself.
  W.WSACleanup();
}

// --- sockets ----------------------------------------------------------------
function record(slot: Slot, af: number, type: number, protocol: number, fd: NativeSocket, nonblocking = false): Win32Sock {
  setKind(slot.base, af, type, protocol);
  const s = new Win32Sock(slot.handle, slot.base);
  s.fd = fd;
  s.nonblocking = nonblocking;
  return s;
}

const fionbio = Uint32Array.of(0);
function setMode(fd: NativeSocket, nonblocking: boolean): void {
  fionbio[0] = nonblocking ? 1 : 0;
  W.ioctlsocket(fd, FIONBIO >>> 0, fionbio);
}

/**
 * Runs a call that could wait. With `nowait` on a socket the program left
 * blocking, the SOCKET is nonblocking for this one call (ws2_32 then answers
 * WSAEWOULDBLOCK instead of waiting) and blocking again after it. The last
 * error is read before the mode is put back (the ioctl would replace it).
 * Returns the call's result, having recorded its error with fail() on failure.
 */
function attempt(s: Win32Sock, nowait: boolean, call: () => number): number {
  const temp = nowait && !s.nonblocking;
  if (temp) setMode(s.fd, true);
  const r = call();
  const e = r === SOCKET_ERROR ? W.WSAGetLastError() : 0;
  if (temp) setMode(s.fd, false);
  return r === SOCKET_ERROR ? fail(e) : r;
}

export function socket(slot: Slot, af: number, type: number, protocol: number): Win32Sock | undefined {
  // ws2_32 checks the arguments itself (their order and codes: sock.c test_WSASocket).
  const fd = toSocket(W.socket(af, type, protocol));
  if (fd === INVALID_SOCKET_NATIVE) return void wsaFail();
  // Type 0 and AF_UNSPEC were resolved by ws2_32 (type 0 takes the protocol's
  // type; AF_UNSPEC with a protocol is AF_INET): the record keeps what it made.
  if (type === 0) {
    const b = Int32Array.of(0);
    W.getsockopt(fd, SOL_SOCKET, SO_TYPE, b, Int32Array.of(4));
    type = b[0]!;
  }
  return record(slot, af === 0 ? AF_INET : af, type, type === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP, fd);
}

export function bind(s: Win32Sock, addr: SockAddr): number {
  const a = encodeAddr(addr);
  return W.bind(s.fd, a, a.length) === SOCKET_ERROR ? wsaFail() : 0;
}

export function listen(s: Win32Sock, backlog: number): number {
  // SOMAXCONN and SOMAXCONN_HINT(n) are ws2_32's own encodings: passed as is.
  return W.listen(s.fd, backlog) === SOCKET_ERROR ? wsaFail() : 0;
}

export function accept(s: Win32Sock, slot: Slot, addrOut: SockAddr | undefined, nowait: boolean): Win32Sock | undefined {
  const [b, len] = addrOutBuf();
  const temp = nowait && !s.nonblocking;
  if (temp) setMode(s.fd, true);
  const fd = toSocket(W.accept(s.fd, b, len));
  const e = fd === INVALID_SOCKET_NATIVE ? W.WSAGetLastError() : 0;
  if (temp) setMode(s.fd, false);
  if (fd === INVALID_SOCKET_NATIVE) return void fail(e);
  // The accepted SOCKET inherits the listener's mode of the moment: a
  // temporary nonblocking attempt (or libuv's watch) must not leak into it.
  if (temp || s.watch) setMode(fd, s.nonblocking);
  const child = record(slot, s.af, s.type, s.protocol, fd, s.nonblocking);
  if (addrOut) {
    try {
      decodeAddr(b, len[0]!, addrOut);
    } catch (e) {
      // addrOut passed api.ts's checks but refused a field (a throwing setter, a
      // read-only property). The connection can reach no handle now: reset it
      // rather than leak a native SOCKET that nothing can close.
      abort(child);
      throw e;
    }
  }
  return child;
}

export function connect(s: Win32Sock, addr: SockAddr, nowait: boolean): number {
  const a = encodeAddr(addr);
  // A nonblocking connect answers WSAEWOULDBLOCK natively (Linux's EINPROGRESS).
  return attempt(s, nowait, () => W.connect(s.fd, a, a.length)) === SOCKET_ERROR ? SOCKET_ERROR : 0;
}

export function send(s: Win32Sock, buf: Uint8Array, len: number, flags: number, nowait: boolean): number {
  return attempt(s, nowait, () => W.send(s.fd, buf, len, flags));
}

export function recv(s: Win32Sock, buf: Uint8Array, len: number, flags: number, nowait: boolean): number {
  return attempt(s, nowait, () => W.recv(s.fd, buf, len, flags));
}

export function sendto(s: Win32Sock, buf: Uint8Array, len: number, flags: number, addr: SockAddr, nowait: boolean): number {
  const a = encodeAddr(addr);
  return attempt(s, nowait, () => W.sendto(s.fd, buf, len, flags, a, a.length));
}

export function recvfrom(
  s: Win32Sock,
  buf: Uint8Array,
  len: number,
  flags: number,
  addrOut: SockAddr | undefined,
  nowait: boolean,
): number {
  const [b, alen] = addrOutBuf();
  const temp = nowait && !s.nonblocking;
  if (temp) setMode(s.fd, true);
  const n = W.recvfrom(s.fd, buf, len, flags, b, alen);
  const err = n === SOCKET_ERROR ? W.WSAGetLastError() : 0;
  if (temp) setMode(s.fd, false);
  if (n === SOCKET_ERROR) {
    const e = err;
    // A datagram longer than `len` fails with WSAEMSGSIZE, but it was received
    // (truncated) and ws2_32 wrote its sender to `from`: report it, as posix.ts does.
    if (e === WSA.WSAEMSGSIZE && addrOut) decodeAddr(b, alen[0]!, addrOut);
    return fail(e);
  }
  // On a connected TCP socket ws2_32 may leave `from` untouched: fill only what it wrote.
  if (addrOut) decodeAddr(b, alen[0]!, addrOut);
  return n;
}

// --- the end of a connection -------------------------------------------------
export function shutdown(s: Win32Sock, how: number): number {
  return W.shutdown(s.fd, how) === SOCKET_ERROR ? wsaFail() : 0;
}

export function sendDisconnect(s: Win32Sock): number {
  return W.WSASendDisconnect(s.fd, null) === SOCKET_ERROR ? wsaFail() : 0;
}

export function recvDisconnect(s: Win32Sock): number {
  return W.WSARecvDisconnect(s.fd, null) === SOCKET_ERROR ? wsaFail() : 0;
}

export function closesocket(s: Win32Sock, nowait: boolean): number {
  // libuv must stop watching before the SOCKET is closed. ws2_32 applies linger
  // itself, including WSAEWOULDBLOCK for a nonblocking socket with linger
  // {1,N} and unsent data: the handle then stays valid, and so do the
  // interests of its pending operations, which are put back.
  const kept = s.watch?.close() ?? [];
  s.watch = null;
  const temp = nowait && !s.nonblocking;
  if (temp) setMode(s.fd, true);
  if (W.closesocket(s.fd) !== SOCKET_ERROR) return 0;
  const e = W.WSAGetLastError();
  if (temp) setMode(s.fd, false);
  for (const i of kept) watch(s, i);
  return fail(e);
}

/** WSACleanup's reset: linger {1,0} makes closesocket abortive (RST), and never waits. */
export function abort(s: Win32Sock): void {
  const l = Buffer.alloc(koffi.sizeof(LINGER));
  l.writeUInt16LE(1, koffi.offsetof(LINGER, 'l_onoff'));
  l.writeUInt16LE(0, koffi.offsetof(LINGER, 'l_linger'));
  // UDP sockets refuse SO_LINGER (WSAENOPROTOOPT); they close the same either way.
  W.setsockopt(s.fd, SOL_SOCKET, SO_LINGER, l, l.length);
  s.watch?.close();
  s.watch = null;
  W.closesocket(s.fd);
}

// --- options and control ------------------------------------------------------
export function setsockopt(s: Win32Sock, level: number, name: number, kind: OptionKind, value: number | Linger): number {
  let b: Buffer;
  if (kind === 'linger') {
    const v = value as Linger;
    b = Buffer.alloc(koffi.sizeof(LINGER));
    b.writeUInt16LE(v.l_onoff, koffi.offsetof(LINGER, 'l_onoff'));
    b.writeUInt16LE(v.l_linger, koffi.offsetof(LINGER, 'l_linger'));
  } else {
    // BOOL, int and DWORD (SO_RCVTIMEO/SO_SNDTIMEO in ms; SO_DONTLINGER is
    // native on Windows) are all 4 bytes; api.ts checked the int/DWORD range.
    b = Buffer.alloc(4);
    const v = value as number;
    if (v < 0) b.writeInt32LE(v, 0);
    else b.writeUInt32LE(v, 0);
  }
  // An int in C: a level given as a DWORD (0xffffffff) is the same 32 bits.
  return W.setsockopt(s.fd, level | 0, name, b, b.length) === SOCKET_ERROR ? wsaFail() : 0;
}

export function getsockopt(s: Win32Sock, level: number, name: number, kind: OptionKind, out: Linger | number[]): number {
  const b = Buffer.alloc(kind === 'linger' ? koffi.sizeof(LINGER) : 4);
  const len = Int32Array.of(b.length);
  if (W.getsockopt(s.fd, level | 0, name, b, len) === SOCKET_ERROR) return wsaFail();
  if (kind === 'linger') {
    const o = out as Linger;
    o.l_onoff = b.readUInt16LE(koffi.offsetof(LINGER, 'l_onoff'));
    o.l_linger = b.readUInt16LE(koffi.offsetof(LINGER, 'l_linger'));
    return 0;
  }
  // Some BOOL options come back as a 1-byte BOOLEAN: honour the returned length.
  const n = len[0]!;
  const o = out as number[];
  if (n === 1) o[0] = b.readUInt8(0);
  else if (n === 2) o[0] = b.readInt16LE(0);
  else o[0] = kind === 'ms' ? b.readUInt32LE(0) : b.readInt32LE(0);
  if (kind === 'bool' || kind === 'dontlinger') o[0] = o[0] !== 0 ? 1 : 0;
  return 0;
}

export function ioctlsocket(s: Win32Sock, cmd: number, argp: number[]): number {
  // u_long is 32 bits on Windows.
  const arg = Uint32Array.of(cmd === FIONBIO ? (argp[0] ?? 0) >>> 0 : 0);
  if (W.ioctlsocket(s.fd, cmd >>> 0, arg) === SOCKET_ERROR) return wsaFail();
  if (cmd === FIONREAD) argp[0] = arg[0]!;
  else s.nonblocking = arg[0] !== 0;
  return 0;
}

const POLL_SIZE = koffi.sizeof(WSAPOLLFD);
const POLL_EVENTS = koffi.offsetof(WSAPOLLFD, 'events');
const POLL_REVENTS = koffi.offsetof(WSAPOLLFD, 'revents');

/**
 * WSAPoll, answered by ws2_32 for every entry: a handle not in the table (or
 * a negative one) is passed as INVALID_SOCKET, so ws2_32 itself decides its
 * revents, whether it counts, and the call's error (sock.c test_WSAPoll:
 * POLLNVAL, not counted; WSAENOTSOCK when no entry is a socket). An empty
 * array is passed as such (ws2_32 answers WSAEINVAL).
 */
export function poll(entries: PollEntry<Win32Sock>[], revents: number[], timeoutMs: number): number {
  const arr = Buffer.alloc(POLL_SIZE * Math.max(1, entries.length));
  entries.forEach((e, k) => {
    arr.writeBigUInt64LE(e.sock && !e.ignored ? e.sock.fd : INVALID_SOCKET_NATIVE, k * POLL_SIZE);
    arr.writeInt16LE((e.events << 16) >> 16, k * POLL_SIZE + POLL_EVENTS);
  });
  const rc = W.WSAPoll(entries.length ? arr : null, entries.length, timeoutMs);
  // revents are filled on failure too (WSAENOTSOCK marks every entry POLLNVAL).
  const e = rc === SOCKET_ERROR ? W.WSAGetLastError() : 0;
  entries.forEach((_, k) => (revents[k] = arr.readUInt16LE(k * POLL_SIZE + POLL_REVENTS)));
  return rc === SOCKET_ERROR ? fail(e) : rc;
}

export function getsockname(s: Win32Sock, out: SockAddr): number {
  const [b, len] = addrOutBuf();
  if (W.getsockname(s.fd, b, len) === SOCKET_ERROR) return wsaFail();
  decodeAddr(b, len[0]!, out);
  return 0;
}

export function getpeername(s: Win32Sock, out: SockAddr): number {
  const [b, len] = addrOutBuf();
  if (W.getpeername(s.fd, b, len) === SOCKET_ERROR) return wsaFail();
  decodeAddr(b, len[0]!, out);
  return 0;
}

// --- select (issue 9): ws2_32's select; see win32-select.ts ---
export { select };

// --- readiness on Node's loop ---------------------------------------------------
/** The SOCKET's watch, made on first need; null when it is not a live socket (uv_poll must not see one). */
function watchOf(s: Win32Sock): Watch | null {
  if (s.watch) return s.watch;
  const t = Int32Array.of(0);
  if (W.getsockopt(s.fd, SOL_SOCKET, SO_TYPE, t, Int32Array.of(4)) === SOCKET_ERROR) return null;
  // uv_poll_init_socket makes the SOCKET nonblocking: put the program's mode back.
  s.watch = new Watch(Number(s.fd), () => setMode(s.fd, s.nonblocking));
  return s.watch;
}

export function watch(s: Win32Sock, i: Interest): boolean {
  const w = watchOf(s);
  return w !== null && w.add(i);
}

export function unwatch(s: Win32Sock, i: Interest): void {
  s.watch?.remove(i);
}

/** The seam, checked by the compiler: every function of Backend, with these names. */
export const backend = {
  name,
  startup,
  cleanup,
  socket,
  bind,
  listen,
  accept,
  connect,
  send,
  recv,
  sendto,
  recvfrom,
  shutdown,
  sendDisconnect,
  recvDisconnect,
  closesocket,
  abort,
  setsockopt,
  getsockopt,
  ioctlsocket,
  poll,
  getsockname,
  getpeername,
  watch,
  unwatch,
  select,
  netState,
  waitNet,
  adopt,
  attach,
  forget,
} satisfies Backend<Win32Sock>;

// --- network events (WSAEventSelect and the flat event wait: src/events.ts) ---------
// The same rules as on Linux, read from ws2_32 rather than from ws2_32's own
// WSAEventSelect: the events layer (src/events.ts) records FD_* from what
// WSAPoll, FIONREAD and a MSG_PEEK say, and a blocked wait polls with WSAPoll.
// ws2_32's WSAEventSelect would need a kernel event HANDLE per object and its
// own wait (WSAWaitForMultipleEvents), which cannot also run the attempts of
// the overlapped operations queued in JavaScript (src/overlapped.ts), nor the
// promise layer's; and it would fight libuv's AFD poll of the same SOCKET.
const NET_POLL = koffi.sizeof(WSAPOLLFD);
/** What the events layer learnt of each socket: ws2_32 forgets a connection once it is reset. */
const netKnown = new WeakMap<Win32Sock, { connected: boolean; closed: number }>();
const WS_POLLRDNORM = 0x0100;
const WS_POLLWRNORM = 0x0010;
const WS_POLLERR = 0x0001;
const WS_POLLHUP = 0x0002;
const WS_SO_ACCEPTCONN = 0x0002;
const WS_SO_ERROR = 0x1007;
const WS_MSG_PEEK = 0x2;

function pollOne(s: Win32Sock): number {
  const arr = Buffer.alloc(NET_POLL);
  arr.writeBigUInt64LE(s.fd, 0);
  arr.writeInt16LE(WS_POLLRDNORM | WS_POLLWRNORM, POLL_EVENTS);
  return W.WSAPoll(arr, 1, 0) > 0 ? arr.readUInt16LE(POLL_REVENTS) : 0;
}

function intOpt(s: Win32Sock, name: number): number {
  const b = Buffer.alloc(4);
  const len = Int32Array.of(4);
  if (W.getsockopt(s.fd, SOL_SOCKET, name, b, len) === SOCKET_ERROR) return 0;
  return len[0] === 1 ? b.readUInt8(0) : b.readInt32LE(0);
}

export function netState(s: Win32Sock): NetState | undefined {
  let k = netKnown.get(s);
  if (!k) netKnown.set(s, (k = { connected: false, closed: -1 }));
  const listening = intOpt(s, WS_SO_ACCEPTCONN) !== 0;
  const rev = pollOne(s);
  const st: NetState = { listening, connected: false, connecting: false, connectDone: -1, readable: false, writable: false, closed: -1 };
  if (listening) {
    st.readable = (rev & WS_POLLRDNORM) !== 0;
    return st;
  }
  if (s.type === SOCK_DGRAM) {
    st.connected = true;
    st.readable = (rev & WS_POLLRDNORM) !== 0;
    st.writable = (rev & WS_POLLWRNORM) !== 0;
    return st;
  }
  if (!k.connected) {
    const [b, len] = addrOutBuf();
    if (W.getpeername(s.fd, b, len) === 0) k.connected = true;
    else {
      // A failed nonblocking connect: WSAPoll reports POLLERR/POLLHUP and SO_ERROR holds why.
      const err = rev & (WS_POLLERR | WS_POLLHUP) ? intOpt(s, WS_SO_ERROR) : 0;
      if (err) st.connectDone = err;
      else st.connecting = true;
      return st;
    }
  }
  st.connected = true;
  const n = Uint32Array.of(0);
  st.readable = W.ioctlsocket(s.fd, FIONREAD >>> 0, n) === 0 && n[0]! > 0;
  if (k.closed < 0 && rev & (WS_POLLHUP | WS_POLLERR)) {
    // Disconnected: a FIN leaves recv answering data or 0, a reset WSAECONNRESET (Windows drops
    // the unread data then). One peek tells which, without consuming anything.
    const temp = !s.nonblocking;
    if (temp) setMode(s.fd, true);
    const r = W.recv(s.fd, Buffer.alloc(1), 1, WS_MSG_PEEK);
    const e = r === SOCKET_ERROR ? W.WSAGetLastError() : 0;
    if (temp) setMode(s.fd, false);
    if (r !== SOCKET_ERROR) k.closed = 0;
    else if (e !== WSA.WSAEWOULDBLOCK) k.closed = e;
  }
  st.closed = k.closed;
  st.writable = (rev & WS_POLLWRNORM) !== 0 && k.closed <= 0;
  return st;
}

export function waitNet(socks: Win32Sock[], wants: number[], ready: number[], timeoutMs: number): number {
  const arr = Buffer.alloc(NET_POLL * socks.length);
  socks.forEach((s, i) => {
    const w = wants[i]!;
    arr.writeBigUInt64LE(s.fd, i * NET_POLL);
    // POLLHUP and POLLERR come whatever is asked: they are the "hup" bit.
    arr.writeInt16LE((w & NET_READ ? WS_POLLRDNORM : 0) | (w & NET_WRITE ? WS_POLLWRNORM : 0), i * NET_POLL + POLL_EVENTS);
  });
  const rc = socks.length === 0 ? (sleepThread(timeoutMs), 0) : W.WSAPoll(arr, socks.length, timeoutMs);
  if (rc === SOCKET_ERROR) return wsaFail();
  let count = 0;
  socks.forEach((_, i) => {
    const n = arr.readUInt16LE(i * NET_POLL + POLL_REVENTS);
    const r =
      (n & WS_POLLRDNORM ? NET_READ : 0) | (n & WS_POLLWRNORM ? NET_WRITE : 0) | (n & (WS_POLLHUP | WS_POLLERR | POLLNVAL) ? NET_HUP : 0);
    ready[i] = r;
    if (r) count++;
  });
  return count;
}

/** A wait with nothing to poll (WSAPoll refuses an empty array): the thread sleeps, as the flat wait asks. */
function sleepThread(ms: number): void {
  const until = ms < 0 ? Infinity : performance.now() + ms;
  // Atomics.wait blocks the thread without spinning; it works on the main thread of Node.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (performance.now() < until) Atomics.wait(cell, 0, 0, Math.min(until - performance.now(), 0x7fffffff));
}

// --- AcceptEx / DisconnectEx(TF_REUSE_SOCKET): a connection moved under another handle ---------
export function adopt(target: Win32Sock, from: Win32Sock): void {
  // The watch must stop before its descriptor is closed (watch.ts); `from`'s
  // interests belonged to its old handle: the moved descriptor starts unwatched.
  target.watch?.close();
  from.watch?.close();
  target.watch = from.watch = null;
  W.closesocket(target.fd);
  target.takeState(from);
}

// --- the process-wide table (src/shared-table.ts) ------------------------------------
/** This thread's record of a socket another thread made: a view over its slot. */
export function attach(handle: number, base: number): Win32Sock {
  return new Win32Sock(handle, base);
}

/** Another thread closed the socket: this thread's watch on it goes (the record is dropped). */
export function forget(s: Win32Sock): void {
  s.watch?.close();
  s.watch = null;
}
