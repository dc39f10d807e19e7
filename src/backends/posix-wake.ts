// Linux's part of "closesocket cancels the blocking calls other threads have
// pending on the socket" (src/shared-table.ts, waiters): while other copies of
// the library run in the process (Workers), a blocking wait polls one more
// descriptor, the eventfd of the table entry it claims, which a thread
// closing the socket writes to. Without it a thread blocked in recv() on a
// socket that another thread closed would wait for ever, and the close's FIN
// would wait with it: the kernel keeps the socket open while a poll() holds it.
//
// The eventfds belong to the process's table entries (at most WAITERS, made
// on first use, never closed): none is left behind by a terminated Worker,
// and a program with one copy of the library makes none.
import { C, L } from '../../native-bindings/libc.js';
import { addWaiter, removeWaiter, shared, waiterFd, wakeWaitersOn } from '../shared-table.js';

let entry = -1;
const one = new BigUint64Array([1n]);
const makeEventFd = (): number => C.eventfd(0, L.EFD_CLOEXEC | L.EFD_NONBLOCK);

/** Before a blocking wait on `h`: the descriptor to poll beside the socket's, or -1 (none needed, or none to be had). */
export function beginWait(h: number): number {
  if (!shared()) return -1;
  entry = addWaiter(h, makeEventFd);
  if (entry < 0) return -1;
  // A wake-up left from the entry's last wait is told apart by the wait itself
  // (posix.ts waitReady: the socket is still open; it consumes it and waits on).
  return waiterFd(entry);
}

/** After the wait (whatever ended it). */
export function endWait(): void {
  if (entry < 0) return;
  removeWaiter(entry);
  entry = -1;
}

/** Wakes every thread blocked on `h` (a closesocket in this thread is about to close it). */
export function wakeWaiters(h: number): void {
  wakeWaitersOn(h, (fd) => void C.write(fd, one, 8));
}
