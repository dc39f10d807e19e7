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
import type { Interest } from './watch.js';

/** What the table stores for every open handle; backends extend it. */
export interface SockBase {
  /** The handle the program sees (never reused within the process). */
  readonly handle: number;
  /** Winsock values, as given to socket(). */
  readonly af: number;
  readonly type: number;
  readonly protocol: number;
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
  socket(handle: number, af: number, type: number, protocol: number): S | undefined;
  bind(s: S, addr: SockAddr): number;
  listen(s: S, backlog: number): number;
  accept(s: S, handle: number, addrOut: SockAddr | undefined, nowait: boolean): S | undefined;
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
   * uv_poll watch per descriptor, shared by all interests; see watch.ts).
   * false when the descriptor cannot be watched (it is not a live socket).
   * The backend drops every interest before it closes the descriptor.
   */
  watch(s: S, interest: Interest): boolean;
  unwatch(s: S, interest: Interest): void;
}
