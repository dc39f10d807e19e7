// Linux: one readiness source per thread. Every watched descriptor is
// registered on an epoll descriptor of the library's own, one per thread (per
// loaded copy of the library: a Worker loads its own), and only that epoll
// descriptor is watched on Node's loop, by one uv_poll handle. Why not a
// uv_poll per descriptor, as on Windows (watch.ts): each costs ~1.1 KiB of
// native memory and a koffi object per socket, and libuv aborts the process
// when a watched descriptor was closed elsewhere (another worker_thread, or
// the program through nativeFd) and the watch is then changed (its epoll_ctl
// failing with EBADF/ENOENT is fatal inside libuv). Here every epoll_ctl
// failure is an answer: the descriptor is gone, nothing is watched.
//
// Each registration is EPOLLONESHOT and is armed again after its interests
// have run while any remain. To the interests that is level-triggered, as
// uv_poll was (a condition that lasts wakes them turn after turn), but a
// registration nobody can name any more (its descriptor number was closed
// while a dup keeps the file open, so epoll keeps it) fires once and then stays
// disabled, instead of waking the loop on every turn with a token nobody knows.
// It also saves syscalls: a wait is one epoll_ctl (arm), its wake-up disarms
// it for free, and a close needs no EPOLL_CTL_DEL when the last wait fired.
//
// Tokens: epoll_event.data holds the descriptor (low half) and a registration
// counter (high half, never reused within the thread's 2^32 registrations);
// `byFd` maps a descriptor to the Watch registered for it. An event whose
// counter is not that Watch's is stale and ignored. When a new Watch registers
// a descriptor number an older Watch still holds, the old one's descriptor was
// closed behind its back (the number was free again): the old one is dead from
// then on and never touches that number (a DEL or MOD would hit the new socket).
import koffi from 'koffi';
import { C } from '../../native-bindings/libc.js';
import type { Interest, Ready } from './watch.js';

type PollHandle = ReturnType<typeof koffi.node.poll>;

const EPOLLIN = 0x1;
const EPOLLOUT = 0x4;
const EPOLLERR = 0x8;
const EPOLLHUP = 0x10;
const EPOLLRDHUP = 0x2000;
const EPOLLONESHOT = 0x40000000;
const EPOLL_CLOEXEC = 0o2000000;
const CTL_ADD = 1;
const CTL_DEL = 2;
const CTL_MOD = 3;
const EEXIST = 17;

// struct epoll_event { uint32_t events; uint64_t data; } is packed on x86 (12
// bytes, data at 4) and naturally aligned elsewhere (16 bytes on arm64, data
// at 8). Counted in 32-bit words; data's two halves are written and read back
// as the same two words, so byte order does not matter.
const PACKED = process.arch === 'x64' || process.arch === 'ia32';
const WORDS = PACKED ? 3 : 4;
const DATA = PACKED ? 1 : 2;
/** Events fetched per epoll_wait; the dispatcher asks again while a call fills them all. */
const BATCH = 256;

function declare() {
  const lib = koffi.load('libc.so.6');
  return {
    create: lib.func('int epoll_create1(int flags)'),
    ctl: lib.func('int epoll_ctl(int epfd, int op, int fd, void *event)'),
    wait: lib.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)'),
  };
}

// --- this thread's readiness source ------------------------------------------------
let E: ReturnType<typeof declare> | null = null;
let epfd = -1;
let poller: PollHandle | null = null;
let pollerRefd = false;
/** Interests with ref: true held by any Watch (read at add and at remove: an interest's ref must not change while registered): the uv_poll handle keeps the process alive exactly while this is > 0. */
let refs = 0;
/** The Watch registered for each descriptor number on epfd. */
const byFd = new Map<number, EpollWatch>();
let lastGen = 0;
let dispatching = false;
let exited = false;
let exitHook = false;
// Scratch, made once: one event for epoll_ctl, BATCH for epoll_wait.
const ctlEvent = new Uint32Array(WORDS);
const events = new Uint32Array(WORDS * BATCH);

// What each interest sees, by bit (1 readable, 2 writable, 4 disconnect): shared and frozen, none made per event.
const READY: readonly Ready[] = Array.from({ length: 8 }, (_, b) =>
  Object.freeze({ readable: (b & 1) !== 0, writable: (b & 2) !== 0, disconnect: (b & 4) !== 0 }),
);
const ALL = 7;

const bitsOf = (i: Interest): number => (i.readable ? 1 : 0) | (i.writable ? 2 : 0) | (i.disconnect ? 4 : 0);

/** Makes this thread's epoll descriptor and its uv_poll handle; false when either cannot be made. */
function open(): boolean {
  if (epfd >= 0) return true;
  if (exited) return false;
  E ??= declare();
  const fd = E.create(EPOLL_CLOEXEC);
  if (fd < 0) return false;
  let h: PollHandle | null = null;
  try {
    h = koffi.node.poll(fd, { readable: true }, onEpoll as never);
  } catch {
    h = null;
  }
  if (!h) {
    C.close(fd);
    return false;
  }
  epfd = fd;
  poller = h;
  pollerRefd = true;
  if (refs === 0) {
    h.unref();
    pollerRefd = false;
  }
  // At exit Node closes the handles still open and runs the loop once more; a
  // poll event delivered then would call into JavaScript during teardown,
  // which aborts the process (seen with an SD_RECEIVE watch whose peer
  // closed). So the handle is closed on 'exit', first.
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      exited = true;
      for (const w of byFd.values()) w.gen = -1;
      byFd.clear();
      shut();
    });
  }
  return true;
}

/** Closes the epoll descriptor and its handle (the uv_poll first: libuv must not watch a closed descriptor). */
function shut(): void {
  if (epfd < 0) return;
  poller?.close();
  poller = null;
  C.close(epfd);
  epfd = -1;
}

/**
 * With nothing registered and nothing held, the descriptor goes too
 * (descriptors back where they started). A program whose one watched socket
 * comes and goes makes it again each time: an epoll_create1 and a uv_poll
 * start, about what a uv_poll per socket cost (3,000 such cycles: 298 against
 * 354 ms, 305 against 281, 284 against 262 alternating, i.e. no difference).
 */
function idle(): void {
  if (!dispatching && byFd.size === 0 && refs === 0) shut();
}

function ref(): void {
  if (++refs === 1 && poller && !pollerRefd) {
    poller.ref();
    pollerRefd = true;
  }
}

function unref(): void {
  if (--refs === 0 && poller && pollerRefd) {
    poller.unref();
    pollerRefd = false;
  }
}

/** epoll_ctl for `w` with `mask`; 0 or the errno. */
function ctl(op: number, w: EpollWatch, mask: number, gen: number): number {
  ctlEvent[0] = mask;
  ctlEvent[DATA] = w.fd;
  ctlEvent[DATA + 1] = gen;
  return E!.ctl(epfd, op, w.fd, ctlEvent) === 0 ? 0 : koffi.errno();
}

/** The watches that fired in this dispatch and still have interests: armed again once it ends. */
const rearm: EpollWatch[] = [];

/** The first exception an interest threw during a dispatch: the others still run, then it is thrown. */
let thrown: { e: unknown } | null = null;

// koffi calls it when the epoll descriptor is readable: events are ready.
function onEpoll(status: number): void {
  if (epfd < 0) return;
  // An error on the epoll descriptor itself (not seen in practice): libuv stopped the handle; start it again.
  if (status < 0) poller?.start({ readable: true }, onEpoll as never);
  dispatching = true;
  try {
    for (;;) {
      const n = E!.wait(epfd, events, BATCH, 0);
      for (let k = 0; k < n; k++) {
        const o = k * WORDS;
        const w = byFd.get(events[o + DATA]!);
        if (w !== undefined && w.gen === events[o + DATA + 1]) w.fire(events[o]!);
      }
      if (n < BATCH || epfd < 0) break;
    }
  } finally {
    dispatching = false;
    // Armed again only now: armed within the loop, a socket whose condition
    // lasts (its reader runs on a later turn) would come back in the next
    // epoll_wait of this same call, for ever (1,000 readable sockets whose
    // recvs the promise layer had deferred to setImmediate spun here).
    for (const w of rearm) if (w.gen > 0 && w.armed === 0 && w.size > 0) w.arm();
    rearm.length = 0;
  }
  idle();
  if (thrown) {
    const { e } = thrown;
    thrown = null;
    throw e;
  }
}

/**
 * One descriptor's registration on this thread's epoll descriptor, with the
 * interests that share it (the first inline, a Set only for a second one).
 */
export class EpollWatch {
  /** The registration's counter (the token's high half) while registered; 0 not registered; -1 gone for good. */
  gen = 0;
  /** The epoll events armed now; 0 when the registration is disabled (its one shot fired) or absent. */
  armed = 0;
  private one: Interest | null = null;
  private more: Set<Interest> | null = null;
  /** Set only when given (the POSIX backend never does: a field less per socket). */
  declare private started?: () => void;

  /** `started` runs once the descriptor is first registered. */
  constructor(
    readonly fd: number,
    started?: () => void,
  ) {
    if (started) this.started = started;
  }

  /** Registers `i`; returns false (nothing registered) when the descriptor cannot be watched. */
  add(i: Interest): boolean {
    if (this.gen < 0) return false;
    const fresh = !this.has(i);
    if (fresh) {
      if (this.more) this.more.add(i);
      else if (this.one) {
        this.more = new Set([this.one, i]);
        this.one = null;
      } else this.one = i;
      if (i.ref) ref();
    }
    if (this.arm()) return true;
    if (fresh) this.remove(i);
    else idle();
    return false;
  }

  // No epoll_ctl: events armed for an interest that went are at most one
  // wake-up that finds no one, after which the registration is disabled or
  // armed again with what is left.
  remove(i: Interest): void {
    if (this.one === i) this.one = null;
    else if (this.more?.delete(i)) {
      if (this.more.size === 1) {
        for (const last of this.more) this.one = last;
        this.more = null;
      }
    } else return;
    if (i.ref) unref();
    idle();
  }

  get size(): number {
    return this.more ? this.more.size : this.one ? 1 : 0;
  }

  /** Stops watching: call before the descriptor is closed. Returns the interests it dropped. */
  close(): Interest[] {
    const dropped = this.more ? [...this.more] : this.one ? [this.one] : [];
    this.one = this.more = null;
    for (const i of dropped) if (i.ref) unref();
    if (this.gen > 0) {
      if (byFd.get(this.fd) === this) byFd.delete(this.fd);
      // A disabled registration reports nothing and goes with the descriptor's file.
      if (this.armed) ctl(CTL_DEL, this, 0, 0);
      this.gen = 0;
      this.armed = 0;
    }
    idle();
    return dropped;
  }

  private has(i: Interest): boolean {
    return this.one === i || (this.more !== null && this.more.has(i));
  }

  /** Arms the registration for the union of the interests (registering it first); false when the descriptor is gone. (Not private: onEpoll arms what fired once its dispatch is over.) */
  arm(): boolean {
    let bits = 0;
    if (this.more) for (const i of this.more) bits |= bitsOf(i);
    else if (this.one) bits = bitsOf(this.one);
    const mask = EPOLLONESHOT | (bits & 1 ? EPOLLIN : 0) | (bits & 2 ? EPOLLOUT : 0) | (bits & 4 ? EPOLLRDHUP : 0);
    if (this.gen > 0) {
      if (this.armed !== 0 && (this.armed & mask) === mask) return true;
      // ENOENT: the file at this number is not the one registered (closed,
      // perhaps by another thread; epoll dropped it with the file). EBADF: no
      // descriptor at this number. Either way the descriptor is gone.
      if (ctl(CTL_MOD, this, mask, this.gen) === 0) {
        this.armed = mask;
        return true;
      }
      this.gone();
      return false;
    }
    if (!open()) return false;
    const gen = (lastGen = lastGen >= 0xffffffff ? 1 : lastGen + 1);
    let err = ctl(CTL_ADD, this, mask, gen);
    // Registered already: a Watch closed while the registration was disabled left it (the file is still open).
    if (err === EEXIST) err = ctl(CTL_MOD, this, mask, gen);
    if (err !== 0) return false;
    const old = byFd.get(this.fd);
    if (old && old !== this) old.gone();
    byFd.set(this.fd, this);
    this.gen = gen;
    this.armed = mask;
    this.started?.();
    return true;
  }

  /**
   * The descriptor went behind the Watch's back: nothing more is watched and
   * no epoll_ctl names its number again. Its interests stay (and never fire),
   * as they would on a uv_poll whose descriptor was closed: the backend fails
   * what comes next with WSAENOTSOCK, and closing the socket drops them.
   */
  gone(): void {
    if (this.gen > 0 && byFd.get(this.fd) === this) byFd.delete(this.fd);
    this.gen = -1;
    this.armed = 0;
    idle();
  }

  /** Runs the interests that `events` concerns (called by the dispatcher). */
  fire(events: number): void {
    const gen = this.gen;
    this.armed = 0; // the one shot went off: disabled until armed again
    // An error or hang-up (a reset, a failed connect): every interest sees it (its next call reports it).
    const b =
      events & (EPOLLERR | EPOLLHUP) ? ALL : (events & EPOLLIN ? 1 : 0) | (events & EPOLLOUT ? 2 : 0) | (events & EPOLLRDHUP ? 4 : 0);
    const e = READY[b]!;
    if (this.more) {
      for (const i of [...this.more]) if (bitsOf(i) & b && this.has(i)) this.call(i, e);
    } else if (this.one && bitsOf(this.one) & b) this.call(this.one, e);
    // Level-triggered, as uv_poll: what still waits is armed again (after the
    // dispatch: see onEpoll), and wakes again next turn if the condition lasts.
    if (this.gen === gen && this.armed === 0 && (this.one || this.more)) {
      if (dispatching) rearm.push(this);
      else this.arm();
    }
  }

  private call(i: Interest, e: Ready): void {
    try {
      i.fn(e);
    } catch (err) {
      thrown ??= { e: err };
    }
  }
}
