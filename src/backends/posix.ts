// The POSIX backend: Winsock's rules translated onto Linux's libc. Every place
// where Linux behaves differently from Winsock is handled next to the call it
// concerns, citing the row of DESIGN.md's semantic contract ("Contract: ...").
import koffi from 'koffi';
import * as K from '../constants.js';
import type { Linger, SockAddr } from '../constants.js';
import { E, fail, WSA, wsaFromErrno } from '../errors.js';
import { bytesToIp, ipToBytes } from '../sockaddr.js';
import { C, errno, L, linger, pollfd, SOCKADDR_STORAGE_SIZE, sockaddr_in, sockaddr_in6, timeval } from '../../native-bindings/libc.js';
import type { OptionKind, PollEntry, SockBase } from './backend.js';

type PollHandle = ReturnType<typeof koffi.node.poll>;

export const name = 'posix' as const;

export interface PosixSock extends SockBase {
  fd: number;
  nonblocking: boolean;
  listening: boolean;
  /** connect() was called (it may still be in progress). */
  connectStarted: boolean;
  /** The connection was established (connect/accept succeeded, or a nonblocking connect completed). */
  connected: boolean;
  /** bind, connect or sendto gave it a local address. */
  bound: boolean;
  shutSend: boolean;
  shutRecv: boolean;
  /** A failure every later send/recv repeats: WSAECONNRESET (peer) or WSAECONNABORTED (our own reset). */
  broken: number;
  /** Winsock's view of SO_LINGER; the kernel's stays off so close() never blocks (see closesocket). */
  linger: Linger;
  /** SO_RCVTIMEO/SO_SNDTIMEO as the program set them (DWORD ms); Linux rounds to jiffies. */
  timeouts: Map<number, number>;
  /** Watches for data arriving after SD_RECEIVE (see shutdown). */
  watcher: PollHandle | null;
}

// Scratch buffers: calls are synchronous, so one of each per thread suffices.
const int1 = new Int32Array(1);
const len1 = new Uint32Array(1);
const addrBuf = Buffer.alloc(SOCKADDR_STORAGE_SIZE);
const lingerBuf = new Int32Array(2);
const timevalBuf = new BigInt64Array(2);

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
    addrBuf.set(ipToBytes(K.AF_INET, addr.address), IN_ADDR);
    return IN_LEN;
  }
  addrBuf.writeUInt16LE(L.AF_INET6, 0);
  addrBuf.set(ipToBytes(K.AF_INET6, addr.address), IN6_ADDR);
  return IN6_LEN;
}

/** A copy of `addr` as Linux's sockaddr bytes (for callers outside this file, such as the harness). */
export function sockaddrBytes(addr: SockAddr): Buffer {
  return Buffer.from(addrBuf.subarray(0, encodeAddr(addr)));
}

/** True when the address encodeAddr just wrote (`len` bytes) is 0.0.0.0 or ::. */
function encodedIsAny(len: number): boolean {
  const [from, to] = len === IN_LEN ? [IN_ADDR, IN_ADDR + 4] : [IN6_ADDR, IN6_ADDR + 16];
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

/** Winsock's timeouts are DWORD milliseconds; Linux's a struct timeval. DWORDs above INT_MAX (0xFFFFFFFF is INFINITE) mean "no timeout". */
function setKernelTimeout(fd: number, opt: number, value: number): number {
  const ms = value > 0x7fffffff ? 0 : value;
  timevalBuf[0] = BigInt(Math.floor(ms / 1000));
  timevalBuf[1] = BigInt((ms % 1000) * 1000);
  return C.setsockopt(fd, L.SOL_SOCKET, opt, timevalBuf, koffi.sizeof(timeval));
}

/**
 * Runs a blocking connect/accept with the kernel's timeout option off, and
 * returns [result, errno]. Linux applies SO_SNDTIMEO to connect and
 * SO_RCVTIMEO to accept; Winsock applies them to send and receive calls only.
 */
function untimed(s: PosixSock, opt: number, call: () => number): [number, number] {
  const ms = s.nonblocking ? 0 : (s.timeouts.get(opt) ?? 0);
  if (ms) setKernelTimeout(s.fd, opt, 0);
  const rc = call();
  const e = rc < 0 ? errno() : 0;
  if (ms) setKernelTimeout(s.fd, opt, ms);
  return [rc, e];
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

function isConnected(s: PosixSock): boolean {
  // A nonblocking connect completes without a call of ours: ask the kernel.
  if (!s.connected && s.connectStarted && nameOf(s.fd, true)) s.connected = true;
  return s.connected;
}

function stopWatcher(s: PosixSock): void {
  s.watcher?.close();
  s.watcher = null;
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
 * accepts and buffers such data, so every call on the socket checks first, and
 * a watcher on Node's loop catches data arriving while the program is idle.
 */
function enforceReceiveShutdown(s: PosixSock): void {
  if (s.watcher && unreadBytes(s) > 0) resetConnection(s);
}

function watchAfterReceiveShutdown(s: PosixSock): void {
  if (s.watcher || s.broken) return;
  const handle = koffi.node.poll(s.fd, { readable: true, disconnect: true }, ((_status: number) => {
    if (s.watcher !== handle) return;
    if (unreadBytes(s) > 0) resetConnection(s);
    // Readable with nothing to read: the peer's FIN or an error. No data can
    // follow either, so the watch has nothing left to catch.
    else stopWatcher(s);
  }) as never);
  // The watch must not keep the program alive on its own.
  handle.unref();
  s.watcher = handle;
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
export function socket(handle: number, af: number, type: number, protocol: number): PosixSock | undefined {
  const fd = C.socket(af === K.AF_INET6 ? L.AF_INET6 : L.AF_INET, type | L.SOCK_CLOEXEC, protocol);
  if (fd < 0) return void fail(wsaFromErrno(errno()));
  // Windows' IPv6 sockets are v6-only unless cleared; Linux's default follows a sysctl.
  if (af === K.AF_INET6) {
    int1[0] = 1;
    C.setsockopt(fd, L.IPPROTO_IPV6, L.IPV6_V6ONLY, int1, 4);
  }
  return newSock(handle, fd, af, type, protocol, false);
}

function newSock(handle: number, fd: number, af: number, type: number, protocol: number, nonblocking: boolean): PosixSock {
  return {
    handle,
    af,
    type,
    protocol,
    fd,
    nonblocking,
    listening: false,
    connectStarted: false,
    connected: false,
    bound: false,
    shutSend: false,
    shutRecv: false,
    broken: 0,
    linger: { l_onoff: 0, l_linger: 0 },
    timeouts: new Map(),
    watcher: null,
  };
}

export function bind(s: PosixSock, addr: SockAddr): number {
  // Winsock: a socket already bound (by bind, connect or accept) is WSAEINVAL.
  // Linux agrees while the socket holds its port, but a TCP connection that
  // ended (reset, or both FINs exchanged) gives the port back and bind succeeds.
  if (s.bound) return fail(WSA.WSAEINVAL);
  const n = encodeAddr(addr);
  if (C.bind(s.fd, addrBuf, n) !== 0) return fail(wsaFromErrno(errno()));
  s.bound = true;
  return 0;
}

export function listen(s: PosixSock, backlog: number): number {
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

export function accept(s: PosixSock, handle: number, addrOut: SockAddr | undefined): PosixSock | undefined {
  if (!s.listening) return void fail(WSA.WSAEINVAL);
  len1[0] = SOCKADDR_STORAGE_SIZE;
  // Winsock: the accepted socket has the listening socket's properties,
  // its blocking mode among them.
  const [fd, e] = untimed(s, L.SO_RCVTIMEO, () => C.accept4(s.fd, addrBuf, len1, L.SOCK_CLOEXEC | (s.nonblocking ? L.SOCK_NONBLOCK : 0)));
  if (fd < 0) {
    // A connection reset before accept: Winsock calls that WSAECONNRESET.
    return void fail(e === E.ECONNABORTED ? WSA.WSAECONNRESET : wsaFromErrno(e));
  }
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
  const child = newSock(handle, fd, s.af, s.type, s.protocol, s.nonblocking);
  child.connected = child.connectStarted = child.bound = true;
  child.linger = { ...s.linger };
  child.timeouts = new Map(s.timeouts);
  return child;
}

export function connect(s: PosixSock, addr: SockAddr): number {
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
  const [rc, e] = untimed(s, L.SO_SNDTIMEO, () => C.connect(s.fd, addrBuf, n));
  if (rc === 0 || e === E.EINPROGRESS) {
    s.connectStarted = s.bound = true;
    if (rc === 0 && s.type === K.SOCK_STREAM) s.connected = true;
  }
  // The earlier nonblocking connect completed between the check above and
  // this call: Linux reports that as 0, Winsock as WSAEISCONN.
  if (rc === 0 && wasPending) return fail(WSA.WSAEISCONN);
  if (rc === 0) return 0;
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
  return fail(timeoutOr(s, e));
}

/** EAGAIN on a blocking socket is SO_SNDTIMEO/SO_RCVTIMEO expiring: Winsock says WSAETIMEDOUT. */
function timeoutOr(s: PosixSock, e: number): number {
  return e === E.EAGAIN && !s.nonblocking ? WSA.WSAETIMEDOUT : wsaFromErrno(e);
}

function recvFailure(s: PosixSock, e: number): number {
  if (icmpUnreachable(s, e)) return fail(WSA.WSAECONNRESET);
  if (e === E.ECONNRESET) return peerReset(s);
  // EPIPE from recv: a reset after the peer's FIN (Linux sets EPIPE in CLOSE_WAIT).
  if (e === E.EPIPE) return peerReset(s, WSA.WSAECONNABORTED);
  return fail(timeoutOr(s, e));
}

function beforeSend(s: PosixSock): number {
  enforceReceiveShutdown(s);
  // Contract: "send after own SD_SEND" is WSAESHUTDOWN (Linux: EPIPE + SIGPIPE).
  if (s.shutSend) return fail(WSA.WSAESHUTDOWN);
  // Contract: "peer reset, then recv/send" is WSAECONNRESET every time.
  if (s.broken) return fail(s.broken);
  return 0;
}

export function send(s: PosixSock, buf: Uint8Array, len: number, flags: number): number {
  if (beforeSend(s) !== 0) return K.SOCKET_ERROR;
  const nf = translateFlags(flags, true);
  if (nf === undefined) return fail(WSA.WSAEOPNOTSUPP);
  const r = Number(C.send(s.fd, buf, len, nf));
  return r >= 0 ? r : sendFailure(s, errno());
}

export function sendto(s: PosixSock, buf: Uint8Array, len: number, flags: number, addr: SockAddr): number {
  // Winsock ignores the address on a stream socket.
  if (s.type === K.SOCK_STREAM) return send(s, buf, len, flags);
  if (beforeSend(s) !== 0) return K.SOCKET_ERROR;
  const nf = translateFlags(flags, true);
  if (nf === undefined) return fail(WSA.WSAEOPNOTSUPP);
  const n = encodeAddr(addr);
  if (addr.port === 0 || encodedIsAny(n)) return fail(WSA.WSAEADDRNOTAVAIL);
  const r = Number(C.sendto(s.fd, buf, len, nf, addrBuf, n));
  if (r < 0) return sendFailure(s, errno());
  s.bound = true;
  return r;
}

function beforeRecv(s: PosixSock): number {
  enforceReceiveShutdown(s);
  // Contract: "recv after own SD_RECEIVE" is WSAESHUTDOWN even with data buffered.
  if (s.shutRecv) return fail(WSA.WSAESHUTDOWN);
  if (s.broken) return fail(s.broken);
  // Winsock: receiving on an unbound datagram socket is WSAEINVAL (Linux would block forever).
  if (s.type === K.SOCK_DGRAM && !s.bound) {
    if (localPort(s.fd) === 0) return fail(WSA.WSAEINVAL);
    s.bound = true;
  }
  return 0;
}

function recvImpl(s: PosixSock, buf: Uint8Array, len: number, flags: number, addrOut: SockAddr | undefined): number {
  if (beforeRecv(s) !== 0) return K.SOCKET_ERROR;
  let nf = translateFlags(flags, false);
  if (nf === undefined) return fail(WSA.WSAEOPNOTSUPP);
  const dgram = s.type === K.SOCK_DGRAM;
  // MSG_TRUNC makes Linux return a datagram's real length, so an oversized one
  // can answer WSAEMSGSIZE like Winsock (Linux would truncate silently).
  if (dgram) nf |= L.MSG_TRUNC;
  len1[0] = SOCKADDR_STORAGE_SIZE;
  const r = Number(addrOut && dgram ? C.recvfrom(s.fd, buf, len, nf, addrBuf, len1) : C.recv(s.fd, buf, len, nf));
  if (r < 0) return recvFailure(s, errno());
  if (r === 0 && !dgram && len > 0) {
    // Linux answers 0 (the FIN it read) even when a reset followed it and
    // only keeps the reset in SO_ERROR (EPIPE in CLOSE_WAIT). Windows reports
    // the abort (Wine's test_shutdown, checked on Windows: WSAECONNABORTED).
    len1[0] = 4;
    if (C.getsockopt(s.fd, L.SOL_SOCKET, L.SO_ERROR, int1, len1) === 0) {
      if (int1[0] === E.EPIPE || int1[0] === E.ECONNRESET) return recvFailure(s, int1[0]);
    }
  }
  if (addrOut && dgram) decodeAddr(addrOut);
  if (dgram && r > len) return fail(WSA.WSAEMSGSIZE);
  return r;
}

export function recv(s: PosixSock, buf: Uint8Array, len: number, flags: number): number {
  return recvImpl(s, buf, len, flags, undefined);
}

export function recvfrom(s: PosixSock, buf: Uint8Array, len: number, flags: number, addrOut: SockAddr | undefined): number {
  return recvImpl(s, buf, len, flags, addrOut);
}

// --- the end of a connection -----------------------------------------------------
export function shutdown(s: PosixSock, how: number): number {
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
    else watchAfterReceiveShutdown(s);
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

export function sendDisconnect(s: PosixSock): number {
  return shutdown(s, K.SD_SEND);
}

export function recvDisconnect(s: PosixSock): number {
  return shutdown(s, K.SD_RECEIVE);
}

function closeFd(s: PosixSock): void {
  stopWatcher(s);
  C.close(s.fd);
  s.fd = -1;
}

export function closesocket(s: PosixSock): number {
  const { l_onoff, l_linger } = s.linger;
  const tcpConnected = s.type === K.SOCK_STREAM && !s.listening && !s.broken && isConnected(s);
  if (l_onoff && tcpConnected) {
    if (l_linger === 0) {
      // Contract: linger {1,0} is abortive: RST, no TIME_WAIT. The kernel does it.
      setKernelLinger(s.fd, 1, 0);
    } else if (unsentBytes(s) > 0) {
      // Contract: linger {1,N} on a nonblocking socket with unsent data fails
      // with WSAEWOULDBLOCK and the handle stays valid (Linux would block).
      if (s.nonblocking) return fail(WSA.WSAEWOULDBLOCK);
      // Contract: on a blocking socket wait up to N seconds for the data to be
      // sent and acknowledged, then reset (Linux would keep sending in the
      // background without a RST).
      const deadline = performance.now() + l_linger * 1000;
      let left = unsentBytes(s);
      for (let now = performance.now(); left > 0 && now < deadline; now = performance.now()) {
        sleepMs(Math.min(10, Math.ceil(deadline - now)));
        left = unsentBytes(s);
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

export function setsockopt(s: PosixSock, level: number, name: number, kind: OptionKind, value: number | Linger): number {
  // Contract: SO_LINGER is Winsock's u_short pair, kept here; the kernel's
  // linger stays off so that close() never blocks the thread the Linux way.
  if (kind === 'linger') {
    s.linger = { ...(value as Linger) };
    return 0;
  }
  // Contract: SO_DONTLINGER TRUE is l_onoff = 0 (Linux has no such option);
  // FALSE turns lingering on with the current l_linger.
  if (kind === 'dontlinger') {
    s.linger.l_onoff = value ? 0 : 1;
    return 0;
  }
  if (level === K.IPPROTO_IPV6 && s.af === K.AF_INET) {
    // Windows accepts IPV6_V6ONLY on an IPv4 socket and ignores it (Wine's
    // test_ipv6only, checked on Windows); Linux refuses it.
    return 0;
  }
  const [nl, nn] = NATIVE_OPT.get(`${level}:${name}`)!;
  let rc: number;
  if (kind === 'ms') {
    rc = setKernelTimeout(s.fd, nn, value as number);
    if (rc === 0) s.timeouts.set(nn, value as number);
  } else {
    int1[0] = value as number;
    rc = C.setsockopt(s.fd, nl, nn, int1, 4);
  }
  return rc === 0 ? 0 : fail(wsaFromErrno(errno()));
}

export function getsockopt(s: PosixSock, level: number, name: number, kind: OptionKind, out: Linger | number[]): number {
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
  const [nl, nn] = NATIVE_OPT.get(`${level}:${name}`)!;
  let v: number;
  if (kind === 'ms' && s.timeouts.has(nn)) {
    // Winsock reports the DWORD that was set; Linux's value is rounded to jiffies.
    v = s.timeouts.get(nn)!;
  } else if (kind === 'ms') {
    len1[0] = koffi.sizeof(timeval);
    if (C.getsockopt(s.fd, nl, nn, timevalBuf, len1) !== 0) return fail(wsaFromErrno(errno()));
    v = Number(timevalBuf[0]) * 1000 + Math.floor(Number(timevalBuf[1]) / 1000);
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
    v = v === 0 ? 0 : v === E.EINPROGRESS ? WSA.WSAEWOULDBLOCK : wsaFromErrno(v);
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
  if (cmd === K.FIONBIO) {
    int1[0] = argp[0] ? 1 : 0;
    if (C.ioctl(s.fd, L.FIONBIO, int1) !== 0) return fail(wsaFromErrno(errno()));
    s.nonblocking = int1[0] === 1;
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

export function poll(entries: PollEntry<PosixSock>[], revents: number[], timeoutMs: number): number {
  const live = entries.filter((e) => e.sock && !e.ignored);
  const fds = Buffer.alloc(POLLFD_LEN * live.length);
  live.forEach((e, i) => {
    const s = e.sock!;
    enforceReceiveShutdown(s);
    let ev = L.POLLRDHUP;
    if (e.events & K.POLLRDNORM) ev |= L.POLLIN;
    if (e.events & K.POLLRDBAND) ev |= L.POLLPRI;
    if (e.events & K.POLLWRNORM) ev |= L.POLLOUT;
    if (e.events & K.POLLWRBAND) ev |= L.POLLWRBAND;
    fds.writeInt32LE(s.fd, i * POLLFD_LEN);
    fds.writeInt16LE(ev, i * POLLFD_LEN + POLLFD_EVENTS);
  });
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  let rc: number;
  for (;;) {
    rc = C.poll(fds, live.length, timeoutMs < 0 ? -1 : Math.max(0, Math.ceil(deadline - performance.now())));
    if (rc >= 0 || errno() !== E.EINTR) break;
  }
  if (rc < 0) return fail(wsaFromErrno(errno()));
  // Data that arrived after SD_RECEIVE while we waited resets now, not at the next call.
  for (const e of live) enforceReceiveShutdown(e.sock!);
  let count = 0;
  let j = 0;
  entries.forEach((e, i) => {
    let r = 0;
    if (e.ignored) r = 0;
    else if (!e.sock)
      r = K.POLLNVAL; // Winsock: a handle that is not a socket is POLLNVAL.
    else {
      const n = fds.readInt16LE(j++ * POLLFD_LEN + POLLFD_REVENTS);
      if (n & L.POLLIN && e.events & K.POLLRDNORM) r |= K.POLLRDNORM;
      // Microsoft's provider never returns POLLPRI: urgent data is POLLRDBAND.
      if (n & L.POLLPRI) r |= e.events & K.POLLRDBAND;
      if (n & L.POLLOUT && e.events & K.POLLWRNORM) r |= K.POLLWRNORM;
      if (n & L.POLLWRBAND && e.events & K.POLLWRBAND) r |= K.POLLWRBAND;
      if (n & L.POLLERR) r |= K.POLLERR;
      // Winsock's POLLHUP marks a stream the peer disconnected (its FIN or
      // RST); Linux says POLLRDHUP for the FIN and POLLHUP only once both
      // directions are shut.
      if (n & (L.POLLHUP | L.POLLRDHUP) && e.sock.type === K.SOCK_STREAM && !e.sock.listening) r |= K.POLLHUP;
      if (n & L.POLLNVAL) r |= K.POLLNVAL;
    }
    revents[i] = r;
    if (r) count++;
  });
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
  if (!nameOf(s.fd, true)) return fail(wsaFromErrno(errno()));
  decodeAddr(out);
  return 0;
}
