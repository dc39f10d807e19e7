// Linux's part of "closesocket cancels the blocking calls other threads have
// pending on the socket" (src/shared-table.ts, waiters): while other copies of
// the library run in the process (Workers), a blocking wait polls one more
// descriptor, an eventfd of its own, which a thread closing the socket writes
// to. Without it a thread blocked in recv() on a socket that another thread
// closed would wait for ever, and the close's FIN would wait with it: the
// kernel keeps the socket open while a poll() holds it.
//
// The eventfd lives for one wait: a thread's own would be left open when a
// Worker is terminated (no JavaScript runs then to close it). A program with
// one copy of the library makes none, so its waits cost no syscall more.
import { C, L } from '../../native-bindings/libc.js';
import { addWaiter, removeWaiter, shared, wakeWaitersOn } from '../shared-table.js';

let entry = -1;
let wakeFd = -1;
const one = new BigUint64Array([1n]);

/** Before a blocking wait on `h`: the descriptor to poll beside the socket's, or -1 (none needed, or none to be had). */
export function beginWait(h: number): number {
  if (!shared()) return -1;
  wakeFd = C.eventfd(0, L.EFD_CLOEXEC | L.EFD_NONBLOCK);
  if (wakeFd < 0) return -1;
  entry = addWaiter(wakeFd, h);
  if (entry < 0) {
    C.close(wakeFd);
    wakeFd = -1;
  }
  return wakeFd;
}

/** After the wait (whatever ended it). */
export function endWait(): void {
  if (wakeFd < 0) return;
  removeWaiter(entry);
  C.close(wakeFd);
  wakeFd = entry = -1;
}

/** Wakes every thread blocked on `h` (a closesocket in this thread is about to close it). */
export function wakeWaiters(h: number): void {
  wakeWaitersOn(h, (fd) => void C.write(fd, one, 8));
}
