// Seams for observers of the flat API, registered only by the modules that
// need them (nothing is registered unless they are loaded):
// - the harness asks to be told just before a handle's socket is closed
//   (closesocket, or the last WSACleanup's reset), so that it can record what
//   a later release check needs (fd, socket inode, addresses);
// - the promise layer asks to be told once a handle is gone, so that every
//   operation pending on it settles (WSA_OPERATION_ABORTED).
import type { SOCKET } from './constants.js';

type CloseObserver = (s: SOCKET) => void;
let observer: CloseObserver | undefined;
const closedListeners: Array<(s: SOCKET) => void> = [];

export function setCloseObserver(fn: CloseObserver | undefined): void {
  observer = fn;
}

export function beforeClose(s: SOCKET): void {
  observer?.(s);
}

export function onClosed(fn: (s: SOCKET) => void): void {
  closedListeners.push(fn);
}

/** The handle was freed (its descriptor is closed and the backend dropped its watch). */
export function closed(s: SOCKET): void {
  for (const fn of closedListeners) fn(s);
}

// Winsock's re-enabling calls (WSAEventSelect, src/events.ts): a recv re-arms
// FD_READ, accept FD_ACCEPT, a send that would block FD_WRITE, connect starts
// FD_CONNECT, even when the call fails. Told after each such call with its
// result (for accept: the new handle, and the listener's association carries
// over to it). Listeners must leave WSAGetLastError as the call set it.
export type ReenablingCall = 'recv' | 'send' | 'accept' | 'connect';
const callListeners: Array<(s: SOCKET, call: ReenablingCall, rc: number) => void> = [];

export function onCall(fn: (s: SOCKET, call: ReenablingCall, rc: number) => void): void {
  callListeners.push(fn);
}

/** Returns `rc`, after telling the listeners. */
export function called(s: SOCKET, call: ReenablingCall, rc: number): number {
  for (const fn of callListeners) fn(s, call, rc);
  return rc;
}

// WSAEventSelect makes its socket nonblocking and refuses FIONBIO 0 while the
// association lasts (WSAEINVAL): asked before ioctlsocket changes the mode.
let blockingRefused: (s: SOCKET) => boolean = () => false;

export function setBlockingRefused(fn: (s: SOCKET) => boolean): void {
  blockingRefused = fn;
}

export function refusesBlocking(s: SOCKET): boolean {
  return blockingRefused(s);
}

// setsockopt options of Microsoft's extensions (SO_UPDATE_ACCEPT_CONTEXT after
// AcceptEx: src/overlapped.ts), answered before the option table; undefined
// for every other option.
let extension: (s: SOCKET, level: unknown, name: unknown, value: unknown) => number | undefined = () => undefined;

export function setExtensionOption(fn: typeof extension): void {
  extension = fn;
}

export function extensionOption(s: SOCKET, level: unknown, name: unknown, value: unknown): number | undefined {
  return extension(s, level, name, value);
}
