// A small reference model of Winsock's per-socket state machine, written from
// DESIGN.md's contract table and docs/semantics.md, for the model-based fuzzer
// (flat-calls.ts). It says, for one call on one socket, which outcomes Winsock
// allows (return value, WSA code, or a thrown TypeError/RangeError), and what
// each outcome does to this socket and its peer.
//
// The order of checks it assumes (each one Winsock's, or the README's rule):
//   a wrong JavaScript type      -> TypeError, whatever the handle's state
//   no WSAStartup in force       -> WSANOTINITIALISED
//   a handle not in the table    -> WSAENOTSOCK
//   a bad argument value         -> its code (WSAEFAULT, WSAEINVAL, WSAENOPROTOOPT)
//   the socket's state           -> WSAESHUTDOWN, WSAECONNRESET, WSAENOTCONN, ...
// Where the documentation leaves an outcome open (which of two reset codes,
// whether shutdown on a reset connection fails) the model allows each, and
// narrows to the one observed so that a later call must repeat it.
import * as W from '../../../src/index.js';

const E = W.WSA;

export type Kind = 'listener' | 'conn' | 'idle' | 'udp' | 'closed' | 'never';

export interface MSock {
  kind: Kind;
  /** Slot of the other end of the connection (conn only). */
  peer: number;
  shutSend: boolean;
  shutRecv: boolean;
  /** The codes every later send/recv may fail with, once the connection was reset (narrowed when seen). */
  broken: number[] | null;
  /** Bytes the peer sent that this side has not read. */
  unread: number;
  /** The peer's FIN has arrived (after `unread`). */
  finIn: boolean;
  /** The peer's handle was closed without a reset: data sent to it now comes back as a reset. */
  peerGone: boolean;
  nonblocking: boolean;
  linger: { l_onoff: number; l_linger: number };
  /** bind() succeeded (idle sockets start unbound). */
  bound: boolean;
  /** A nonblocking connect() to a port nobody listens on was made (deviations below). */
  connectFailed: boolean;
  /**
   * A connect() failed: whether the socket keeps the local address it was
   * given is not documented (Linux keeps it), so bind/listen may go either way.
   */
  connectTried: boolean;
  /** Bytes sent since the last settle: linger {1,N} on a nonblocking socket may still see them unacknowledged. */
  sentRecently: boolean;
  /** UDP: sizes of the datagrams queued for this socket, oldest first. */
  dgrams: number[];
  /** UDP: the slot it is connected to, UNCONNECTED, or NOWHERE (a port no socket of the model has). */
  udpPeer: number;
  /** UDP: a datagram went to a closed port; the ICMP error may be reported once (WSAECONNRESET). */
  icmp: boolean;
}

export const UNCONNECTED = -1;
export const NOWHERE = -2;

export interface Model {
  socks: MSock[];
  startups: number;
  /** Each slot's local port at the start (an accepted socket has its listener's). */
  ports: number[];
}

/**
 * Where the library departs from the model today. Each is reported to the
 * lead with its minimal sequence (see docs in the report); while `true` the
 * model also allows the library's behaviour, so that the fuzzer can look for
 * other bugs. Set one to false to see it fail again.
 */
export const DEVIATIONS = {
  /**
   * Winsock discards received data when a reset arrives: recv answers
   * WSAECONNRESET at once. Linux (and the library) first return the bytes
   * that were buffered, then the reset. Minimal: a sends 3 bytes to b;
   * b closes with linger {1,0}; a's recv returns 3, then WSAECONNRESET.
   */
  resetKeepsUnreadData: true,
  /**
   * After a nonblocking connect to a port nobody listens on, Winsock's later
   * send/recv answer WSAENOTCONN. Fixed (false): the library used to pass
   * Linux's answers through (send WSAECONNREFUSED once, recv 0); send/recv on
   * any stream socket that is not connected now answer WSAENOTCONN.
   */
  failedNonblockingConnect: false,
  /**
   * FIONREAD on a UDP socket answers the size of the first datagram queued
   * (Linux's answer), not "the amount of pending data in the network buffer"
   * (Microsoft's ioctlsocket page). Minimal: three datagrams of 10, 20 and 0
   * bytes queued; ioctlsocket(u, FIONREAD) -> 10 (Winsock: 30). Linux has no
   * ioctl for the total.
   */
  udpFionreadFirstDatagram: true,
  /**
   * closesocket with linger {1,N} counts the own FIN as unsent data: SIOCOUTQ
   * is 1 until the peer acknowledges the FIN (delayed ACK, up to ~40 ms on
   * loopback). Minimal: setsockopt(c, SO_LINGER, {1,1}); ioctlsocket(c,
   * FIONBIO, 1); shutdown(c, SD_SEND); closesocket(c) -> -1/WSAEWOULDBLOCK
   * (Winsock: 0, nothing is unsent). Blocking, the same close sleeps ~10 ms.
   */
  finCountsAsUnsent: true,
  /**
   * closesocket with linger {1,N} on a connection the peer has reset, before
   * any call reported the reset: SIOCOUTQ still counts the bytes the reset
   * made moot, so a nonblocking close fails WSAEWOULDBLOCK and a blocking one
   * sleeps the full N seconds (Winsock: 0 at once, nothing can be sent).
   * Minimal: ioctlsocket(a1, FIONBIO, 1); closesocket(c1); setsockopt(a1,
   * SO_LINGER, {1,2}); send(a1, 1 byte) -> 1 (c1's kernel answers RST);
   * closesocket(a1) -> -1/WSAEWOULDBLOCK (blocking: 0 after 2,002 ms).
   * Fixed (false): the lingering close no longer waits once the kernel has the
   * connection CLOSED (test/reliability/linger-after-peer-reset-does-not-wait).
   */
  lingerOnResetConnection: false,
};

export const PEER_RESET_CODES = (s: MSock): number[] => (s.finIn ? [E.WSAECONNABORTED, E.WSAECONNRESET] : [E.WSAECONNRESET]);

export function newSock(kind: Kind, init: Partial<MSock> = {}): MSock {
  return {
    kind,
    peer: -1,
    shutSend: false,
    shutRecv: false,
    broken: null,
    unread: 0,
    finIn: false,
    peerGone: false,
    nonblocking: false,
    linger: { l_onoff: 0, l_linger: 0 },
    bound: kind !== 'idle',
    connectFailed: false,
    connectTried: false,
    sentRecently: false,
    dgrams: [],
    udpPeer: UNCONNECTED,
    icmp: false,
    ...init,
  };
}

/** One allowed outcome of a call: what it returns (or throws), and its effect on the model. */
export interface Outcome {
  label: string;
  /** `rc` is the return value; `err` is WSAGetLastError() right after (meaningful when rc is SOCKET_ERROR). */
  matches: (r: Result) => boolean;
  apply?: (r: Result) => void;
  /** Asynchronous effects to wait for before the next call (a FIN or RST reaching a peer). */
  settle?: Settle[];
}

export type Result = { rc: number; err: number; value?: unknown } | { threw: string; message: string };

/**
 * Wait until socket `slot` shows one of `anyOf` (WSAPoll revents bits: the
 * peer's view of a FIN or RST), or until `unread` bytes are readable there
 * (loopback delivers in a softirq, which under load runs after send returns).
 */
export interface Settle {
  slot: number;
  anyOf?: number;
  unread?: number;
}

export const isRc = (r: Result): r is { rc: number; err: number; value?: unknown } => 'rc' in r;

export function fails(code: number, apply?: () => void): Outcome {
  return {
    label: `-1/${W.wsaErrorName(code)}`,
    matches: (r) => isRc(r) && r.rc === W.SOCKET_ERROR && r.err === code,
    apply,
  };
}

export function returns(rc: number, apply?: () => void, settle?: Settle[]): Outcome {
  return { label: String(rc), matches: (r) => isRc(r) && r.rc === rc, apply, settle };
}

export function throws(kind: 'TypeError' | 'RangeError'): Outcome {
  return { label: `throws ${kind}`, matches: (r) => 'threw' in r && r.threw === kind };
}

/** A failure with any of `codes`; the socket's `broken` narrows to the one seen. */
export function brokenFails(s: MSock): Outcome {
  const codes = s.broken!;
  return {
    label: `-1/${codes.map((c) => W.wsaErrorName(c)).join('|')}`,
    matches: (r) => isRc(r) && r.rc === W.SOCKET_ERROR && codes.includes(r.err),
    apply: (r) => {
      if (isRc(r)) s.broken = [r.err];
    },
  };
}

/** NOTINITIALISED / ENOTSOCK, which come before anything but a TypeError. */
export function handleGate(m: Model, slot: number): Outcome[] | undefined {
  if (m.startups === 0) return [fails(E.WSANOTINITIALISED)];
  const k = m.socks[slot]!.kind;
  if (k === 'closed' || k === 'never') return [fails(E.WSAENOTSOCK)];
  return undefined;
}

/** Resets the connection of `slot`: this side's later calls fail with `own`, the peer's with a peer-reset code. */
export function resetPair(m: Model, slot: number, own: number[]): Settle[] {
  const s = m.socks[slot]!;
  s.broken = own;
  s.unread = DEVIATIONS.resetKeepsUnreadData ? s.unread : 0;
  const p = m.socks[s.peer];
  if (p && p.kind === 'conn' && !p.broken) {
    p.broken = PEER_RESET_CODES(p);
    if (!DEVIATIONS.resetKeepsUnreadData) p.unread = 0;
    return [{ slot: s.peer, anyOf: W.POLLERR | W.POLLHUP }];
  }
  return [];
}

/** The model's effect of `slot` sending `n` > 0 bytes that the kernel accepted. */
export function delivered(m: Model, slot: number, n: number): Settle[] {
  const s = m.socks[slot]!;
  if (n === 0) return [];
  s.sentRecently = true;
  const p = m.socks[s.peer]!;
  if (s.peerGone || p.kind !== 'conn') {
    // Data for a closed socket: its kernel answers with a reset.
    s.broken = PEER_RESET_CODES(s);
    return [{ slot, anyOf: W.POLLERR }];
  }
  if (p.broken) return [];
  if (p.shutRecv) {
    // Contract: data arriving after SD_RECEIVE resets the connection (the
    // receiver's watcher sends the RST while the program is idle).
    p.broken = [E.WSAECONNABORTED];
    s.broken = PEER_RESET_CODES(s);
    return [{ slot, anyOf: W.POLLERR | W.POLLHUP }];
  }
  p.unread += n;
  return [{ slot: s.peer, unread: p.unread }];
}

/** The model's effect of closing `slot` (the handle is gone either way). */
export function closed(m: Model, slot: number): Settle[] {
  const s = m.socks[slot]!;
  const wasConn = s.kind === 'conn';
  s.kind = 'closed';
  if (!wasConn || s.broken) return [];
  const p = m.socks[s.peer]!;
  // Both FINs exchanged: the connection is over, and a close that would reset
  // has nothing to reset (test/reliability/close-after-both-fins-is-not-a-reset.test.ts).
  if (s.shutSend && s.finIn) {
    p.peerGone = true;
    return [];
  }
  // Contract: linger {1,0} is abortive; close with unread data resets (RFC 2525).
  if ((s.linger.l_onoff && s.linger.l_linger === 0) || s.unread > 0) return resetPair(m, slot, [E.WSAENOTSOCK]);
  if (p.kind !== 'conn' || p.broken) return [];
  p.finIn = true;
  p.peerGone = true;
  return [{ slot: s.peer, anyOf: W.POLLHUP }];
}

/** What a successful FIN (SD_SEND, WSASendDisconnect) does to the peer. */
export function finSent(m: Model, slot: number): Settle[] {
  const s = m.socks[slot]!;
  const p = m.socks[s.peer]!;
  if (s.broken || p.kind !== 'conn' || p.broken) return [];
  p.finIn = true;
  return [{ slot: s.peer, anyOf: W.POLLHUP }];
}

export function cloneModel(m: Model): Model {
  return {
    startups: m.startups,
    ports: m.ports,
    socks: m.socks.map((s) => ({ ...s, linger: { ...s.linger }, broken: s.broken && [...s.broken], dgrams: [...s.dgrams] })),
  };
}
