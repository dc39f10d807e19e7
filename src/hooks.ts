// A seam for the harness: it can ask to be told, just before a handle's
// socket is closed (closesocket, or the last WSACleanup's reset), so that it
// can record what a later release check needs (fd, socket inode, addresses).
// Nothing is registered unless winsock-compat/harness is loaded.
import type { SOCKET } from './constants.js';

type CloseObserver = (s: SOCKET) => void;
let observer: CloseObserver | undefined;

export function setCloseObserver(fn: CloseObserver | undefined): void {
  observer = fn;
}

export function beforeClose(s: SOCKET): void {
  observer?.(s);
}
