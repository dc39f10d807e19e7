// select() on Linux, over the POSIX backend's own poll (posix.ts), so that
// everything poll keeps also holds here: SD_RECEIVE's reset of data arriving
// before or during the wait, EINTR retries, and the deadline. What is left is
// Winsock's reading of readiness per set (Microsoft's select page; Wine's
// dlls/ws2_32/tests/sock.c test_select, which passes on Windows):
// - readfds: a pending connection on a listening socket; data to read (OOB
//   data only with SO_OOBINLINE); the connection closed, reset or terminated.
// - writefds: a nonblocking connect that succeeded; a connected socket that
//   can send; a datagram socket (even unbound).
// - exceptfds: a nonblocking connect that failed (SO_ERROR keeps the error:
//   it is not read here, since reading it clears it on Linux); OOB data
//   without SO_OOBINLINE.
// A stream socket never connected nor listening is in no set (Linux's poll
// reports it writable and hung up).
import * as K from '../constants.js';
import { SOCKET_ERROR } from '../constants.js';
import { C, L } from '../../native-bindings/libc.js';
import type { PollEntry } from './backend.js';
import { poll, type PosixSock } from './posix.js';

const int1 = new Int32Array(1);
const len1 = new Uint32Array(1);
const addr = Buffer.alloc(128);

function oobInline(s: PosixSock): boolean {
  len1[0] = 4;
  int1[0] = 0;
  return C.getsockopt(s.fd, L.SOL_SOCKET, L.SO_OOBINLINE, int1, len1) === 0 && int1[0] !== 0;
}

/**
 * Waits until a socket of the three lists is ready in Winsock's sense, or
 * `timeoutMs` passes (negative: forever). Sets `ready[k][i]` for each entry
 * of list k and returns the count of entries ready, or SOCKET_ERROR.
 */
export function select(sets: [PosixSock[], PosixSock[], PosixSock[]], timeoutMs: number, ready: [boolean[], boolean[], boolean[]]): number {
  // One poll entry per socket, asking for what any of its sets needs.
  const index = new Map<PosixSock, number>();
  const entries: PollEntry<PosixSock>[] = [];
  const want = [K.POLLRDNORM, K.POLLWRNORM, K.POLLRDBAND];
  sets.forEach((list, k) =>
    list.forEach((s) => {
      // A stream socket neither connecting nor listening cannot become ready
      // during the wait (only this thread could change it): leave it out.
      if (neverReady(s)) return;
      let i = index.get(s);
      if (i === undefined) {
        i = entries.push({ sock: s, ignored: false, events: 0 }) - 1;
        index.set(s, i);
      }
      entries[i]!.events |= want[k]!;
    }),
  );
  const revents = new Array<number>(entries.length).fill(0);
  if (entries.length === 0) {
    // Nothing here can become ready: select just waits out its timeout, as in C.
    C.poll(null, 0, timeoutMs < 0 ? -1 : timeoutMs);
    return 0;
  }
  // poll returns at the first event of any kind; an event that is not
  // readiness in Winsock's sense (an unconnected socket's POLLHUP) must not end
  // the wait early, so wait again for the time left.
  const deadline = timeoutMs < 0 ? Infinity : performance.now() + timeoutMs;
  let count = 0;
  for (;;) {
    const left = timeoutMs < 0 ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
    const rc = poll(entries, revents, left);
    if (rc < 0) return SOCKET_ERROR;
    count = 0;
    sets.forEach((list, k) =>
      list.forEach((s, j) => {
        const i = index.get(s);
        const on = i !== undefined && classify(s, revents[i]!)[k]!;
        ready[k]![j] = on;
        if (on) count++;
      }),
    );
    if (count > 0 || left === 0 || rc === 0) return count;
    // Nothing Winsock calls ready, but poll saw a non-event: back off a little
    // so a socket that stays in that state does not spin the thread.
    C.poll(null, 0, Math.min(10, Math.max(0, Math.ceil(deadline - performance.now()))));
  }
}

const neverReady = (s: PosixSock): boolean => s.type === K.SOCK_STREAM && !s.listening && !s.connectStarted;

/** A nonblocking connect completes without a call of ours: ask the kernel (as posix.ts's isConnected does). */
function connectedNow(s: PosixSock): boolean {
  if (!s.connected && s.connectStarted) {
    len1[0] = addr.length;
    if (C.getpeername(s.fd, addr, len1) === 0) s.connected = true;
  }
  return s.connected;
}

/** [readable, writable, exceptional] for one socket given Winsock-valued revents from poll(). */
function classify(s: PosixSock, r: number): [boolean, boolean, boolean] {
  if (s.type === K.SOCK_DGRAM) return [(r & (K.POLLRDNORM | K.POLLERR)) !== 0, (r & K.POLLWRNORM) !== 0, false];
  if (s.listening) return [(r & K.POLLRDNORM) !== 0, false, false];
  if (!connectedNow(s)) {
    // A nonblocking connect in progress: POLLERR (with POLLHUP) is a refusal
    // or a timeout; POLLWRNORM alone is success.
    if (r & K.POLLERR) return [false, false, true];
    if (r & K.POLLWRNORM) return [false, true, false];
    return [false, false, false];
  }
  const oob = (r & K.POLLRDBAND) !== 0;
  const inline = oob && oobInline(s);
  const readable = (r & (K.POLLRDNORM | K.POLLHUP | K.POLLERR)) !== 0 || inline;
  return [readable, (r & K.POLLWRNORM) !== 0, oob && !inline];
}
