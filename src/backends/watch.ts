// One readiness watch per native descriptor, on Node's own loop. On Linux it
// is a registration on the thread's one epoll descriptor (watch-epoll.ts); on
// Windows, a uv_poll handle per SOCKET (below). libuv's
// uv_poll (koffi.node.poll) takes a Linux fd and a Windows SOCKET alike, but
// refuses a second watcher on the same descriptor, and a descriptor must not be
// closed while watched. So each socket record owns at most one Watch, and
// everything that needs readiness (the SD_RECEIVE reset rule, promise waits)
// registers an Interest on it. The watch runs with the union of the interests'
// events, keeps the process alive only while a referenced interest is
// registered, and is closed by the backend just before the descriptor is.
//
// The platform part (checking that the descriptor is a live socket: uv_poll
// aborts the process on a bad one) is the backend's; it passes `valid` in.
import koffi from 'koffi';
import { EpollWatch } from './watch-epoll.js';

type PollHandle = ReturnType<typeof koffi.node.poll>;

export interface Ready {
  readable: boolean;
  writable: boolean;
  /** The peer's FIN, a reset, or an error on the descriptor. */
  disconnect: boolean;
}

export interface Interest {
  readable?: boolean;
  writable?: boolean;
  /** Also woken by the peer's FIN or a reset without other readiness (level-triggered: only for interests that settle on it). */
  disconnect?: boolean;
  /** Keeps the process alive while registered (a pending operation does; a background rule does not). */
  ref: boolean;
  /** Called on Node's loop when any of the interest's events (or a disconnect) is reported. */
  fn: (ev: Ready) => void;
}

/**
 * Watches with a uv_poll handle. At exit Node closes the handles still open
 * and runs the loop once more; a poll event delivered then would call into
 * JavaScript during teardown, which aborts the process (seen with an
 * SD_RECEIVE watch whose peer closed). So they are closed on 'exit', first.
 */
const live = new Set<Watch>();
let exitHook = false;

class PollWatch implements Watch {
  private handle: PollHandle | null = null;
  private readonly interests = new Set<Interest>();
  /** The events (1 readable, 2 writable, 4 disconnect) the handle runs with now; -1 stopped. */
  private running = -1;
  private refd = false;

  /** `started` runs once the uv_poll handle exists (Windows: libuv just made the SOCKET nonblocking). */
  constructor(
    private readonly fd: number,
    private readonly started?: () => void,
  ) {}

  /** Registers `i`; returns false (nothing registered) when the descriptor cannot be watched. */
  add(i: Interest): boolean {
    this.interests.add(i);
    if (this.update()) return true;
    this.interests.delete(i);
    return false;
  }

  remove(i: Interest): void {
    if (this.interests.delete(i)) this.update();
  }

  get size(): number {
    return this.interests.size;
  }

  /** Stops watching for good: call before the descriptor is closed. Returns the interests it dropped. */
  close(): Interest[] {
    const dropped = [...this.interests];
    this.interests.clear();
    this.handle?.close();
    this.handle = null;
    this.running = -1;
    live.delete(this);
    return dropped;
  }

  private update(): boolean {
    let events = 0;
    let ref = false;
    for (const i of this.interests) {
      if (i.readable) events |= 1;
      if (i.writable) events |= 2;
      if (i.disconnect) events |= 4;
      ref ||= i.ref;
    }
    try {
      if (this.interests.size === 0) {
        if (this.running >= 0) this.handle?.stop();
        this.running = -1;
        return true;
      }
      const opts = { readable: (events & 1) !== 0, writable: (events & 2) !== 0, disconnect: (events & 4) !== 0 };
      if (!this.handle) {
        this.handle = koffi.node.poll(this.fd, opts, this.onPoll as never);
        if (!this.handle) return false;
        this.refd = true;
        live.add(this);
        if (!exitHook) {
          exitHook = true;
          process.once('exit', () => {
            for (const w of [...live]) w.close();
          });
        }
        this.started?.();
      } else if (events !== this.running) {
        this.handle.start(opts, this.onPoll as never);
      }
      this.running = events;
    } catch {
      // uv_poll refused the descriptor (the backend checked it, so this is rare): no watch.
      this.close();
      return false;
    }
    if (ref !== this.refd) {
      if (ref) this.handle.ref();
      else this.handle.unref();
      this.refd = ref;
    }
    return true;
  }

  // koffi calls it with (status, events). A negative status is an error on the
  // descriptor (POLLERR: a reset, a failed connect), which every interest must
  // see (its next call reports it). libuv has stopped the handle then: it is
  // started again for whatever interests remain once they have run.
  private readonly onPoll = (status: number, ev: Ready): void => {
    const error = status < 0;
    if (error) this.running = -1;
    const e: Ready = error ? { readable: true, writable: true, disconnect: true } : ev;
    for (const i of [...this.interests]) {
      if (!this.interests.has(i)) continue;
      if ((i.readable && e.readable) || (i.writable && e.writable) || (i.disconnect && e.disconnect)) i.fn(e);
    }
    if (error && this.handle && this.running === -1) this.update();
  };
}

/** What the backends use: every interest on one descriptor, made on first need, closed before the descriptor. */
export interface Watch {
  /** Registers `i`; returns false (nothing registered) when the descriptor cannot be watched. */
  add(i: Interest): boolean;
  remove(i: Interest): void;
  readonly size: number;
  /** Stops watching for good: call before the descriptor is closed. Returns the interests it dropped. */
  close(): Interest[];
}

// Linux: one epoll descriptor per thread instead of a uv_poll handle per
// descriptor (memory per socket, and libuv's abort when a watched descriptor is
// closed by another thread: see watch-epoll.ts). Windows keeps uv_poll: a
// SOCKET is not a file descriptor epoll could take.
export const Watch: new (fd: number, started?: () => void) => Watch = process.platform === 'linux' ? EpollWatch : PollWatch;
