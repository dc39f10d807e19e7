// Research spike for issue 9 item 5 (sockets across threads): can every
// worker_thread's copy of the library share one handle table and one start-up
// count? Not wired into api.ts. What it shows (measured by
// test/posix/threads-shared-memory.test.ts, figures in the report):
// - the C environment is process-global: setenv() through koffi in one thread
//   is seen by getenv() through koffi in every Worker (Node's process.env is a
//   per-Worker copy and does not see it);
// - so one thread can malloc a region and publish its address there; every
//   Worker maps the same bytes with koffi.view(address, size);
// - koffi.view gives an ArrayBuffer, not a SharedArrayBuffer: Atomics.add /
//   compareExchange work on it and are atomic across threads, Atomics.wait
//   throws (so a blocking wait needs futex or pthread_cond through koffi);
// - a pthread_mutex_t in that memory, locked and unlocked through koffi,
//   serialises the Workers;
// - creating the region must itself be serialised (two Workers loading the
//   library at once): flockfile(stderr) is a lock every process already has.
//   Node writes to fd 2 through libuv, not through libc's FILE, so holding it
//   for the few microseconds of the creation blocks nothing else;
// - child processes inherit the environment (the main thread's process.env
//   reads the C environment), so the value carries the pid that wrote it and
//   a child creates its own region rather than dereferencing the parent's;
// - descriptors are process-wide already: a Worker can send on the fd behind
//   a main-thread SOCKET, and uv_poll watchers on the same fd in two loops both
//   fire.
// What a real process-wide table would still need (not done here): the
// socket's Winsock state (posix.ts's PosixSock: shutdown flags, linger,
// timeouts, the remembered reset, FIONBIO) as fixed-width fields of a slot
// instead of a JS object; an owner for the SD_RECEIVE watcher (a koffi.node.poll
// handle belongs to one thread's loop); a way for the last WSACleanup or a
// closesocket in one thread to settle promises pending in another (995); and
// a hash instead of this prototype's linear scan.
import koffi from 'koffi';

/** sizeof(pthread_mutex_t) is 40 on x86-64 and 48 on arm64 glibc: reserve 64. */
const MUTEX_BYTES = 64;

function declare() {
  const lib = koffi.load('libc.so.6');
  return {
    malloc: lib.func('void *malloc(size_t size)'),
    memset: lib.func('void *memset(void *p, int c, size_t n)'),
    getenv: lib.func('const char *getenv(const char *name)'),
    setenv: lib.func('int setenv(const char *name, const char *value, int overwrite)'),
    flockfile: lib.func('void flockfile(void *f)'),
    funlockfile: lib.func('void funlockfile(void *f)'),
    mutexInit: lib.func('int pthread_mutex_init(void *m, const void *attr)'),
    mutexLock: lib.func('int pthread_mutex_lock(void *m)'),
    mutexUnlock: lib.func('int pthread_mutex_unlock(void *m)'),
    stderrVar: lib.symbol('stderr'),
  };
}

let C: ReturnType<typeof declare> | undefined;
const libc = (): ReturnType<typeof declare> => (C ??= declare());

export interface SharedRegion {
  /** The region's native address (the same number in every thread). */
  readonly address: bigint;
  /** The caller's bytes (after the mutex), as 32-bit words over native memory. */
  readonly words: Int32Array;
  /** True in the one thread that created the region. */
  readonly created: boolean;
  lock(): void;
  unlock(): void;
}

/**
 * The process-wide region published under the environment variable `name`,
 * created (zeroed, with an initialised mutex) by the first thread that asks.
 * Never freed: it lives as long as the process, like a DLL's shared data.
 */
export function openSharedRegion(name: string, bytes: number): SharedRegion {
  const c = libc();
  const stderrFile = koffi.decode(c.stderrVar, 'void *');
  let created = false;
  // The value is "<pid>:<address>". Child processes inherit the environment,
  // and an address from the parent means nothing in a child: only a value
  // this process wrote counts (a child then creates its own region).
  const mine = (v: string | null): string | null => (v && v.startsWith(`${process.pid}:`) ? v.slice(v.indexOf(':') + 1) : null);
  let text = mine(c.getenv(name) as string | null);
  if (!text) {
    c.flockfile(stderrFile);
    try {
      text = mine(c.getenv(name) as string | null);
      if (!text) {
        const p = c.malloc(MUTEX_BYTES + bytes) as bigint;
        if (!p) throw new Error('openSharedRegion: malloc failed');
        c.memset(p, 0, MUTEX_BYTES + bytes);
        c.mutexInit(p, null);
        text = `0x${p.toString(16)}`;
        c.setenv(name, `${process.pid}:${text}`, 1);
        created = true;
      }
    } finally {
      c.funlockfile(stderrFile);
    }
  }
  const address = BigInt(text);
  const words = new Int32Array(koffi.view(address + BigInt(MUTEX_BYTES), bytes));
  return {
    address,
    words,
    created,
    lock: () => void c.mutexLock(address),
    unlock: () => void c.mutexUnlock(address),
  };
}

/**
 * A prototype of the two process-wide counters issue 9 needs: the start-up
 * count and the next handle number (handles never reused, across threads).
 * Word 0: startups; word 1: next handle / 4 (so 2^31 handles fit an int32).
 */
export function sharedCounters(name = 'WINSOCK_COMPAT_SHARED_V1') {
  const r = openSharedRegion(name, 64);
  return {
    region: r,
    startup: (): number => Atomics.add(r.words, 0, 1) + 1,
    cleanup: (): number => Atomics.sub(r.words, 0, 1) - 1,
    startups: (): number => Atomics.load(r.words, 0),
    /** A new handle: unique in the process, never reused, multiple of 4 from 0x1000. */
    nextHandle: (): number => 0x1000 + 4 * Atomics.add(r.words, 1, 1),
  };
}

/** One slot of the prototype table: the fields every thread needs to act on a handle. */
export interface SharedSlot {
  handle: number;
  fd: number;
  af: number;
  type: number;
  protocol: number;
  /** Winsock state bits a real table would share (shutdown sent/received, listening, nonblocking...). */
  flags: number;
  /** A remembered failure (WSAECONNRESET...), 0 if none. */
  broken: number;
}

const SLOT_WORDS = 8; // handle, fd, af, type, protocol, flags, broken, spare
const FIELDS = ['handle', 'fd', 'af', 'type', 'protocol', 'flags', 'broken'] as const;

/**
 * A prototype of a process-wide handle table: `capacity` fixed slots in a
 * shared region, searched and changed under the region's mutex, handles drawn
 * from a shared counter (never reused). Word 0 of the region is the counter.
 * Handle 0 marks a free slot (real handles start at 0x1000).
 */
export function sharedTable(name: string, capacity = 1024) {
  const r = openSharedRegion(name, 4 * (SLOT_WORDS * capacity + 8));
  const base = 8; // words 0..7: counter and spare
  const at = (i: number): number => base + i * SLOT_WORDS;
  const locked = <T>(fn: () => T): T => {
    r.lock();
    try {
      return fn();
    } finally {
      r.unlock();
    }
  };
  const find = (handle: number): number => {
    for (let i = 0; i < capacity; i++) if (r.words[at(i)] === handle) return i;
    return -1;
  };
  return {
    region: r,
    /** Records a socket under a new handle; -1 when the table is full. */
    insert: (s: Omit<SharedSlot, 'handle'>): number =>
      locked(() => {
        const free = find(0);
        if (free < 0) return -1;
        const handle = 0x1000 + 4 * Atomics.add(r.words, 0, 1);
        const slot: SharedSlot = { handle, ...s };
        FIELDS.forEach((f, k) => (r.words[at(free) + k] = slot[f]));
        return handle;
      }),
    lookup: (handle: number): SharedSlot | undefined =>
      locked(() => {
        const i = find(handle);
        if (i < 0 || handle === 0) return undefined;
        return Object.fromEntries(FIELDS.map((f, k) => [f, r.words[at(i) + k]!])) as unknown as SharedSlot;
      }),
    /** Sets bits in a slot's flags (e.g. SD_SEND done), as another thread's call would. */
    setFlags: (handle: number, bits: number): boolean =>
      locked(() => {
        const i = find(handle);
        if (i < 0) return false;
        r.words[at(i) + 5]! |= bits;
        return true;
      }),
    remove: (handle: number): boolean =>
      locked(() => {
        const i = find(handle);
        if (i < 0 || handle === 0) return false;
        r.words.fill(0, at(i), at(i) + SLOT_WORDS);
        return true;
      }),
  };
}
