// The process-wide handle table. In Winsock a SOCKET is the process's: valid
// in every thread, and WSAStartup's count is one per process. Node runs each
// worker_thread with its own copy of this library, so the table cannot be a
// JavaScript object: it is a block of native memory (native-bindings/
// process-memory.ts) that every copy maps, laid out as a header and fixed
// slots of 32-bit words, one slot per open socket.
//
// - A slot holds what every thread must agree on: the socket's kind, and the
//   backend's Winsock state (posix.ts: descriptor, shutdown flags, linger,
//   timeouts, the remembered reset...; win32.ts: the SOCKET and its FIONBIO
//   mode). A thread works on a socket through a record of its own (a view:
//   accessors over the slot's words) plus what only that thread can hold (its
//   readiness watch on its own loop).
// - Handles are never reused: a handle is its slot's number and the slot's
//   generation, which grows every time the slot is freed. A closed handle
//   (closed by any thread) then answers WSAENOTSOCK everywhere, never reaching
//   the socket that reuses its slot. Handles are multiples of 4 from 0x1000,
//   as Windows' kernel handles are.
// - Threads learn of a close in two ways: every lookup checks the slot's
//   generation (exact, at the next call), and a BroadcastChannel tells the
//   threads that are on their loop, so that operations pending there settle
//   (995) and their watches go.
// - Slots are taken and freed without a lock: the free list is a stack whose
//   head (slot and a tag, one 32-bit word) moves by compare-and-swap. A lock
//   would be held by a thread that a Worker's terminate() can stop at any
//   instruction (no finally runs), leaving every other thread spinning for
//   ever; a stopped compare-and-swap loop at worst loses the one slot it had
//   taken. Every other word is read and written plainly:
//   like Winsock itself, the library does not order two threads' calls on one
//   socket; each call sees the state the last finished call left.
// - A copy of a different layout (another version of the library in the same
//   process) uses another name, so it keeps a table of its own.
import koffi from 'koffi';
import { processMemory } from '../native-bindings/process-memory.js';
import type { SockBase } from './backends/backend.js';

const LAYOUT = 4;
const NAME = `WINSOCK_COMPAT_TABLE_${LAYOUT}`;

/** Words per slot. The table's own: GEN, STATE, NEXT, KIND, SEQ; the backend's: BACKEND_WORDS to BACKEND_END. */
export const SLOT_WORDS = 32;
export const GEN = 0;
const STATE = 1; // FREE, RESERVED (socket() under way) or LIVE
const FREE = 0;
const RESERVED = 1;
const LIVE = 2;
const NEXT = 2; // free list: the next free slot + 1
const KIND = 3; // af | type << 8 | protocol << 16
/** The first word of a slot a backend may use; it owns the words up to BACKEND_END. */
export const BACKEND_WORDS = 4;
export const BACKEND_END = SLOT_WORDS - 1;
const SEQ = BACKEND_END; // the order of creation: keys() lists the oldest socket first

/** Slots in the table: the most sockets open at once in the process (socket() answers WSAEMFILE beyond). */
export const CAPACITY = 1 << 18;
const SLOT_BITS = 2 ** 18;

// Header words.
const H_STARTUPS = 0;
const H_HIGH = 1; // slots ever used
const H_FREE = 2; // the free list's head: the first free slot + 1 (0 when none) in the low FREE_BITS, a tag that every change bumps above
const H_BLOCKED = 4;
const H_SEQ = 5; // sockets made so far (SEQ's source)
const H_COPIES = 6; // copies of the library that mapped the table (see shared())
const H_WAITERS = 16; // WAITERS entries of E words: the entry's wake-up + 1 (made once, never closed), the slot its wait is on + 1, claimed (1) or free (0)
const E = 3;
/** Blocking waits at one time that another thread's closesocket can interrupt. */
export const WAITERS = 120;
const H_WORDS = H_WAITERS + E * WAITERS + 16;
const BYTES = 4 * (H_WORDS + SLOT_WORDS * CAPACITY);

/** The table's memory as seen by this copy of the library. */
export const words: Int32Array = open();

function open(): Int32Array {
  // No backend on this platform (the first call throws, naming the supported
  // ones: backends/select.ts); a table that can hold nothing keeps the import working.
  if (process.platform !== 'linux' && process.platform !== 'win32') return new Int32Array(H_WORDS);
  const m = processMemory();
  // The value is "<identity>:<address>": a child process inherits the
  // environment, and only a value this process wrote points into its memory.
  const mine = (v: string | null): bigint | null => (v?.startsWith(`${m.identity}:`) ? BigInt(v.slice(m.identity.length + 1)) : null);
  let address = mine(m.getenv(NAME));
  if (address === null) {
    address = m.exclusive(() => {
      const again = mine(m.getenv(NAME));
      if (again !== null) return again;
      const p = m.alloc(BYTES);
      if (p === 0n) throw new Error(`winsock-compat: cannot allocate the process's handle table (${BYTES} bytes)`);
      m.setenv(NAME, `${m.identity}:0x${p.toString(16)}`);
      return p;
    });
  }
  const w = new Int32Array(koffi.view(address, BYTES));
  Atomics.add(w, H_COPIES, 1);
  return w;
}

// The tag makes a compare-and-swap fail if the list changed meanwhile, even
// back to the same first slot (13 bits: a thread would have to stall across
// exactly a multiple of 8,192 changes for it to pass wrongly). One 32-bit
// word, not a BigInt64Array: a BigInt per operation cost flat churn a third.
const FREE_BITS = 19; // CAPACITY + 1 fits
const FREE_MASK = (1 << FREE_BITS) - 1;
const withTag = (old: number, top: number): number => (((old >>> FREE_BITS) + 1) << FREE_BITS) | top | 0;

// --- the start-up count ---------------------------------------------------------
// A plain read: every call asks, and the count only changes through the Atomics below.
export const startups = (): number => words[H_STARTUPS]!;
/** Adds one; returns the count before. */
export const startupAdd = (): number => Atomics.add(words, H_STARTUPS, 1);
/** Takes one; returns the count before. */
export const startupSub = (): number => Atomics.sub(words, H_STARTUPS, 1);

// --- handles and slots ----------------------------------------------------------
/** A slot taken for a new socket, before its backend record exists. */
export interface Slot {
  readonly handle: number;
  /** The first word of the slot in `words`. */
  readonly base: number;
}

const baseOf = (slot: number): number => H_WORDS + slot * SLOT_WORDS;

/** The generation word is read unsigned: 2^32 generations per slot before a handle number comes back. */
function handleOf(slot: number, gen: number): number {
  return 0x1000 + 4 * ((gen >>> 0) * SLOT_BITS + slot);
}

/** The slot number a handle names, or -1 for a number that is no handle of ours. */
function slotOf(h: number): number {
  const n = (h - 0x1000) / 4;
  if (!Number.isInteger(n) || n < 0 || n >= Number.MAX_SAFE_INTEGER / 4) return -1;
  return n % SLOT_BITS;
}

/** The first word of the slot `h` names while the slot is in `state` under that very handle, else -1. */
function slotIn(h: number, state: number): number {
  const slot = slotOf(h);
  if (slot < 0) return -1;
  const b = baseOf(slot);
  return words[b + STATE] === state && handleOf(slot, words[b + GEN]!) === h ? b : -1;
}

/** The slot's first word when `h` is a live handle (of any thread), else -1. */
const liveBase = (h: number): number => slotIn(h, LIVE);

/** True while `rec`'s slot still holds the live socket it was made for (two reads: every call asks). */
const current = (rec: SockBase): boolean => words[rec.base + STATE] === LIVE && words[rec.base + GEN] === rec.gen;

/** True while `h` names an open socket (opened by any thread). */
const isLive = (h: number): boolean => liveBase(h) >= 0;

/** Takes a free slot for a new socket; undefined when the table is full. */
export function reserve(): Slot | undefined {
  let slot = -1;
  for (;;) {
    const old = Atomics.load(words, H_FREE);
    const top = old & FREE_MASK;
    if (top === 0) break;
    // Read before the swap: if another thread took the slot meanwhile, the tag moved and the swap fails.
    const next = Atomics.load(words, baseOf(top - 1) + NEXT);
    if (Atomics.compareExchange(words, H_FREE, old, withTag(old, next)) === old) {
      slot = top - 1;
      break;
    }
  }
  while (slot < 0) {
    const high = Atomics.load(words, H_HIGH);
    if (high >= CAPACITY) return undefined;
    if (Atomics.compareExchange(words, H_HIGH, high, high + 1) === high) slot = high;
  }
  const b = baseOf(slot);
  // The backend's words start zeroed, whatever the slot's last socket left.
  words.fill(0, b + KIND, b + SLOT_WORDS);
  words[b + SEQ] = shared() ? Atomics.add(words, H_SEQ, 1) : (words[H_SEQ] = words[H_SEQ]! + 1) - 1;
  words[b + STATE] = RESERVED;
  return { handle: handleOf(slot, words[b + GEN]!), base: b };
}

/**
 * Frees the slot of handle `h`: its handle is dead in every thread from now
 * on. False when another thread freed it first (two closes at once): the
 * slot must go on the free list once, or two later sockets would share it.
 */
function free(b: number, h: number): boolean {
  const slot = (b - H_WORDS) / SLOT_WORDS;
  const gen = Math.floor((h - 0x1000) / 4 / SLOT_BITS) | 0;
  // A new generation first: a thread that reads the slot from here on sees the handle gone.
  if (Atomics.compareExchange(words, b + GEN, gen, (gen + 1) | 0) !== gen) return false;
  words[b + STATE] = FREE;
  for (;;) {
    const old = Atomics.load(words, H_FREE);
    Atomics.store(words, b + NEXT, old & FREE_MASK);
    if (Atomics.compareExchange(words, H_FREE, old, withTag(old, slot + 1)) === old) return true;
  }
}

/** Gives a reserved slot back (socket() or accept() failed before the handle was handed out). */
export function release(s: Slot): void {
  free(s.base, s.handle);
}

/** Records the socket's kind (as the backend settled it: socket() resolves type 0 and AF_UNSPEC). */
export function setKind(base: number, af: number, type: number, protocol: number): void {
  words[base + KIND] = (af & 0xff) | ((type & 0xff) << 8) | ((protocol & 0xffff) << 16);
}

/** The socket's kind, for a thread that meets the handle for the first time. */
function kindOf(base: number): { af: number; type: number; protocol: number } {
  const k = words[base + KIND]!;
  return { af: k & 0xff, type: (k >> 8) & 0xff, protocol: (k >>> 16) & 0xffff };
}

/**
 * What every backend's record starts with: the socket's handle, its slot, its
 * kind and the slot's generation when the record was made (the table's check
 * that the handle is still this socket). Backends extend it with accessors
 * over their words of the slot (posix-sock.ts, win32-sock.ts).
 */
export class SlotView implements SockBase {
  readonly af: number;
  readonly type: number;
  readonly protocol: number;
  readonly gen: number;

  constructor(
    readonly handle: number,
    readonly base: number,
  ) {
    ({ af: this.af, type: this.type, protocol: this.protocol } = kindOf(base));
    this.gen = words[base + GEN]!;
  }

  /** False once the handle was closed, by any thread. */
  alive(): boolean {
    return isLive(this.handle);
  }

  /**
   * True while the slot still holds this handle. Once another thread closed
   * it, the slot may already hold the next socket's state: a call still under
   * way here (a lingering closesocket, a wait) must then see a closed record
   * (fd -1, nothing set), never read or write that other socket's words.
   */
  protected own(): boolean {
    return words[this.base + GEN] === this.gen;
  }
}

// --- the table as one thread sees it --------------------------------------------
/** Makes this thread's record for a live socket another thread created (the backend's view over the slot). */
export type Attach<S extends SockBase> = (handle: number, base: number) => S;
/** Called when a handle this thread holds a record for was closed by another thread. */
export type Forget<S extends SockBase> = (rec: S) => void;

/**
 * The handle table with a Map's shape (get/has/set/delete/keys/values/clear),
 * answering for the whole process: `get` finds a socket whatever thread made
 * it, `delete` frees it for every thread. This thread's records are cached;
 * every `get` checks its slot still holds the handle.
 */
export class HandleTable<S extends SockBase = SockBase> {
  private readonly mine = new Map<number, S>();
  private channel: BroadcastChannel | null = null;
  private attach: Attach<S> | null = null;
  private forget: Forget<S> = () => {};
  private gone: (h: number) => void = () => {};

  /** Set once by api.ts: how the backend makes and drops records, and who is told of a handle gone. */
  init(attach: Attach<S>, forget: Forget<S>, gone: (h: number) => void): void {
    this.attach = attach;
    this.forget = forget;
    this.gone = gone;
  }

  get(h: number): S | undefined {
    const rec = this.mine.get(h);
    if (rec !== undefined) {
      // The record knows its slot and generation: two reads, no handle arithmetic (every call comes here).
      if (current(rec)) return rec;
      this.drop(h, rec);
      return undefined;
    }
    if (this.attach === null) return undefined;
    const b = liveBase(h);
    if (b < 0) return undefined;
    const made = this.attach(h, b);
    this.mine.set(h, made);
    this.listen();
    return made;
  }

  /**
   * `rec` when it is still the live record of `h` (two reads: no lookup), else
   * get(h). For callers that keep records between calls (WSAPoll keeps its
   * entries with the program's fds array).
   */
  recheck(h: number, rec: S | undefined): S | undefined {
    if (rec !== undefined && rec.handle === h && current(rec)) return rec;
    return this.get(h);
  }

  has(h: number): boolean {
    return this.get(h) !== undefined;
  }

  /** Publishes the record of a reserved slot: the handle is live for every thread. */
  set(h: number, rec: S): this {
    const b = slotIn(h, RESERVED);
    if (b >= 0) words[b + STATE] = LIVE;
    this.mine.set(h, rec);
    this.listen();
    return this;
  }

  /** Frees the handle for every thread (its descriptor is already closed or moved). */
  delete(h: number): boolean {
    const b = liveBase(h);
    this.mine.delete(h);
    if (b < 0 || !free(b, h)) return false;
    // Only another copy of the library can hold a record of it (a message costs microseconds: flat churn closes two sockets a cycle).
    if (shared()) this.channel?.postMessage(h);
    return true;
  }

  /** Every live handle of the process, the oldest socket first (as a Map keeps insertion order). */
  *keys(): IterableIterator<number> {
    const high = words[H_HIGH]!;
    const live: Array<[number, number]> = [];
    for (let slot = 0; slot < high; slot++) {
      const b = baseOf(slot);
      if (words[b + STATE] === LIVE) live.push([words[b + SEQ]!, handleOf(slot, words[b + GEN]!)]);
    }
    live.sort((x, y) => x[0] - y[0]);
    for (const [, h] of live) yield h;
  }

  *values(): IterableIterator<S> {
    for (const h of this.keys()) {
      const rec = this.get(h);
      if (rec) yield rec;
    }
  }

  get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }

  /** This thread's records for handles that are gone, dropped (their watches, their pending operations). */
  private drop(h: number, rec: S): void {
    this.mine.delete(h);
    this.forget(rec);
    this.gone(h);
  }

  /** Joins the channel on which threads announce closed handles (once this thread holds a record). */
  private listen(): void {
    if (this.channel) return;
    const c = new BroadcastChannel(NAME);
    c.onmessage = (ev: MessageEvent) => {
      const h = ev.data as number;
      const rec = this.mine.get(h);
      if (rec !== undefined && liveBase(h) < 0) this.drop(h, rec);
    };
    // Only a pending operation keeps the program alive, never the table.
    (c as unknown as { unref(): void }).unref();
    this.channel = c;
  }
}

// --- threads blocked on a socket --------------------------------------------------
// Winsock: closesocket cancels the blocking calls other threads have pending
// on the socket. A thread blocked in the backend's wait must be woken to see
// that (on Linux a descriptor closed by another thread does not wake poll(),
// and the poll keeps the socket alive until it returns). While it waits, a
// thread claims a header entry, which holds a wake-up (an eventfd on Linux),
// and lists the socket there; the closing thread wakes every entry of that
// socket. An entry's wake-up is made once and never closed, so a closing
// thread can never write to a descriptor that was closed (and its number
// reused) meanwhile; at most WAITERS of them exist in the process. No lock:
// a Worker's terminate() can stop a thread at any instruction (no finally
// runs), and a lock it held would stop every other thread. Only a process
// where more than one copy of the library runs (Workers) needs this: `shared()`.

/** True once a second copy of the library (another thread's, or ESM beside CJS) mapped the table. */
export const shared = (): boolean => words[H_COPIES]! > 1;

/**
 * Claims an entry for a wait on `h`; returns it, or -1 when all are taken (the
 * wait is then not interruptible). `make()` makes the entry's wake-up the
 * first time the entry is used (-1 if it cannot).
 */
export function addWaiter(h: number, make: () => number): number {
  for (let i = 0; i < WAITERS; i++) {
    const at = H_WAITERS + E * i;
    if (Atomics.compareExchange(words, at + 2, 0, 1) !== 0) continue;
    if (Atomics.load(words, at) === 0) {
      const fd = make();
      if (fd < 0) return (Atomics.store(words, at + 2, 0), -1);
      Atomics.store(words, at, fd + 1);
    }
    Atomics.store(words, at + 1, slotOf(h) + 1);
    Atomics.add(words, H_BLOCKED, 1);
    return i;
  }
  return -1;
}

/** The wake-up descriptor of a claimed entry. */
export const waiterFd = (entry: number): number => Atomics.load(words, H_WAITERS + E * entry) - 1;

/** Gives a claimed entry back (its wake-up stays, for the next wait). */
export function removeWaiter(entry: number): void {
  const at = H_WAITERS + E * entry;
  Atomics.store(words, at + 1, 0);
  Atomics.sub(words, H_BLOCKED, 1);
  Atomics.store(words, at + 2, 0);
}

/** Calls `wake(fd)` for the wake-up of every wait listed on `h` (none, at the cost of one read, when nothing waits). */
export function wakeWaitersOn(h: number, wake: (fd: number) => void): void {
  if (Atomics.load(words, H_BLOCKED) === 0) return;
  const want = slotOf(h) + 1;
  for (let i = 0; i < WAITERS; i++) {
    const at = H_WAITERS + E * i;
    if (Atomics.load(words, at + 1) === want) wake(Atomics.load(words, at) - 1);
  }
}
