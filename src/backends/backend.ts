// The seam between the public API and a platform. src/api.ts validates every
// argument, keeps the start-up count, the handle table and the open-socket set
// (the same code for both platforms), then calls the backend with a record it
// found in the table. posix.ts and win32.ts export functions of the same names.
//
// Conventions: a function returns a number >= 0 on success; on failure it calls
// fail(code) from ../errors.js (which sets WSAGetLastError) and returns
// SOCKET_ERROR. Backends never see a handle that is not in the table, a `how`
// outside 0..2, a buffer shorter than `len`, or a malformed SockAddr.
//
// `nowait` (the calls that can wait): the promise layer's attempt. The call
// never waits and answers WSAEWOULDBLOCK where it would, whatever the socket's
// FIONBIO mode, and leaves that mode as the program set it. Without it a call
// follows the mode: a blocking socket blocks the thread, as in C.
import type { Linger, SockAddr } from '../constants.js';
import type { Slot } from '../shared-table.js';
import type { Interest } from './watch.js';

/**
 * What the table stores for every open handle; backends extend it. A record
 * is one thread's view of a socket whose state lives in the process-wide
 * table's slot (src/shared-table.ts), so every thread sees the same socket.
 */
export interface SockBase {
  /** The handle the program sees (never reused within the process). */
  readonly handle: number;
  /** Winsock values, as given to socket(). */
  readonly af: number;
  readonly type: number;
  readonly protocol: number;
  /** The first word of the socket's slot in the table (src/shared-table.ts). */
  readonly base: number;
  /** The slot's generation when the record was made: the table's check that the handle is still this socket. */
  readonly gen: number;
}

/** An option the public API knows, and how its value is shaped. */
export type OptionKind = 'bool' | 'int' | 'linger' | 'dontlinger' | 'ms';

/** One WSAPoll entry after validation: `sock` is undefined for a handle not in the table. */
export interface PollEntry<S extends SockBase> {
  sock: S | undefined;
  /** true for a negative fd, which WSAPoll ignores. */
  ignored: boolean;
  events: number;
}

export interface Backend<S extends SockBase = SockBase> {
  readonly name: 'posix' | 'win32';
  /** Called on the first successful WSAStartup of the program. */
  startup(): number;
  /** Called when the program's last WSACleanup brings the count to zero (after abort of every socket). */
  cleanup(): void;
  /** Makes the socket in a slot the table reserved (slot.handle is its handle). */
  socket(slot: Slot, af: number, type: number, protocol: number): S | undefined;
  /** This thread's record of a live socket another thread made (a view over its slot). */
  attach(handle: number, base: number): S;
  /**
   * Drops this thread's record of a socket another thread closed: its watch
   * goes without touching the descriptor (whose number may already name
   * another socket).
   */
  forget(s: S): void;
  bind(s: S, addr: SockAddr): number;
  listen(s: S, backlog: number): number;
  accept(s: S, slot: Slot, addrOut: SockAddr | undefined, nowait: boolean): S | undefined;
  connect(s: S, addr: SockAddr, nowait: boolean): number;
  send(s: S, buf: Uint8Array, len: number, flags: number, nowait: boolean): number;
  recv(s: S, buf: Uint8Array, len: number, flags: number, nowait: boolean): number;
  sendto(s: S, buf: Uint8Array, len: number, flags: number, addr: SockAddr, nowait: boolean): number;
  recvfrom(s: S, buf: Uint8Array, len: number, flags: number, addrOut: SockAddr | undefined, nowait: boolean): number;
  shutdown(s: S, how: number): number;
  /** WSASendDisconnect with no disconnect data (api.ts rejects data on TCP). */
  sendDisconnect(s: S): number;
  /** WSARecvDisconnect with no disconnect data. */
  recvDisconnect(s: S): number;
  /** closesocket: 0 frees the handle; SOCKET_ERROR (e.g. WSAEWOULDBLOCK) keeps it open. */
  closesocket(s: S, nowait: boolean): number;
  /** WSACleanup's reset of a socket still open: abortive close, never fails. */
  abort(s: S): void;
  setsockopt(s: S, level: number, name: number, kind: OptionKind, value: number | Linger): number;
  getsockopt(s: S, level: number, name: number, kind: OptionKind, out: Linger | number[]): number;
  ioctlsocket(s: S, cmd: number, argp: number[]): number;
  /** Fills `revents` (one per entry) and returns the count ready, or SOCKET_ERROR. */
  poll(entries: PollEntry<S>[], revents: number[], timeoutMs: number): number;
  /**
   * select over three lists of live sockets (read, write, except): sets
   * ready[k][i] for entry i of list k, returns the count ready (0 on timeout)
   * or SOCKET_ERROR. timeoutMs < 0 waits forever.
   */
  select(sets: [S[], S[], S[]], timeoutMs: number, ready: [boolean[], boolean[], boolean[]]): number;
  getsockname(s: S, out: SockAddr): number;
  getpeername(s: S, out: SockAddr): number;
  /**
   * Registers an interest in the socket's readiness on Node's loop (one
   * watch per descriptor, shared by all interests; see watch.ts).
   * false when the descriptor cannot be watched (it is not a live socket).
   * The backend drops every interest before it closes the descriptor.
   */
  watch(s: S, interest: Interest): boolean;
  unwatch(s: S, interest: Interest): void;
  // --- network events (WSAEventSelect, src/events.ts) ---
  /** The socket's network conditions now, for the FD_* events; undefined (fail() called) where the platform cannot say. */
  netState(s: S): NetState | undefined;
  /**
   * Blocks the thread until one of the sockets is ready for what `wants[i]`
   * asks (NET_READ / NET_WRITE / NET_HUP bits) or `timeoutMs` passes (-1: no
   * limit). Fills `ready[i]` (0 or the bits seen); returns the count ready or SOCKET_ERROR.
   */
  waitNet(socks: S[], wants: number[], ready: number[], timeoutMs: number): number;
  // --- AcceptEx / DisconnectEx(TF_REUSE_SOCKET) (src/overlapped.ts) ---
  /**
   * Moves `from`'s socket under `target`'s handle: target's own descriptor is
   * closed (its watch first) and its record takes `from`'s state. `from`'s
   * record must not be used afterwards (the caller drops it from the table).
   */
  adopt(target: S, from: S): void;
}

// --- network events: what a backend reports for WSAEventSelect -----------------
export const NET_READ = 1;
export const NET_WRITE = 2;
/** The peer's FIN, a reset or an error on the descriptor. */
export const NET_HUP = 4;

export interface NetState {
  listening: boolean;
  /** A stream socket's connection was established (it may have ended since); always true for a datagram socket. */
  connected: boolean;
  /** A connect started and has not ended. */
  connecting: boolean;
  /** The handshake of a pending connect ended at this look: 0, or the WSA code it failed with; -1 otherwise. */
  connectDone: number;
  /** Data (a datagram) waits to be read; on a listening socket, a connection waits to be accepted. */
  readable: boolean;
  /** A send would not block (and can still succeed). */
  writable: boolean;
  /** -1 while the connection is open; else how it ended: 0 the peer's FIN, WSAECONNRESET, WSAECONNABORTED. */
  closed: number;
}
