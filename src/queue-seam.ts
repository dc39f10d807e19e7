// The promise layer's per-socket queue (src/promises.ts), shared with the
// overlapped calls (src/overlapped.ts) and the flat event wait (src/events.ts)
// rather than copied: an overlapped WSARecv is the same queued attempt as an
// awaited recv, and a thread blocked in WSAWaitForMultipleEvents drives the
// same queue by polling the sockets it waits on. promises.ts fills it in when
// it loads (overlapped.ts imports promises.ts, so it always has).
import type { SOCKET } from './constants.js';
import type { Ready } from './backends/watch.js';

export interface QueueSeam {
  /** Queues one operation (in order per direction); `step` is one attempt that never waits: a number settles it, undefined waits on. */
  queued(s: SOCKET, dir: 'reads' | 'writes', syscall: string, options: unknown, step: () => number | undefined): Promise<number>;
  /** The sockets operations wait on, and for what. */
  pending(): Array<{ s: SOCKET; read: boolean; write: boolean }>;
  /** Runs the waiting attempts of `s` for the readiness seen. */
  pump(s: SOCKET, ev: Ready): void;
}

export const queue = {} as QueueSeam;
