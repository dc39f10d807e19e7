// The awaitable WSAWaitForMultipleEvents of winsock-compat/promises: the same
// arguments and answers as the flat call (src/events.ts), without blocking the
// loop. Network events are recorded by the associations' interests on the
// sockets' watches (which keep the process alive while a wait is pending), and
// overlapped operations complete through the promise layer's queue on Node's
// loop; any event becoming signalled (WSASetEvent from other code, an
// association, a completion) makes the wait look again.
import { WinsockError } from './errors.js';
import {
  apcsPending,
  loopWaiting,
  onSignal,
  runApcs,
  satisfied,
  sweep,
  waitArgs,
  WSA_INFINITE,
  WSA_WAIT_IO_COMPLETION,
  WSA_WAIT_TIMEOUT,
  type WSAEVENT,
} from './events.js';

export interface WaitOptions {
  /** Aborting it rejects the wait with an AbortError. */
  signal?: AbortSignal;
}

/**
 * Resolves with WSA_WAIT_EVENT_0 + the index of the signalled event (with
 * fWaitAll: WSA_WAIT_EVENT_0 once all are), or WSA_WAIT_TIMEOUT; rejects with
 * a WinsockError (WSA_INVALID_PARAMETER, WSA_INVALID_HANDLE) where the flat
 * call returns WSA_WAIT_FAILED.
 */
export function WSAWaitForMultipleEvents(
  cEvents: number,
  lphEvents: WSAEVENT[],
  fWaitAll: boolean,
  dwTimeout: number,
  fAlertable: boolean,
  options?: WaitOptions,
): Promise<number> {
  const alertable = Boolean(fAlertable);
  return new Promise<number>((resolve, reject) => {
    const args = waitArgs('WSAWaitForMultipleEvents', cEvents, lphEvents, dwTimeout);
    if (typeof args === 'number') return reject(new WinsockError(args, 'WSAWaitForMultipleEvents'));
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal))
      throw new TypeError('WSAWaitForMultipleEvents: options.signal must be an AbortSignal');
    if (signal?.aborted) return reject(new DOMException('The operation was aborted', 'AbortError'));
    const { evs, timeout } = args;
    const all = Boolean(fWaitAll);
    sweep();
    const now = satisfied(evs, all);
    if (now >= 0) return resolve(now);
    // fAlertable: completion routines run here (on Node's loop) and the wait returns WSA_WAIT_IO_COMPLETION.
    if (alertable && apcsPending()) return runRoutines(resolve, reject);
    if (timeout === 0) return resolve(WSA_WAIT_TIMEOUT);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      off();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      loopWaiting(-1);
    };
    const off = onSignal(() => {
      const r = satisfied(evs, all);
      if (r >= 0) (finish(), resolve(r));
      else if (alertable && apcsPending()) (finish(), runRoutines(resolve, reject));
    });
    const onAbort = () => (finish(), reject(new DOMException('The operation was aborted', 'AbortError')));
    signal?.addEventListener('abort', onAbort, { once: true });
    loopWaiting(1);
    if (timeout !== WSA_INFINITE) timer = setTimeout(() => (finish(), resolve(WSA_WAIT_TIMEOUT)), timeout);
  });
}

/** Runs the queued completion routines; one that throws rejects the wait with its error (the rest stay queued). */
function runRoutines(resolve: (v: number) => void, reject: (e: unknown) => void): void {
  try {
    runApcs();
  } catch (e) {
    return reject(e);
  }
  resolve(WSA_WAIT_IO_COMPLETION);
}
