// The POSIX backend's record of a socket: a view over the socket's slot in the
// process-wide handle table (src/shared-table.ts), so that every thread that
// uses the SOCKET sees one Winsock state: a shutdown made in one thread is
// WSAESHUTDOWN in another, a reset remembered by one is reported by all.
// Only the readiness watch is this thread's own: it lives on this thread's loop.
import type { Linger } from '../constants.js';
import { BACKEND_END, BACKEND_WORDS, shared, SlotView, words } from '../shared-table.js';
import type { Interest, Watch } from './watch.js';

// The slot's words this backend owns (from BACKEND_WORDS).
const FD = BACKEND_WORDS;
const FLAGS = FD + 1;
const BROKEN = FD + 2;
// The options an accepted socket inherits, in one run (see inheritOptions).
const L_ONOFF = FD + 3;
const L_LINGER = FD + 4;
const RCVTIMEO = FD + 5;
const SNDTIMEO = FD + 6;
const KEPT_HAS = FD + 7;
const KEPT = FD + 8; // KEPT_COUNT words
/** How many option values the record can keep (posix.ts numbers them). */
export const KEPT_COUNT = 6;
const OPTIONS_END = KEPT + KEPT_COUNT;
const PEER_LEN = OPTIONS_END;
const PEER = PEER_LEN + 1; // 7 words: a sockaddr_in6 is 28 bytes
const END = PEER + 7;

const NONBLOCKING = 1;
const LISTENING = 2;
const CONNECT_STARTED = 4;
const CONNECTED = 8;
const BOUND = 16;
const SHUT_SEND = 32;
const SHUT_RECV = 64;
const RECEIVE_RULE = 128;

// Linux's SO_RCVTIMEO / SO_SNDTIMEO, the keys posix.ts passes.
const LINUX_SO_RCVTIMEO = 20;

if (END > BACKEND_END) throw new Error('posix-sock: the record outgrew its slot');

export class PosixSock extends SlotView {
  /** This thread's readiness watch on the descriptor (watch.ts), made on first need. */
  watch: Watch | null = null;
  /** The SD_RECEIVE rule's interest on `watch`, if this thread holds it (see posix.ts shutdown). */
  rdShutWatch: Interest | null = null;

  private flag(bit: number): boolean {
    return this.own() && (words[this.base + FLAGS]! & bit) !== 0;
  }

  private setFlag(bit: number, on: boolean): void {
    if (!this.own()) return;
    // Atomic: another thread may be changing another flag of the same word at this moment.
    const i = this.base + FLAGS;
    // With one copy of the library no other thread writes the word: a plain
    // change (V8 does not inline Atomics on memory koffi maps: a call each).
    if (!shared()) words[i] = on ? words[i]! | bit : words[i]! & ~bit;
    else if (on) Atomics.or(words, i, bit);
    else Atomics.and(words, i, ~bit);
  }

  /** The Linux descriptor; -1 once closed. */
  get fd(): number {
    return this.own() ? words[this.base + FD]! : -1;
  }
  set fd(v: number) {
    if (this.own()) words[this.base + FD] = v;
  }
  /** The descriptor, taken for closing (fd reads -1 after): when two threads close at once, one gets it. */
  takeFd(): number {
    if (!this.own()) return -1;
    const i = this.base + FD;
    if (shared()) return Atomics.exchange(words, i, -1);
    const fd = words[i]!;
    words[i] = -1;
    return fd;
  }
  /**
   * Winsock's FIONBIO mode. The descriptor itself is always O_NONBLOCK, so a
   * blocking call is emulated (posix.ts waitReady): try, wait in poll()
   * (blocking the thread, as in C), try again.
   */
  get nonblocking(): boolean {
    return this.flag(NONBLOCKING);
  }
  set nonblocking(v: boolean) {
    this.setFlag(NONBLOCKING, v);
  }
  get listening(): boolean {
    return this.flag(LISTENING);
  }
  set listening(v: boolean) {
    this.setFlag(LISTENING, v);
  }
  /** connect() was called (it may still be in progress). */
  get connectStarted(): boolean {
    return this.flag(CONNECT_STARTED);
  }
  set connectStarted(v: boolean) {
    this.setFlag(CONNECT_STARTED, v);
  }
  /** The connection was established (connect/accept succeeded, or a nonblocking connect completed). */
  get connected(): boolean {
    return this.flag(CONNECTED);
  }
  set connected(v: boolean) {
    this.setFlag(CONNECTED, v);
  }
  /** bind, connect or sendto gave it a local address. */
  get bound(): boolean {
    return this.flag(BOUND);
  }
  set bound(v: boolean) {
    this.setFlag(BOUND, v);
  }
  get shutSend(): boolean {
    return this.flag(SHUT_SEND);
  }
  set shutSend(v: boolean) {
    this.setFlag(SHUT_SEND, v);
  }
  get shutRecv(): boolean {
    return this.flag(SHUT_RECV);
  }
  set shutRecv(v: boolean) {
    this.setFlag(SHUT_RECV, v);
  }
  /** The SD_RECEIVE rule is in force (data arriving resets), whichever thread watches for it. */
  get receiveRule(): boolean {
    return this.flag(RECEIVE_RULE);
  }
  set receiveRule(v: boolean) {
    this.setFlag(RECEIVE_RULE, v);
  }
  /** A failure every later send/recv repeats: WSAECONNRESET (peer) or WSAECONNABORTED (our own reset); 0 if none. */
  get broken(): number {
    return this.own() ? words[this.base + BROKEN]! : 0;
  }
  set broken(v: number) {
    if (this.own()) words[this.base + BROKEN] = v;
  }
  /** Winsock's view of SO_LINGER; the kernel's stays off so close() never blocks (see closesocket). */
  get linger(): Linger {
    return { l_onoff: words[this.base + L_ONOFF]!, l_linger: words[this.base + L_LINGER]! };
  }
  set linger(v: Linger) {
    if (!this.own()) return;
    words[this.base + L_ONOFF] = v.l_onoff;
    words[this.base + L_LINGER] = v.l_linger;
  }
  /** SO_RCVTIMEO / SO_SNDTIMEO (by Linux's option number) as the program set them: a DWORD of ms, 0 unset. */
  timeout(linuxOpt: number): number {
    return words[this.base + (linuxOpt === LINUX_SO_RCVTIMEO ? RCVTIMEO : SNDTIMEO)]! >>> 0;
  }
  setTimeout(linuxOpt: number, ms: number): void {
    if (this.own()) words[this.base + (linuxOpt === LINUX_SO_RCVTIMEO ? RCVTIMEO : SNDTIMEO)] = ms | 0;
  }
  /** Whether option value `k` (0..KEPT_COUNT-1, posix.ts's numbering) was kept. */
  keeps(k: number): boolean {
    return (words[this.base + KEPT_HAS]! & (1 << k)) !== 0;
  }
  /** Kept value `k`, 0 when none was kept. */
  kept(k: number): number {
    return words[this.base + KEPT + k]!;
  }
  keep(k: number, v: number): void {
    if (!this.own()) return;
    words[this.base + KEPT + k] = v;
    Atomics.or(words, this.base + KEPT_HAS, 1 << k);
  }
  /** Winsock: an accepted socket has the listener's options (linger, timeouts, the kept values). */
  inheritOptions(from: PosixSock): void {
    if (this.own()) words.copyWithin(this.base + L_ONOFF, from.base + L_ONOFF, from.base + OPTIONS_END);
  }
  /**
   * The peer as Linux sockaddr bytes: where connect() was asked to go, or who
   * accept() took; null when none. Decoded to text only when getpeername needs it.
   */
  get connectTo(): Uint8Array | null {
    const n = words[this.base + PEER_LEN]!;
    return n === 0 ? null : new Uint8Array(words.buffer, words.byteOffset + 4 * (this.base + PEER), n);
  }
  /** Records the first `len` bytes of `bytes` as the peer. */
  setPeer(bytes: Uint8Array, len: number): void {
    const n = Math.min(len, 28);
    if (!this.own()) return;
    new Uint8Array(words.buffer, words.byteOffset + 4 * (this.base + PEER), n).set(bytes.subarray(0, n));
    words[this.base + PEER_LEN] = n;
  }
  /** AcceptEx / DisconnectEx(TF_REUSE_SOCKET): this handle takes `from`'s socket and its whole Winsock state. */
  takeState(from: PosixSock): void {
    if (this.own()) words.copyWithin(this.base + FD, from.base + FD, from.base + END);
  }
}
