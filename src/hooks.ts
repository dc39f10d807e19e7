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
