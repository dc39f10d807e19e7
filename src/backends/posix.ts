// The POSIX backend: Winsock's rules translated onto Linux's libc. Every place
// where Linux behaves differently from Winsock is handled next to the call it
// concerns, citing the row of DESIGN.md's semantic contract ("Contract: ...").
import koffi from 'koffi';
import * as K from '../constants.js';
import type { Linger, SockAddr } from '../constants.js';
import { fail, WSA } from '../errors.js';
import { wsaFromErrno } from './posix-errno.js';
import { bytesToIp, ipToBytes } from '../sockaddr.js';
import { C, E, errno, L, linger, pollfd, SOCKADDR_STORAGE_SIZE, sockaddr_in, sockaddr_in6 } from '../../native-bindings/libc.js';
import { LEVELS, optionInfo, type OptionInfo } from '../options.js';
import { NET_HUP, NET_READ, NET_WRITE, type Backend, type NetState, type OptionKind, type PollEntry, type SockBase } from './backend.js';
import { Watch, type Interest } from './watch.js';
import { select } from './posix-select.js';
import { KEPT_COUNT, PosixSock } from './posix-sock.js';
import { beginWait, endWait, wakeWaiters } from './posix-wake.js';
import { setKind, type Slot } from '../shared-table.js';

export const name = 'posix' as const;

// The record of a socket: a view over its slot in the process-wide table (posix-sock.ts).
export { PosixSock };

// Scratch buffers: calls are synchronous, so one of each per thread suffices.
const int1 = new Int32Array(1);
const len1 = new Uint32Array(1);
const addrBuf = Buffer.alloc(SOCKADDR_STORAGE_SIZE);
const lingerBuf = new Int32Array(2);
const pollBuf = Buffer.alloc(8);
/** waitReady's two pollfds: the socket's and the thread's wake-up. */
const waitBuf = Buffer.alloc(16);
const waitInts = new Int32Array(waitBuf.buffer, waitBuf.byteOffset, 4);
const waitShorts = new Int16Array(waitBuf.buffer, waitBuf.byteOffset, 8);
const wakeSink = new BigUint64Array(1);

// Struct layouts, from the declarations in libc.ts rather than written again here.
const IN_LEN = koffi.sizeof(sockaddr_in);
const IN_ADDR = koffi.offsetof(sockaddr_in, 'sin_addr');
const IN6_LEN = koffi.sizeof(sockaddr_in6);
const IN6_ADDR = koffi.offsetof(sockaddr_in6, 'sin6_addr');
const PORT = koffi.offsetof(sockaddr_in, 'sin_port'); // the same offset in sockaddr_in6
const POLLFD_LEN = koffi.sizeof(pollfd);
const POLLFD_EVENTS = koffi.offsetof(pollfd, 'events');
const POLLFD_REVENTS = koffi.offsetof(pollfd, 'revents');

// --- sockaddr <-> Linux bytes ----------------------------------------------
/** Writes `addr` as a Linux sockaddr_in/sockaddr_in6 into addrBuf; returns its length. */
function encodeAddr(addr: SockAddr): number {
  addrBuf.fill(0, 0, IN6_LEN);
  addrBuf.writeUInt16BE(addr.port, PORT);
  if (addr.family === K.AF_INET) {
    addrBuf.writeUInt16LE(L.AF_INET, 0);
    addrBuf.set(addressBytes(K.AF_INET, addr.address), IN_ADDR);
    return IN_LEN;
  }
  addrBuf.writeUInt16LE(L.AF_INET6, 0);
  addrBuf.set(addressBytes(K.AF_INET6, addr.address), IN6_ADDR);
  return IN6_LEN;
}

// The last address text parsed: a program connects to (or binds) the same
// address again and again, and parsing it allocates (split, map, array).
let lastFamily = 0;
let lastText = '';
let lastBytes: Uint8Array = new Uint8Array(0);
function addressBytes(family: number, text: string): Uint8Array {
  if (family !== lastFamily || text !== lastText) {
    lastBytes = ipToBytes(family, text);
    lastFamily = family;
    lastText = text;
  }
  return lastBytes;
}

/** A copy of `addr` as Linux's sockaddr bytes (for callers outside this file, such as the harness). */
export function sockaddrBytes(addr: SockAddr): Buffer {
  return Buffer.from(addrBuf.subarray(0, encodeAddr(addr)));
}

/** True when the address encodeAddr just wrote (`len` bytes) is 0.0.0.0 or ::. */
function encodedIsAny(len: number): boolean {
  const from = len === IN_LEN ? IN_ADDR : IN6_ADDR;
  const to = from + (len === IN_LEN ? 4 : 16);
  for (let i = from; i < to; i++) if (addrBuf[i] !== 0) return false;
  return true;
}

/** Decodes addrBuf into `out` with Winsock's family numbers. */
function decodeAddr(out: SockAddr): void {
  const fam = addrBuf.readUInt16LE(0);
  out.port = addrBuf.readUInt16BE(PORT);
  if (fam === L.AF_INET6) {
    out.family = K.AF_INET6;
    out.address = bytesToIp(addrBuf.subarray(IN6_ADDR, IN6_ADDR + 16));
  } else {
    out.family = K.AF_INET;
    out.address = bytesToIp(addrBuf.subarray(IN_ADDR, IN_ADDR + 4));
  }
}

/** getsockname/getpeername into addrBuf; false (errno set) on failure. */
function nameOf(fd: number, peer: boolean): boolean {
  len1[0] = SOCKADDR_STORAGE_SIZE;
  return (peer ? C.getpeername : C.getsockname)(fd, addrBuf, len1) === 0;
}

function localPort(fd: number): number {
  return nameOf(fd, false) ? addrBuf.readUInt16BE(PORT) : 0;
}

// --- small helpers ----------------------------------------------------------
function ioctlInt(fd: number, req: number): number {
  int1[0] = 0;
  return C.ioctl(fd, req, int1) === 0 ? int1[0]! : -1;
}

/** Bytes queued for sending and not yet acknowledged by the peer (SIOCOUTQ). */
const unsentBytes = (s: PosixSock): number => Math.max(0, ioctlInt(s.fd, L.SIOCOUTQ));
/** Bytes received and not yet read (FIONREAD). */
const unreadBytes = (s: PosixSock): number => Math.max(0, ioctlInt(s.fd, L.FIONREAD));

/** A Winsock timeout option's value as a wait in ms: 0 (unset) and DWORDs above INT_MAX (0xFFFFFFFF is INFINITE) wait forever (0). */
function timeoutOf(s: PosixSock, opt: number): number {
  const ms = s.timeout(opt);
  return ms > 0x7fffffff ? 0 : ms;
}

/** waitReady's answer when another thread closed the socket meanwhile (Winsock: the call fails with WSAEINTR). */
const INTERRUPTED = -1;

/**
 * A blocking call's wait: blocks the thread in poll() until the descriptor is
 * ready for `events` or `ms` passes (0: no limit). Returns the revents, 0 when
 * the time ran out, INTERRUPTED when another thread closed the socket (it
 * wakes this one: posix-wake.ts). An error on the descriptor counts as ready
 * (POLLERR): the retried call reports it.
 */
function waitReady(s: PosixSock, events: number, ms: number): number {
  const deadline = ms > 0 ? performance.now() + ms : Infinity;
  const fd = s.fd;
  const wake = beginWait(s.handle);
  // Through native-endian views: Buffer's write methods were a visible share of a blocking connect.
  waitInts[0] = fd;
  waitShorts[POLLFD_EVENTS / 2] = events;
  if (wake >= 0) {
    waitInts[POLLFD_LEN / 4] = wake;
    waitShorts[(POLLFD_LEN + POLLFD_EVENTS) / 2] = L.POLLIN;
    waitShorts[(POLLFD_LEN + POLLFD_REVENTS) / 2] = 0;
  }
  try {
    for (;;) {
      const left = deadline === Infinity ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
      const rc = C.poll(waitBuf, wake >= 0 ? 2 : 1, left);
      if (rc > 0 && wake >= 0 && waitShorts[(POLLFD_LEN + POLLFD_REVENTS) / 2] !== 0) {
        // Woken: the thread that closes the socket took its fd before it woke us.
        if (s.fd !== fd || !s.alive()) return INTERRUPTED;
        // A wake-up for another wait that used this entry: consume it, wait on.
        C.read(wake, wakeSink, 8);
        waitShorts[(POLLFD_LEN + POLLFD_REVENTS) / 2] = 0;
        if (waitShorts[POLLFD_REVENTS / 2]! === 0) continue;
      }
      if (rc > 0) return waitShorts[POLLFD_REVENTS / 2]! || L.POLLERR;
      if (rc === 0 && left === 0) return 0;
      if (rc < 0 && errno() !== E.EINTR) return L.POLLERR;
    }
  } finally {
    endWait();
  }
}

/** Winsock blocks a call on a socket in blocking mode, unless the promise layer asked for one attempt. */
const blocks = (s: PosixSock, nowait: boolean): boolean => !nowait && !s.nonblocking;

/** SO_ERROR (reading it clears it): the errno of an asynchronous failure, or 0. */
function soError(fd: number): number {
  len1[0] = 4;
  int1[0] = 0;
  return C.getsockopt(fd, L.SOL_SOCKET, L.SO_ERROR, int1, len1) === 0 ? int1[0]! : 0;
}

function setKernelLinger(fd: number, onoff: number, secs: number): void {
  lingerBuf[0] = onoff;
  lingerBuf[1] = secs;
  C.setsockopt(fd, L.SOL_SOCKET, L.SO_LINGER, lingerBuf, koffi.sizeof(linger));
}

/** Sleeps the calling thread (a blocking closesocket blocks, as in C). Never -1: that would be forever. */
function sleepMs(ms: number): void {
  C.poll(null, 0, Math.max(0, ms));
}

/** True while the kernel is still in SYN_SENT for this socket's connect (TCP_INFO's first byte). */
function connecting(s: PosixSock): boolean {
  len1[0] = 4;
  int1[0] = 0;
  return C.getsockopt(s.fd, L.IPPROTO_TCP, L.TCP_INFO, int1, len1) === 0 && (int1[0]! & 0xff) === L.TCP_SYN_SENT;
}

function isConnected(s: PosixSock): boolean {
  // A nonblocking connect completes without a call of ours: ask the kernel.
  if (!s.connected && s.connectStarted && nameOf(s.fd, true)) s.connected = true;
  return s.connected;
}

/** The socket's watch, made on first need; null when the descriptor cannot be watched. */
function watchOf(s: PosixSock): Watch | null {
  if (s.watch) return s.watch;
  // A descriptor that is not ours any more must not be watched: a program can
  // close the fd behind the library's back (nativeFd() hands it out). Check it
  // is still an open socket. A number another thread closed and the process
  // reused is the epoll watch's to handle (watch-epoll.ts: the older
  // registration of that number is marked dead).
  len1[0] = 4;
  const fd = s.fd;
  if (fd < 0 || C.getsockopt(fd, L.SOL_SOCKET, L.SO_TYPE, int1, len1) !== 0) return null;
  s.watch = new Watch(fd);
  return s.watch;
}

/** Registers an interest in the socket's readiness; false when its descriptor cannot be watched. */
export function watch(s: PosixSock, i: Interest): boolean {
  const w = watchOf(s);
  return w !== null && w.add(i);
}

export function unwatch(s: PosixSock, i: Interest): void {
  s.watch?.remove(i);
}

/**
 * Ends the SD_RECEIVE rule (the connection was reset, or no data can follow).
 * The rule is the socket's (its slot's, seen by every thread); the watch for
 * it is held by the thread that made the shutdown call, on its own loop.
 */
function stopWatcher(s: PosixSock): void {
  s.receiveRule = false;
  if (s.rdShutWatch) unwatch(s, s.rdShutWatch);
  s.rdShutWatch = null;
}

/**
 * Resets the connection (RST) while keeping the descriptor: connect() with
 * AF_UNSPEC makes Linux abort an established TCP connection (tcp_disconnect).
 * Later send/recv answer WSAECONNABORTED: the abort was this host's.
 */
function resetConnection(s: PosixSock): void {
  stopWatcher(s);
  addrBuf.fill(0, 0, IN_LEN);
  C.connect(s.fd, addrBuf, IN_LEN);
  s.broken = WSA.WSAECONNABORTED;
}

/**
 * Contract: "data queued or arriving after SD_RECEIVE (TCP)" -> reset. Linux
 * accepts and buffers such data, so every call on the socket checks first (in
 * whatever thread), and a watcher on Node's loop catches data arriving while
 * the program is idle.
 */
function enforceReceiveShutdown(s: PosixSock): void {
  if (s.receiveRule && unreadBytes(s) > 0) resetConnection(s);
}

/** false when the descriptor cannot be watched (closed behind the library's back). */
function watchAfterReceiveShutdown(s: PosixSock): boolean {
  if (s.receiveRule || s.broken) return true;
  const i: Interest = {
    readable: true,
    disconnect: true,
    // The rule must not keep the program alive on its own.
    ref: false,
    fn: () => {
      if (s.rdShutWatch !== i) return;
      // Another thread's call ended the rule (a reset it made or saw).
      if (!s.receiveRule) return stopWatcher(s);
      if (unreadBytes(s) > 0) resetConnection(s);
      // Readable with nothing to read: the peer's FIN or an error. No data can
      // follow either, so the watch has nothing left to catch.
      else stopWatcher(s);
    },
  };
  if (!watch(s, i)) return false;
  s.rdShutWatch = i;
  s.receiveRule = true;
  return true;
}

/**
 * Remembers a reset so that every later send/recv reports it (Linux reports
 * ECONNRESET once, then EPIPE or 0). `code` is WSAECONNABORTED for a reset that
 * came after the peer's FIN, as Windows reports it at recv.
 */
function peerReset(s: PosixSock, code: number = WSA.WSAECONNRESET): number {
  s.broken = code;
  stopWatcher(s);
  return fail(code);
}

function translateFlags(flags: number, forSend: boolean): number | undefined {
  const known = K.MSG_OOB | K.MSG_PEEK | K.MSG_DONTROUTE | K.MSG_WAITALL;
  if ((flags & ~known) !== 0) return undefined;
  let n = 0;
  if (flags & K.MSG_OOB) n |= L.MSG_OOB;
  if (flags & K.MSG_DONTROUTE) n |= L.MSG_DONTROUTE;
  if (!forSend && flags & K.MSG_PEEK) n |= L.MSG_PEEK;
  if (!forSend && flags & K.MSG_WAITALL) n |= L.MSG_WAITALL;
  // Contract: "send after own SD_SEND" must not raise SIGPIPE: MSG_NOSIGNAL always.
  return forSend ? n | L.MSG_NOSIGNAL : n;
}

// --- start-up ------------------------------------------------------------------
export function startup(): number {
  return 0;
}

export function cleanup(): void {}

// --- creation, naming, connecting ----------------------------------------------
export function socket(slot: Slot, af: number, type: number, reqProtocol: number): PosixSock | undefined {
  // ws2_32's argument checks, in its order (sock.c test_WSASocket, checked on
  // Windows): AF_UNSPEC with protocol 0 names nothing (WSAEINVAL); then the
  // type, then the family, then the protocol against the type. Type 0 takes
  // the protocol's type (UDP: datagram; 0 or TCP: stream) and AF_UNSPEC with
  // a protocol is AF_INET.
  if (af === K.AF_UNSPEC && reqProtocol === 0) return void fail(WSA.WSAEINVAL);
  if (type !== 0 && type !== K.SOCK_STREAM && type !== K.SOCK_DGRAM) return void fail(WSA.WSAESOCKTNOSUPPORT);
  if (af !== K.AF_UNSPEC && af !== K.AF_INET && af !== K.AF_INET6) return void fail(WSA.WSAEAFNOSUPPORT);
  if (type === 0) type = reqProtocol === K.IPPROTO_UDP ? K.SOCK_DGRAM : K.SOCK_STREAM;
  const protocol = type === K.SOCK_STREAM ? K.IPPROTO_TCP : K.IPPROTO_UDP;
  if (reqProtocol !== 0 && reqProtocol !== protocol) return void fail(WSA.WSAEPROTONOSUPPORT);
  if (af === K.AF_UNSPEC) af = K.AF_INET;
  const fd = C.socket(af === K.AF_INET6 ? L.AF_INET6 : L.AF_INET, type | L.SOCK_CLOEXEC | L.SOCK_NONBLOCK, protocol);
  if (fd < 0) return void fail(wsaFromErrno(errno()));
  // Windows' IPv6 sockets are v6-only unless cleared; Linux's default follows a sysctl.
  if (af === K.AF_INET6) {
    int1[0] = 1;
    C.setsockopt(fd, L.IPPROTO_IPV6, L.IPV6_V6ONLY, int1, 4);
  }
  return newSock(slot, fd, af, type, protocol, false);
}

function newSock(slot: Slot, fd: number, af: number, type: number, protocol: number, nonblocking: boolean): PosixSock {
  setKind(slot.base, af, type, protocol);
  const s = new PosixSock(slot.handle, slot.base);
  s.fd = fd;
  s.nonblocking = nonblocking;
  return s;
}

// The option values a record keeps (posix-sock.ts), by number.
const KEPT_KEYS = new Map<OptionInfo, number>();
const keptIndex = (key: OptionInfo): number => KEPT_KEYS.get(key)!;
function keep(s: PosixSock, key: OptionInfo, value: number): void {
  s.keep(keptIndex(key), value);
}
const kept = (s: PosixSock, key: OptionInfo): number => s.kept(keptIndex(key));

/** Sockets bound with SO_EXCLUSIVEADDRUSE in this process (closed ones have fd -1). */
const exclusiveHolders = new Set<PosixSock>();

export function bind(s: PosixSock, addr: SockAddr): number {
  // A family Winsock does not know is WSAEAFNOSUPPORT (sock.c test_bind: sa_family
  // 0xdead); a known one that is not the socket's is WSAEFAULT (Microsoft's bind page).
  if (addr.family !== K.AF_INET && addr.family !== K.AF_INET6) return fail(WSA.WSAEAFNOSUPPORT);
  if (addr.family !== s.af) return fail(WSA.WSAEFAULT);
  // Winsock: a socket already bound (by bind, connect or accept) is WSAEINVAL.
  // Linux agrees while the socket holds its port, but a TCP connection that
  // ended (reset, or both FINs exchanged) gives the port back and bind succeeds.
  if (s.bound) return fail(WSA.WSAEINVAL);
  const n = encodeAddr(addr);
  const any = encodedIsAny(n);
  if (C.bind(s.fd, addrBuf, n) !== 0) {
    const e = errno();
    // Windows answers WSAEACCES, not WSAEADDRINUSE, when the address is taken
    // and this socket asked to share it with SO_REUSEADDR, or a specific
    // address is refused because the wildcard holder bound it with
    // SO_EXCLUSIVEADDRUSE (sock.c test_reuseaddr's tests and tests_exclusive).
    if (e === E.EADDRINUSE && (kept(s, REUSE) || (!any && exclusiveAnyHolder(addr.port)))) return fail(WSA.WSAEACCES);
    return fail(wsaFromErrno(e));
  }
  s.bound = true;
  if (kept(s, EXCLUSIVE)) exclusiveHolders.add(s);
  return 0;
}

/** True when a live socket of this process holds the wildcard address on `port` with SO_EXCLUSIVEADDRUSE. */
function exclusiveAnyHolder(port: number): boolean {
  for (const h of exclusiveHolders) {
    // Closed (in any thread): its slot holds another socket's state, or none.
    if (!h.alive()) exclusiveHolders.delete(h);
    else if (nameOf(h.fd, false) && addrBuf.readUInt16BE(PORT) === port && encodedIsAny(len1[0]!)) return true;
  }
  return false;
}

export function listen(s: PosixSock, backlog: number): number {
  if (s.type !== K.SOCK_STREAM) return fail(WSA.WSAEOPNOTSUPP);
  if (!Number.isInteger(backlog)) return fail(WSA.WSAEINVAL);
  // Contract: "listen on an unbound socket" is WSAEINVAL; Linux would auto-bind.
  if (!s.bound && localPort(s.fd) === 0) return fail(WSA.WSAEINVAL);
  if (isConnected(s)) return fail(WSA.WSAEISCONN);
  // Contract: SOMAXCONN means the provider's maximum (the kernel clamps it to
  // net.core.somaxconn); SOMAXCONN_HINT(n) is -n, clamped to 200..65535.
  const n = backlog < 0 ? Math.min(65535, Math.max(200, -backlog)) : backlog;
  if (C.listen(s.fd, n) !== 0) return fail(wsaFromErrno(errno()));
  s.listening = true;
  return 0;
}

export function accept(s: PosixSock, slot: Slot, addrOut: SockAddr | undefined, nowait = false): PosixSock | undefined {
  if (s.type !== K.SOCK_STREAM) return void fail(WSA.WSAEOPNOTSUPP);
  if (!s.listening) return void fail(WSA.WSAEINVAL);
  let fd: number;
  for (;;) {
    len1[0] = SOCKADDR_STORAGE_SIZE;
    fd = C.accept4(s.fd, addrBuf, len1, L.SOCK_CLOEXEC | L.SOCK_NONBLOCK);
    if (fd >= 0) break;
    const e = errno();
    if (e === E.EINTR) continue;
    // Winsock: a blocking accept waits for a connection, and SO_RCVTIMEO does not apply to it.
    if (e === E.EAGAIN && blocks(s, nowait)) {
      const ev = waitReady(s, L.POLLIN, 0);
      if (ev === INTERRUPTED) return void fail(WSA.WSAEINTR);
      if (ev !== 0) continue;
    }
    // A connection reset before accept: Winsock calls that WSAECONNRESET.
    return void fail(e === E.ECONNABORTED ? WSA.WSAECONNRESET : wsaFromErrno(e));
  }
  // The peer's bytes, kept before any code of the caller's (addrOut's setters) can run.
  const peerLen = len1[0]!;
  const peerAddr = addrOut ? Buffer.from(addrBuf.subarray(0, peerLen)) : addrBuf;
  if (addrOut) {
    // A throwing setter on addrOut must not leave an accepted connection that
    // no handle owns: reset it and let the error through.
    try {
      decodeAddr(addrOut);
    } catch (err) {
      setKernelLinger(fd, 1, 0);
      C.close(fd);
      throw err;
    }
  }
  // Winsock: the accepted socket has the listening socket's properties, its
  // blocking mode among them (the program's mode, never a promise attempt's).
  const child = newSock(slot, fd, s.af, s.type, s.protocol, s.nonblocking);
  child.connected = child.connectStarted = child.bound = true;
  child.inheritOptions(s);
  child.setPeer(peerAddr, peerLen);
  return child;
}

export function connect(s: PosixSock, addr: SockAddr, nowait = false): number {
  // Winsock: connect with AF_UNSPEC dissolves a datagram socket's association
  // (sock.c test_connect_udp); any other foreign family is WSAEAFNOSUPPORT.
  if (s.type === K.SOCK_DGRAM && addr.family === K.AF_UNSPEC) return dissolve(s);
  if (addr.family !== s.af) return fail(WSA.WSAEAFNOSUPPORT);
  if (s.listening) return fail(WSA.WSAEINVAL);
  // Winsock: connect on a connected stream socket is WSAEISCONN. Linux instead
  // returns 0 to the first connect after a nonblocking connect completed.
  if (s.type === K.SOCK_STREAM && isConnected(s)) return fail(WSA.WSAEISCONN);
  const wasPending = s.type === K.SOCK_STREAM && s.connectStarted && s.nonblocking;
  const n = encodeAddr(addr);
  const any = encodedIsAny(n);
  // Winsock: an all-zero address dissolves a datagram socket's association.
  if (s.type === K.SOCK_DGRAM && addr.port === 0 && any) return dissolve(s);
  // Winsock: connecting to ADDR_ANY or to port 0 is WSAEADDRNOTAVAIL.
  if (addr.port === 0 || any) return fail(WSA.WSAEADDRNOTAVAIL);
  const rc = C.connect(s.fd, addrBuf, n);
  const e = rc < 0 ? errno() : 0;
  if (rc === 0 || e === E.EINPROGRESS) {
    s.connectStarted = s.bound = true;
    s.setPeer(addrBuf, n); // addrBuf still holds the encoded address
    if (rc === 0 && s.type === K.SOCK_STREAM) s.connected = true;
  }
  // The earlier nonblocking connect completed between the check above and
  // this call: Linux reports that as 0, Winsock as WSAEISCONN.
  if (rc === 0 && wasPending) return fail(WSA.WSAEISCONN);
  if (rc === 0) return 0;
  if (e === E.EINPROGRESS && blocks(s, nowait)) {
    // A blocking connect waits for the handshake's end (SO_SNDTIMEO does not
    // apply to it in Winsock) and reports how it ended.
    // Writable without POLLERR/POLLHUP: established, and SO_ERROR would say 0
    // (one syscall fewer per blocking connect); otherwise SO_ERROR says how it failed.
    const rev = waitReady(s, L.POLLOUT, 0);
    if (rev === INTERRUPTED) return fail(WSA.WSAEINTR);
    const err = rev & L.POLLOUT && !(rev & (L.POLLERR | L.POLLHUP)) ? 0 : soError(s.fd);
    if (err === 0) return ((s.connected = true), 0);
    s.connectStarted = false;
    return fail(wsaFromErrno(err));
  }
  // Contract: "nonblocking connect in progress" is WSAEWOULDBLOCK, not EINPROGRESS.
  if (e === E.EINPROGRESS) return fail(WSA.WSAEWOULDBLOCK);
  return fail(wsaFromErrno(e));
}

/**
 * Winsock: connect to the all-zero address dissolves a datagram socket's
 * association and the socket stays bound where it was. Linux's disconnect
 * (AF_UNSPEC) also gives back a local port the kernel chose (a bind to port 0,
 * or the implicit bind of connect/sendto), so a later recv would miss every
 * datagram sent to that port, or block unbound: bind the same port again.
 */
function dissolve(s: PosixSock): number {
  const keepPort = localPort(s.fd);
  addrBuf.fill(0, 0, IN_LEN);
  if (C.connect(s.fd, addrBuf, IN_LEN) !== 0) return fail(wsaFromErrno(errno()));
  if (keepPort !== 0 && localPort(s.fd) === 0) {
    // addrBuf/len1 now hold the local address Linux kept (a bound address, or the any address).
    addrBuf.writeUInt16BE(keepPort, PORT);
    C.bind(s.fd, addrBuf, len1[0]!);
  }
  s.bound = localPort(s.fd) !== 0;
  s.connectStarted = false;
  return 0;
}

// --- data ---------------------------------------------------------------------------
/**
 * Linux reports an ICMP port unreachable on a connected datagram socket as
 * ECONNREFUSED on the next send/recv; Winsock reports WSAECONNRESET ("a
 * previous send operation resulted in an ICMP Port Unreachable message").
 * It is one report, not a broken socket: no peerReset.
 */
const icmpUnreachable = (s: PosixSock, e: number): boolean => e === E.ECONNREFUSED && s.type === K.SOCK_DGRAM;

/** The translation of a failed send's errno (EPIPE means three different things). */
function sendFailure(s: PosixSock, e: number): number {
  if (icmpUnreachable(s, e)) return fail(WSA.WSAECONNRESET);
  if (e === E.EPIPE) {
    if (s.shutSend) return fail(WSA.WSAESHUTDOWN);
    // EPIPE without our own SHUT_WR: the connection was reset, or never made.
    return s.connectStarted ? peerReset(s) : fail(WSA.WSAENOTCONN);
  }
  if (e === E.ECONNRESET) return peerReset(s);
  if (e === E.EDESTADDRREQ) return fail(WSA.WSAENOTCONN); // an unconnected datagram socket
  return fail(wsaFromErrno(e));
}

function recvFailure(s: PosixSock, e: number): number {
  if (icmpUnreachable(s, e)) return fail(WSA.WSAECONNRESET);
  if (e === E.ECONNRESET) return peerReset(s);
  // EPIPE from recv: a reset after the peer's FIN (Linux sets EPIPE in CLOSE_WAIT).
  if (e === E.EPIPE) return peerReset(s, WSA.WSAECONNABORTED);
  return fail(wsaFromErrno(e));
}

function beforeSend(s: PosixSock): number {
  enforceReceiveShutdown(s);
  // Contract: "send after own SD_SEND" is WSAESHUTDOWN (Linux: EPIPE + SIGPIPE).
  if (s.shutSend) return fail(WSA.WSAESHUTDOWN);
  // Contract: "peer reset, then recv/send" is WSAECONNRESET every time.
  if (s.broken) return fail(s.broken);
  return notYetConnected(s) ? fail(WSA.WSAENOTCONN) : 0;
}

/**
 * Winsock: send/recv on a stream socket that is not connected is WSAENOTCONN:
 * never connected, listening, a connect that failed, or one still in progress
 * (sock.c test_connecting_socket). Linux answers EAGAIN while connecting, and
 * 0 from recv after a refused connect.
 */
const notYetConnected = (s: PosixSock): boolean => s.type === K.SOCK_STREAM && !isConnected(s);

/**
 * Sends `len` bytes of `buf` (to the `alen` bytes of addrBuf when alen > 0).
 * A blocking socket waits until all of them are queued, as a blocking send
 * does on a stream socket, each wait bounded by SO_SNDTIMEO; otherwise it is
 * one attempt, which may queue a part.
 */
function sendImpl(s: PosixSock, buf: Uint8Array, len: number, nf: number, alen: number, nowait: boolean): number {
  const block = blocks(s, nowait);
  let off = 0;
  for (;;) {
    const p = off === 0 ? buf : buf.subarray(off);
    const r = Number(alen ? C.sendto(s.fd, p, len - off, nf, addrBuf, alen) : C.send(s.fd, p, len - off, nf));
    if (r >= 0) {
      off += r;
      if (off >= len || !block || s.type !== K.SOCK_STREAM) return off;
      continue;
    }
    const e = errno();
    if (e === E.EINTR) continue;
    if (e !== E.EAGAIN || !block) return off > 0 ? off : sendFailure(s, e);
    // While the thread waits, Node's loop cannot run the SD_RECEIVE watch, so
    // the wait also watches for the data that rule must answer with a reset.
    const rd = s.receiveRule ? L.POLLIN : 0;
    const ev = waitReady(s, L.POLLOUT | rd, timeoutOf(s, L.SO_SNDTIMEO));
    if (ev === INTERRUPTED) return off > 0 ? off : fail(WSA.WSAEINTR);
    // SO_SNDTIMEO ran out: Winsock says WSAETIMEDOUT (what was queued stays queued).
    if (ev === 0) return off > 0 ? off : fail(WSA.WSAETIMEDOUT);
    if (ev & rd) {
      if (unreadBytes(s) > 0) resetConnection(s);
      else stopWatcher(s); // the peer's FIN: no data can follow
      if (s.broken) return off > 0 ? off : fail(s.broken);
    }
  }
}

export function send(s: PosixSock, buf: Uint8Array, len: number, flags: number, nowait = false): number {
  if (beforeSend(s) !== 0) return K.SOCKET_ERROR;
  const nf = translateFlags(flags, true);
  if (nf === undefined) return fail(WSA.WSAEOPNOTSUPP);
  return sendImpl(s, buf, len, nf, 0, nowait);
}

export function sendto(s: PosixSock, buf: Uint8Array, len: number, flags: number, addr: SockAddr, nowait = false): number {
  // Winsock ignores the address on a stream socket.
  if (s.type === K.SOCK_STREAM) return send(s, buf, len, flags, nowait);
  if (addr.family !== s.af) return fail(WSA.WSAEAFNOSUPPORT);
  if (beforeSend(s) !== 0) return K.SOCKET_ERROR;
  const nf = translateFlags(flags, true);
  if (nf === undefined) return fail(WSA.WSAEOPNOTSUPP);
  const n = encodeAddr(addr);
  if (addr.port === 0 || encodedIsAny(n)) return fail(WSA.WSAEADDRNOTAVAIL);
  const r = sendImpl(s, buf, len, nf, n, nowait);
  if (r >= 0) s.bound = true;
  return r;
}

function beforeRecv(s: PosixSock): number {
  enforceReceiveShutdown(s);
  // Contract: "recv after own SD_RECEIVE" is WSAESHUTDOWN even with data buffered.
  if (s.shutRecv) return fail(WSA.WSAESHUTDOWN);
  if (s.broken) return fail(s.broken);
  if (notYetConnected(s)) return fail(WSA.WSAENOTCONN);
  // Winsock: receiving on an unbound datagram socket is WSAEINVAL (Linux would block forever).
  if (s.type === K.SOCK_DGRAM && !s.bound) {
    if (localPort(s.fd) === 0) return fail(WSA.WSAEINVAL);
    s.bound = true;
  }
  return 0;
}

function recvImpl(s: PosixSock, buf: Uint8Array, len: number, flags: number, addrOut: SockAddr | undefined, nowait: boolean): number {
  if (beforeRecv(s) !== 0) return K.SOCKET_ERROR;
  let nf = translateFlags(flags, false);
  if (nf === undefined) return fail(WSA.WSAEOPNOTSUPP);
  const dgram = s.type === K.SOCK_DGRAM;
  // MSG_TRUNC makes Linux return a datagram's real length, so an oversized one
  // can answer WSAEMSGSIZE like Winsock (Linux would truncate silently).
  if (dgram) nf |= L.MSG_TRUNC;
  // The descriptor is nonblocking, so the kernel's MSG_WAITALL would not wait:
  // on a blocking stream socket the loop below reads until `len` arrived.
  const all = !dgram && (nf & L.MSG_WAITALL) !== 0 && (nf & L.MSG_PEEK) === 0;
  nf &= ~L.MSG_WAITALL;
  const block = blocks(s, nowait);
  const from = addrOut !== undefined && dgram;
  let got = 0;
  for (;;) {
    len1[0] = SOCKADDR_STORAGE_SIZE;
    const p = got === 0 ? buf : buf.subarray(got);
    const r = Number(from ? C.recvfrom(s.fd, p, len - got, nf, addrBuf, len1) : C.recv(s.fd, p, len - got, nf));
    if (r < 0) {
      const e = errno();
      if (e === E.EINTR) continue;
      if (e === E.EAGAIN && block) {
        const ev = waitReady(s, L.POLLIN, timeoutOf(s, L.SO_RCVTIMEO));
        if (ev === INTERRUPTED) return fail(WSA.WSAEINTR);
        if (ev !== 0) continue;
        // SO_RCVTIMEO ran out: Winsock says WSAETIMEDOUT.
        return got > 0 ? got : fail(WSA.WSAETIMEDOUT);
      }
      return got > 0 ? got : recvFailure(s, e);
    }
    if (r === 0 && got === 0 && !dgram && len > 0) {
      // Linux answers 0 (the FIN it read) even when a reset followed it and
      // only keeps the reset in SO_ERROR (EPIPE in CLOSE_WAIT). Windows reports
      // the abort (Wine's test_shutdown, checked on Windows: WSAECONNABORTED).
      const err = soError(s.fd);
      if (err === E.EPIPE || err === E.ECONNRESET) return recvFailure(s, err);
    }
    if (dgram) {
      if (from) decodeAddr(addrOut);
      return r > len ? fail(WSA.WSAEMSGSIZE) : r;
    }
    got += r;
    if (!all || !block || r === 0 || got >= len) return got;
  }
}

export function recv(s: PosixSock, buf: Uint8Array, len: number, flags: number, nowait = false): number {
  return recvImpl(s, buf, len, flags, undefined, nowait);
}

export function recvfrom(s: PosixSock, buf: Uint8Array, len: number, flags: number, addrOut: SockAddr | undefined, nowait = false): number {
  return recvImpl(s, buf, len, flags, addrOut, nowait);
}

// --- the end of a connection -----------------------------------------------------
export function shutdown(s: PosixSock, how: number): number {
  // WSAEINVAL for a bad `how` comes before any check of the socket's state.
  if (how !== K.SD_RECEIVE && how !== K.SD_SEND && how !== K.SD_BOTH) return fail(WSA.WSAEINVAL);
  const rd = how === K.SD_RECEIVE || how === K.SD_BOTH;
  const wr = how === K.SD_SEND || how === K.SD_BOTH;
  // Contract: "UDP shutdown" succeeds even unconnected; Linux says ENOTCONN.
  // Only the state changes: later send/recv answer WSAESHUTDOWN.
  if (s.type === K.SOCK_DGRAM) {
    s.shutRecv ||= rd;
    s.shutSend ||= wr;
    return 0;
  }
  // Contract: shutdown on an unconnected or listening TCP socket is
  // WSAENOTCONN (Linux returns 0 on a listening one).
  if (s.listening || !isConnected(s)) return fail(WSA.WSAENOTCONN);
  if (rd && !s.shutRecv) {
    s.shutRecv = true;
    // A connection the peer already reset (the kernel's state is CLOSE, the
    // reset not yet reported by a call) is not ours to reset: the next
    // send/recv reports the peer's WSAECONNRESET, not our WSAECONNABORTED.
    if (!s.broken && kernelClosed(s)) {
      /* nothing to reset, nothing to watch for */
    }
    // Contract: SD_RECEIVE/SD_BOTH with data already queued resets the
    // connection; Linux would keep it readable and later send a FIN.
    else if (!s.broken && unreadBytes(s) > 0) resetConnection(s);
    else if (!watchAfterReceiveShutdown(s)) return fail(WSA.WSAENOTSOCK); // the fd was closed behind our back
  }
  if (wr && !s.shutSend) {
    s.shutSend = true;
    // After a reset the connection is gone and SHUT_WR has nothing to send.
    // Otherwise Linux's SHUT_WR is Winsock's: a FIN after the queued data.
    // ENOTCONN here means the connection already ended (both FINs exchanged);
    // like a repeated shutdown, that is not an error.
    if (!s.broken && C.shutdown(s.fd, L.SHUT_WR) !== 0) {
      const e = errno();
      if (e !== E.ENOTCONN) return fail(wsaFromErrno(e));
    }
  }
  return 0;
}

/** TCP_INFO's tcpi_state is TCP_CLOSE: the connection is over (reset, or both FINs exchanged). */
function kernelClosed(s: PosixSock): boolean {
  const info = Buffer.alloc(8);
  len1[0] = info.length;
  return C.getsockopt(s.fd, L.IPPROTO_TCP, L.TCP_INFO, info, len1) === 0 && info[0] === TCP_CLOSE;
}
const TCP_CLOSE = 7; // Linux's tcp_states.h

/**
 * What a lingering close waits for: the bytes not yet acknowledged. Once the
 * peer has reset the connection nothing more can be delivered, though Linux's
 * SIOCOUTQ still counts what was queued (write_seq - snd_una): nothing to wait
 * for then (found by the fuzzer: linger {1,65535} slept for hours).
 */
const lingeringBytes = (s: PosixSock): number => (unsentBytes(s) > 0 && !kernelClosed(s) ? unsentBytes(s) : 0);

export function sendDisconnect(s: PosixSock): number {
  return shutdown(s, K.SD_SEND);
}

export function recvDisconnect(s: PosixSock): number {
  return shutdown(s, K.SD_RECEIVE);
}

function closeFd(s: PosixSock): void {
  // libuv must stop watching before the descriptor is closed (and its number reused).
  s.watch?.close();
  s.watch = s.rdShutWatch = null;
  // Another thread closing the socket at the same moment gets -1: the number is closed once.
  const fd = s.takeFd();
  if (fd < 0) return;
  // Winsock: blocking calls other threads have pending on the socket are cancelled (WSAEINTR).
  wakeWaiters(s.handle);
  C.close(fd);
}

export function closesocket(s: PosixSock, nowait = false): number {
  const { l_onoff, l_linger } = s.linger;
  const tcpConnected = s.type === K.SOCK_STREAM && !s.listening && !s.broken && isConnected(s);
  if (l_onoff && tcpConnected) {
    if (l_linger === 0) {
      // Contract: linger {1,0} is abortive: RST, no TIME_WAIT. The kernel does it.
      setKernelLinger(s.fd, 1, 0);
    } else if (lingeringBytes(s) > 0) {
      // Contract: linger {1,N} on a nonblocking socket with unsent data fails
      // with WSAEWOULDBLOCK and the handle stays valid (Linux would block).
      // The promise layer's attempt gets the same answer and waits on Node's loop.
      if (!blocks(s, nowait)) return fail(WSA.WSAEWOULDBLOCK);
      // Contract: on a blocking socket wait up to N seconds for the data to be
      // sent and acknowledged, then reset (Linux would keep sending in the
      // background without a RST).
      const deadline = performance.now() + l_linger * 1000;
      let left = lingeringBytes(s);
      for (let now = performance.now(); left > 0 && now < deadline; now = performance.now()) {
        sleepMs(Math.min(10, Math.ceil(deadline - now)));
        left = lingeringBytes(s);
      }
      if (left > 0) setKernelLinger(s.fd, 1, 0);
    }
  }
  closeFd(s);
  return 0;
}

export function abort(s: PosixSock): void {
  // Contract: the last WSACleanup resets every open socket.
  if (s.type === K.SOCK_STREAM && !s.listening) setKernelLinger(s.fd, 1, 0);
  closeFd(s);
}

// --- options and control ---------------------------------------------------------
/** Winsock (level:name) -> Linux (level, name) for the plain int/bool options. */
const NATIVE_OPT = new Map<string, [number, number]>([
  [`${K.SOL_SOCKET}:${K.SO_REUSEADDR}`, [L.SOL_SOCKET, L.SO_REUSEADDR]],
  [`${K.SOL_SOCKET}:${K.SO_KEEPALIVE}`, [L.SOL_SOCKET, L.SO_KEEPALIVE]],
  [`${K.SOL_SOCKET}:${K.SO_BROADCAST}`, [L.SOL_SOCKET, L.SO_BROADCAST]],
  [`${K.SOL_SOCKET}:${K.SO_DONTROUTE}`, [L.SOL_SOCKET, L.SO_DONTROUTE]],
  [`${K.SOL_SOCKET}:${K.SO_OOBINLINE}`, [L.SOL_SOCKET, L.SO_OOBINLINE]],
  [`${K.SOL_SOCKET}:${K.SO_ACCEPTCONN}`, [L.SOL_SOCKET, L.SO_ACCEPTCONN]],
  [`${K.SOL_SOCKET}:${K.SO_RCVBUF}`, [L.SOL_SOCKET, L.SO_RCVBUF]],
  [`${K.SOL_SOCKET}:${K.SO_SNDBUF}`, [L.SOL_SOCKET, L.SO_SNDBUF]],
  [`${K.SOL_SOCKET}:${K.SO_RCVTIMEO}`, [L.SOL_SOCKET, L.SO_RCVTIMEO]],
  [`${K.SOL_SOCKET}:${K.SO_SNDTIMEO}`, [L.SOL_SOCKET, L.SO_SNDTIMEO]],
  [`${K.SOL_SOCKET}:${K.SO_ERROR}`, [L.SOL_SOCKET, L.SO_ERROR]],
  [`${K.SOL_SOCKET}:${K.SO_TYPE}`, [L.SOL_SOCKET, L.SO_TYPE]],
  [`${K.IPPROTO_TCP}:${K.TCP_NODELAY}`, [L.IPPROTO_TCP, L.TCP_NODELAY]],
  [`${K.IPPROTO_IPV6}:${K.IPV6_V6ONLY}`, [L.IPPROTO_IPV6, L.IPV6_V6ONLY]],
]);
// The same, looked up by number: getsockopt/setsockopt are hot, and a string
// key built per call cost ~40 ns and 56 bytes (bench/breakdown.ts).
const NATIVE_BY_NUMBER = new Map<number, Map<number, [number, number]>>();
for (const [key, native] of NATIVE_OPT) {
  const [level, name] = key.split(':').map(Number) as [number, number];
  NATIVE_BY_NUMBER.set(level, (NATIVE_BY_NUMBER.get(level) ?? new Map()).set(name, native));
}
const nativeOpt = (level: number, name: number): [number, number] => NATIVE_BY_NUMBER.get(level)!.get(name)!;

// The options the library keeps or treats apart, by their OptionInfo (one
// object per known option, options.ts): no key is built per call.
const known = (level: number, name: number): OptionInfo => optionInfo(level, name)!;
const REUSE = known(K.SOL_SOCKET, K.SO_REUSEADDR);
const EXCLUSIVE = known(K.SOL_SOCKET, K.SO_EXCLUSIVEADDRUSE);
const DEBUG = known(K.SOL_SOCKET, K.SO_DEBUG);
const SOERROR = known(K.SOL_SOCKET, K.SO_ERROR);
const RCVBUF = known(K.SOL_SOCKET, K.SO_RCVBUF);
const SNDBUF = known(K.SOL_SOCKET, K.SO_SNDBUF);
const SOTYPE = known(K.SOL_SOCKET, K.SO_TYPE);
[REUSE, EXCLUSIVE, DEBUG, SOERROR, RCVBUF, SNDBUF].forEach((key, i) => KEPT_KEYS.set(key, i));
if (KEPT_KEYS.size !== KEPT_COUNT) throw new Error('posix: the kept options and posix-sock.ts disagree');

/**
 * ws2_32's answer to an option name, before its value: an unknown level is
 * WSAEINVAL, an unknown name WSAENOPROTOOPT, a stream option on a datagram
 * socket WSAENOPROTOOPT (sock.c test_set_getsockopt; Microsoft's setsockopt).
 */
function checkOption(s: PosixSock, level: number, name: number): OptionInfo | undefined {
  if (!LEVELS.has(level)) return void fail(WSA.WSAEINVAL);
  const info = optionInfo(level, name);
  if (!info) return void fail(WSA.WSAENOPROTOOPT);
  if (info.streamOnly && s.type !== K.SOCK_STREAM) return void fail(WSA.WSAENOPROTOOPT);
  return info;
}

export function setsockopt(s: PosixSock, level: number, name: number, kind: OptionKind, value: number | Linger): number {
  const info = checkOption(s, level, name);
  if (!info) return K.SOCKET_ERROR;
  const key = info;
  // Setting a read-only option is WSAENOPROTOOPT, except SO_TYPE on a datagram
  // socket: WSAEINVAL (sock.c test_WSASocket and test_listen).
  if (info.readOnly) return fail(key === SOTYPE && s.type === K.SOCK_DGRAM ? WSA.WSAEINVAL : WSA.WSAENOPROTOOPT);
  if (kind === 'bool' || kind === 'dontlinger') {
    // A 1-byte BOOLEAN option reads only the int's first byte (sock.c
    // test_set_getsockopt: TCP_NODELAY 0x100 reads back 0); a BOOL is nonzero.
    const v = value as number;
    value = (info.byteBool ? v & 0xff : v) !== 0 ? 1 : 0;
  }
  // Contract: SO_LINGER is Winsock's u_short pair, kept here; the kernel's
  // linger stays off so that close() never blocks the thread the Linux way.
  if (kind === 'linger') {
    s.linger = { ...(value as Linger) };
    return 0;
  }
  // Contract: SO_DONTLINGER TRUE is l_onoff = 0 (Linux has no such option);
  // FALSE turns lingering on with the current l_linger.
  if (kind === 'dontlinger') {
    s.linger = { l_onoff: value ? 0 : 1, l_linger: s.linger.l_linger };
    return 0;
  }
  if (level === K.IPPROTO_IPV6 && s.af === K.AF_INET) {
    // Windows accepts IPV6_V6ONLY on an IPv4 socket and ignores it (Wine's
    // test_ipv6only, checked on Windows); Linux refuses it.
    return 0;
  }
  if (key === SOERROR || key === DEBUG) {
    // Windows keeps a value set for SO_ERROR and reads it back (sock.c
    // test_set_getsockopt); SO_DEBUG is accepted and reads back as 1 (sock.c
    // test_so_debug). Linux refuses the first and needs CAP_NET_ADMIN for the second.
    keep(s, key, value as number);
    return 0;
  }
  // SO_REUSEADDR and SO_EXCLUSIVEADDRUSE cannot both be set on one socket:
  // the later call fails (sock.c test_ipv6only; WSAEINVAL per Microsoft's
  // SO_EXCLUSIVEADDRUSE page).
  if ((key === EXCLUSIVE && value && kept(s, REUSE)) || (key === REUSE && value && kept(s, EXCLUSIVE))) return fail(WSA.WSAEINVAL);
  if (key === EXCLUSIVE) {
    keep(s, key, value as number);
    return 0;
  }
  const [nl, nn] = nativeOpt(level, name);
  if (kind === 'ms') {
    // The descriptor is nonblocking: the blocking emulation applies the
    // timeouts itself (waitReady), to send and receive calls only, as Winsock does.
    s.setTimeout(nn, value as number);
    return 0;
  }
  int1[0] = value as number;
  if (C.setsockopt(s.fd, nl, nn, int1, 4) !== 0) return fail(wsaFromErrno(errno()));
  // Winsock reads back the buffer size that was set (sock.c test_set_getsockopt:
  // 4096 and 0 read back as such); Linux doubles and clamps it.
  if (key === REUSE || key === RCVBUF || key === SNDBUF) keep(s, key, value as number);
  return 0;
}

export function getsockopt(s: PosixSock, level: number, name: number, kind: OptionKind, out: Linger | number[]): number {
  const key = checkOption(s, level, name);
  if (!key) return K.SOCKET_ERROR;
  if (key === DEBUG || key === EXCLUSIVE || ((key === RCVBUF || key === SNDBUF) && s.keeps(keptIndex(key)))) {
    (out as number[])[0] = kept(s, key);
    return 0;
  }
  if (kind === 'linger') {
    Object.assign(out, s.linger);
    return 0;
  }
  if (kind === 'dontlinger') {
    (out as number[])[0] = s.linger.l_onoff ? 0 : 1;
    return 0;
  }
  if (level === K.IPPROTO_IPV6 && s.af === K.AF_INET) {
    // Windows reports IPV6_V6ONLY as set on an IPv4 socket (see setsockopt).
    (out as number[])[0] = 1;
    return 0;
  }
  const [nl, nn] = nativeOpt(level, name);
  let v: number;
  if (kind === 'ms') {
    // Winsock reports the DWORD that was set.
    v = s.timeout(nn);
  } else {
    len1[0] = 4;
    int1[0] = 0;
    if (C.getsockopt(s.fd, nl, nn, int1, len1) !== 0) return fail(wsaFromErrno(errno()));
    v = int1[0]!;
  }
  if (nn === L.SO_ERROR && nl === L.SOL_SOCKET) {
    // SO_ERROR holds an errno (and reading it clears it): report the WSA code
    // and remember a reset, which the next send/recv must still report.
    if (v === E.ECONNRESET) s.broken = WSA.WSAECONNRESET;
    v = v === 0 ? kept(s, SOERROR) : v === E.EINPROGRESS ? WSA.WSAEWOULDBLOCK : wsaFromErrno(v);
  } else if (nl === L.SOL_SOCKET && (nn === L.SO_RCVBUF || nn === L.SO_SNDBUF)) {
    // Linux doubles the size it was given (for bookkeeping); Winsock reports what was set.
    v = Math.floor(v / 2);
  } else if (kind === 'bool') {
    v = v ? 1 : 0;
  }
  (out as number[])[0] = v;
  return 0;
}

export function ioctlsocket(s: PosixSock, cmd: number, argp: number[]): number {
  if (cmd !== K.FIONBIO && cmd !== K.FIONREAD) return fail(WSA.WSAEINVAL);
  if (cmd === K.FIONBIO) {
    // Winsock's mode is the library's own state: the descriptor stays O_NONBLOCK.
    // NaN is falsy here as it is 0 for the u_long koffi would pass.
    s.nonblocking = Boolean(argp[0]);
    return 0;
  }
  // FIONREAD
  enforceReceiveShutdown(s);
  if (s.listening) {
    argp[0] = 0;
    return 0;
  }
  const n = ioctlInt(s.fd, L.FIONREAD);
  if (n < 0) return fail(wsaFromErrno(errno()));
  argp[0] = n;
  return 0;
}

// The only flags a WSAPoll entry may request: POLLWRBAND, POLLPRI and the
// output-only bits are WSAEINVAL (sock.c test_WSAPoll's invalid_flags, checked
// on Windows; Microsoft's page also names POLLPRI).
const POLL_REQUESTABLE = K.POLLRDNORM | K.POLLRDBAND | K.POLLWRNORM;

// The pollfd array, reused and grown as needed (calls are synchronous): a
// Buffer.alloc per WSAPoll was most of a 1-entry call's cost (bench/breakdown.ts).
// Written and read through native-endian views (struct pollfd is a native
// struct): Buffer's writeInt32LE/readInt16LE checked bounds on every field.
let pollScratch = Buffer.alloc(POLLFD_LEN * 64);
let pollFd32 = new Int32Array(pollScratch.buffer, pollScratch.byteOffset, pollScratch.length >> 2);
let pollEv16 = new Int16Array(pollScratch.buffer, pollScratch.byteOffset, pollScratch.length >> 1);
const FD32 = POLLFD_LEN >> 2; // int32 slots per pollfd
const EV16 = POLLFD_LEN >> 1; // int16 slots per pollfd
const EVENTS16 = POLLFD_EVENTS >> 1;
const REVENTS16 = POLLFD_REVENTS >> 1;

export function poll(entries: PollEntry<PosixSock>[], revents: number[], timeoutMs: number): number {
  // ws2_32's order (sock.c test_WSAPoll): an empty array is WSAEINVAL; an entry
  // that is not a socket (a negative fd included) gets POLLNVAL and is not
  // counted; when no entry is a socket the call fails with WSAENOTSOCK; an
  // entry naming a handle with flags that cannot be requested is WSAEINVAL
  // (a negative fd's flags are not looked at).
  // Plain loops, no closure, array or Set per call (bench growth: the
  // garbage was a share of every entry's cost).
  const count0 = entries.length;
  if (count0 === 0) return fail(WSA.WSAEINVAL);
  let live = 0;
  let badFlags = false;
  for (let i = 0; i < count0; i++) {
    const e = entries[i]!;
    if (!e.ignored && (e.events & ~POLL_REQUESTABLE) !== 0) badFlags = true;
    if (e.sock && !e.ignored) {
      live++;
      revents[i] = 0;
    } else revents[i] = K.POLLNVAL;
  }
  if (live === 0) return fail(WSA.WSAENOTSOCK);
  if (badFlags) {
    revents.fill(0);
    return fail(WSA.WSAEINVAL);
  }
  if (pollScratch.length < POLLFD_LEN * live) {
    pollScratch = Buffer.alloc(POLLFD_LEN * live);
    pollFd32 = new Int32Array(pollScratch.buffer, pollScratch.byteOffset, pollScratch.length >> 2);
    pollEv16 = new Int16Array(pollScratch.buffer, pollScratch.byteOffset, pollScratch.length >> 1);
  }
  const fd32 = pollFd32;
  const ev16 = pollEv16;
  let armed = false; // an entry's socket has the SD_RECEIVE rule's watch
  for (let i = 0, j = 0; i < count0; i++) {
    const e = entries[i]!;
    const s = e.sock;
    if (!s || e.ignored) continue;
    enforceReceiveShutdown(s);
    if (s.rdShutWatch) armed = true;
    let ev = L.POLLRDHUP;
    if (e.events & K.POLLRDNORM) ev |= L.POLLIN;
    if (e.events & K.POLLRDBAND) ev |= L.POLLPRI;
    if (e.events & K.POLLWRNORM) ev |= L.POLLOUT;
    if (e.events & K.POLLWRBAND) ev |= L.POLLWRBAND;
    fd32[j * FD32] = s.fd;
    ev16[j * EV16 + EVENTS16] = ev;
    j++;
  }
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  let rc: number;
  for (;;) {
    rc = C.poll(pollScratch, live, timeoutMs < 0 ? -1 : Math.max(0, Math.ceil(deadline - performance.now())));
    if (rc >= 0 || errno() !== E.EINTR) break;
  }
  if (rc < 0) return fail(wsaFromErrno(errno()));
  // Data that arrived after SD_RECEIVE while we waited resets now, not at the
  // next call; such a connection is reported disconnected (POLLHUP) below.
  // Only when some entry's socket is under that rule; the set is made only
  // when a reset happens (rarely): a socket may be listed twice.
  let reset: Set<PosixSock> | null = null;
  for (let i = 0; armed && i < count0; i++) {
    const e = entries[i]!;
    const s = e.sock;
    if (!s || e.ignored || s.broken) continue;
    enforceReceiveShutdown(s);
    if (s.broken) (reset ??= new Set()).add(s);
  }
  let count = 0;
  for (let i = 0, j = 0; i < count0; i++) {
    const e = entries[i]!;
    const s = e.sock;
    if (!s || e.ignored) continue; // POLLNVAL, set above, not counted
    const n = ev16[j++ * EV16 + REVENTS16]!;
    let r = 0;
    const stream = s.type === K.SOCK_STREAM && !s.listening;
    // Windows reports POLLRDNORM on a connection only for data to read: not
    // for the peer's FIN nor a reset, which Linux marks POLLIN (sock.c
    // test_WSAPoll after shutdown/closesocket, test_tcp_reset). POLLIN with
    // neither POLLRDHUP (asked for on every entry) nor POLLHUP/POLLERR is
    // neither a FIN nor a reset: data, with no FIONREAD to ask, unless the
    // SD_RECEIVE rule reset the connection after the wait (its data is gone).
    const quiet = (n & (L.POLLRDHUP | L.POLLHUP | L.POLLERR)) === 0 && !s.broken;
    if (n & L.POLLIN && e.events & K.POLLRDNORM && (!stream || quiet || unreadBytes(s) > 0)) r |= K.POLLRDNORM;
    // Microsoft's provider never returns POLLPRI: urgent data is POLLRDBAND.
    if (n & L.POLLPRI) r |= e.events & K.POLLRDBAND;
    if (n & L.POLLOUT && e.events & K.POLLWRNORM) r |= K.POLLWRNORM;
    if (n & L.POLLWRBAND && e.events & K.POLLWRBAND) r |= K.POLLWRBAND;
    // After a peer's reset Windows keeps reporting POLLERR (sock.c
    // test_tcp_reset, after recv and send answered WSAECONNRESET); Linux
    // clears its POLLERR once recv has returned the error.
    if (n & L.POLLERR || (stream && s.broken === WSA.WSAECONNRESET)) r |= K.POLLERR;
    // Winsock's POLLHUP marks a stream the peer disconnected (its FIN or
    // RST); Linux says POLLRDHUP for the FIN and POLLHUP only once both
    // directions are shut.
    if ((n & (L.POLLHUP | L.POLLRDHUP) && stream && s.connectStarted) || reset?.has(s)) r |= K.POLLHUP;
    if (n & L.POLLNVAL) r |= K.POLLNVAL;
    revents[i] = r;
    if (r) count++;
  }
  return count;
}

export function getsockname(s: PosixSock, out: SockAddr): number {
  if (!nameOf(s.fd, false)) return fail(wsaFromErrno(errno()));
  // Winsock: an unbound socket has no name (WSAEINVAL); Linux reports port 0.
  if (addrBuf.readUInt16BE(PORT) === 0) return fail(WSA.WSAEINVAL);
  decodeAddr(out);
  return 0;
}

export function getpeername(s: PosixSock, out: SockAddr): number {
  if (!nameOf(s.fd, true)) {
    const e = errno();
    // Windows names the peer of a TCP connect still in progress (sock.c
    // test_connecting_socket), and of a connection both sides have shut down
    // (test_shutdown); Linux says ENOTCONN before the handshake ends and once
    // both FINs are through.
    const known = s.type === K.SOCK_STREAM && !s.broken && s.connectTo !== null;
    if (e === E.ENOTCONN && known && (s.connected || (s.connectStarted && connecting(s)))) {
      addrBuf.set(s.connectTo!);
      decodeAddr(out);
      return 0;
    }
    return fail(wsaFromErrno(e));
  }
  decodeAddr(out);
  return 0;
}

// --- select (issue 9): Winsock's readiness sets over poll() above; see posix-select.ts ---
export { select };

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
} satisfies Backend<PosixSock>;

// --- network events (WSAEventSelect and the flat event wait: src/events.ts) ---------
/** One look at the descriptor: poll() with no wait, for input, output and the peer's FIN. */
function reventsNow(s: PosixSock): number {
  if (s.fd < 0) return L.POLLNVAL;
  pollBuf.writeInt32LE(s.fd, 0);
  pollBuf.writeInt16LE(L.POLLIN | L.POLLOUT | L.POLLRDHUP, POLLFD_EVENTS);
  return C.poll(pollBuf, 1, 0) > 0 ? pollBuf.readInt16LE(POLLFD_REVENTS) : 0;
}

/**
 * How a connection ended, as FD_CLOSE's iErrorCode says it (Microsoft's
 * WSAEventSelect page): 0 the peer's FIN, WSAECONNRESET the peer's reset,
 * WSAECONNABORTED an abort on this side (our own reset, a timeout). Reading
 * SO_ERROR clears it, so a reset is remembered here as recv would remember it:
 * the next send/recv still reports it, with the same code.
 */
function closeCode(s: PosixSock, rev: number): number {
  if (s.broken) return s.broken;
  if (rev & L.POLLERR) {
    const err = soError(s.fd);
    // A reset after the peer's FIN leaves EPIPE (CLOSE_WAIT), which recv calls WSAECONNABORTED; so is a
    // timeout (110, ETIMEDOUT): "aborted due to a time-out or other failure".
    const code =
      err === E.ECONNRESET ? WSA.WSAECONNRESET : err === E.EPIPE || err === 110 ? WSA.WSAECONNABORTED : err ? wsaFromErrno(err) : 0;
    if (code === WSA.WSAECONNRESET || code === WSA.WSAECONNABORTED) {
      s.broken = code;
      stopWatcher(s);
    }
    if (code) return code;
  }
  return 0;
}

export function netState(s: PosixSock): NetState {
  enforceReceiveShutdown(s);
  const rev = reventsNow(s);
  const st: NetState = {
    listening: s.listening,
    connected: false,
    connecting: false,
    connectDone: -1,
    readable: false,
    writable: false,
    closed: -1,
  };
  if (s.listening) {
    st.readable = (rev & L.POLLIN) !== 0;
    return st;
  }
  if (s.type === K.SOCK_DGRAM) {
    st.connected = true;
    st.readable = (rev & L.POLLIN) !== 0;
    st.writable = (rev & L.POLLOUT) !== 0 && !s.shutSend;
    return st;
  }
  if (!s.connected && s.connectStarted) {
    // A nonblocking connect ends with the descriptor writable (established) or in error (refused, timed out).
    if (rev & (L.POLLOUT | L.POLLERR | L.POLLHUP)) {
      const err = soError(s.fd);
      if (err === 0 && nameOf(s.fd, true)) {
        s.connected = true;
        st.connectDone = 0;
      } else {
        s.connectStarted = false;
        st.connectDone = wsaFromErrno(err || E.ECONNREFUSED);
      }
    } else st.connecting = true;
  }
  st.connected = s.connected;
  if (!s.connected) return st;
  st.readable = unreadBytes(s) > 0;
  if (s.broken || rev & (L.POLLRDHUP | L.POLLHUP | L.POLLERR | L.POLLNVAL)) st.closed = closeCode(s, rev);
  st.writable = (rev & L.POLLOUT) !== 0 && !s.shutSend && !s.broken && st.closed <= 0;
  return st;
}

export function waitNet(socks: PosixSock[], wants: number[], ready: number[], timeoutMs: number): number {
  const fds = Buffer.alloc(POLLFD_LEN * socks.length);
  socks.forEach((s, i) => {
    const w = wants[i]!;
    const ev = (w & NET_READ ? L.POLLIN : 0) | (w & NET_WRITE ? L.POLLOUT : 0) | (w & NET_HUP ? L.POLLRDHUP : 0);
    fds.writeInt32LE(s.fd, i * POLLFD_LEN);
    fds.writeInt16LE(ev, i * POLLFD_LEN + POLLFD_EVENTS);
  });
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  let rc: number;
  for (;;) {
    rc = C.poll(fds, socks.length, timeoutMs < 0 ? -1 : Math.max(0, Math.ceil(deadline - performance.now())));
    if (rc >= 0 || errno() !== E.EINTR) break;
  }
  if (rc < 0) return fail(wsaFromErrno(errno()));
  let count = 0;
  socks.forEach((_, i) => {
    const n = fds.readInt16LE(i * POLLFD_LEN + POLLFD_REVENTS);
    // Linux reports POLLERR/POLLHUP/POLLNVAL whatever was asked: they are the "hup" bit.
    const r =
      (n & L.POLLIN ? NET_READ : 0) |
      (n & L.POLLOUT ? NET_WRITE : 0) |
      (n & (L.POLLRDHUP | L.POLLHUP | L.POLLERR | L.POLLNVAL) ? NET_HUP : 0);
    ready[i] = r;
    if (r) count++;
  });
  return count;
}

// --- AcceptEx / DisconnectEx(TF_REUSE_SOCKET): a connection moved under another handle ---------
export function adopt(target: PosixSock, from: PosixSock): void {
  // The watch must stop before its descriptor is closed (watch.ts); `from`'s
  // interests belonged to its old handle: the moved descriptor starts unwatched.
  target.watch?.close();
  from.watch?.close();
  target.watch = target.rdShutWatch = from.watch = from.rdShutWatch = null;
  C.close(target.fd);
  target.takeState(from);
}

// --- the process-wide table (src/shared-table.ts) ------------------------------------
/** This thread's record of a socket another thread made: a view over its slot. */
export function attach(handle: number, base: number): PosixSock {
  return new PosixSock(handle, base);
}

/** Another thread closed the socket: this thread's watch on it goes (the record is dropped). */
export function forget(s: PosixSock): void {
  s.watch?.close();
  s.watch = null;
  s.rdShutWatch = null;
}
