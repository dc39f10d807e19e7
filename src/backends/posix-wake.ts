// Linux's part of "closesocket cancels the blocking calls other threads have
// pending on the socket" (src/shared-table.ts, waiters): each thread's blocking
// waits poll one more descriptor, an eventfd of the thread's own, which a
// closing thread writes to. Without it a thread blocked in recv() on a socket
// that another thread closed would wait for ever, and the close's FIN would
// wait with it: the kernel keeps the socket open while a poll() holds it.
import { existsSync } from 'node:fs';
import { C, L } from '../../native-bindings/libc.js';
import { addWaiter, reclaimWaiters, removeWaiter, waitersOn, waitingOn } from '../shared-table.js';

let wakeFd = -2; // -2: not made yet; -1: none (no eventfd, or every entry taken)
let entry = -1;
const one = new BigUint64Array([1n]);
const sink = new BigUint64Array(1);

/** This thread's wake-up descriptor, made on first need; -1 when there is none. */
function mine(): number {
  if (wakeFd !== -2) return wakeFd;
  wakeFd = C.eventfd(0, L.EFD_CLOEXEC | L.EFD_NONBLOCK);
  if (wakeFd < 0) return (wakeFd = -1);
  // Workers that were terminated left their entries (and wake-ups) behind: free them first.
  reclaimWaiters(
    (tid) => !existsSync(`/proc/self/task/${tid}`),
    (fd) => C.close(fd),
  );
  entry = addWaiter(wakeFd, C.gettid() as number);
  if (entry < 0) {
    C.close(wakeFd);
    return (wakeFd = -1);
  }
  // A Worker that ends gives its entry back (its descriptor is the process's and would stay open);
  // one that is terminated runs no 'exit' listener: the next thread to register reclaims it.
  process.once('exit', () => {
    removeWaiter(entry);
    C.close(wakeFd);
    wakeFd = -1;
  });
  return wakeFd;
}

/** Makes this thread's wake-up now (WSAStartup in this thread), rather than in its first wait. */
export function threadStartup(): void {
  mine();
}

/**
 * Before a blocking wait on `h`: returns the descriptor to poll beside the
 * socket's (-1: none), and marks this thread as waiting on `h`.
 */
export function beginWait(h: number): number {
  const fd = mine();
  if (fd >= 0) waitingOn(entry, h);
  return fd;
}

/** After the wait: no longer waiting; a wake-up that came is consumed. */
export function endWait(woken: boolean): void {
  if (wakeFd < 0) return;
  waitingOn(entry, -1);
  if (woken) C.read(wakeFd, sink, 8);
}

/** Wakes every thread blocked on `h` (a closesocket in this thread is about to close it). */
export function wakeWaiters(h: number): void {
  for (const fd of waitersOn(h)) C.write(fd, one, 8);
}
