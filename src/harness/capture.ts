// Wire capture on the loopback interface without libpcap: an AF_PACKET raw
// socket opened through koffi, read on Node's own event loop, decoded into TCP
// segments. This is how the harness *sees* FIN and RST instead of inferring them
// from return values.
//
// Why these choices:
// - AF_PACKET/SOCK_RAW bound to one interface gets every frame with its 14-byte
//   Ethernet header (all zero addresses on `lo`), so a pcap file with link type
//   Ethernet can be written byte for byte.
// - Loopback shows each packet twice: once leaving (sll_pkttype PACKET_OUTGOING)
//   and once arriving (PACKET_HOST). We keep only the outgoing copy, and a small
//   classic-BPF program does that in the kernel so the duplicate never occupies
//   the socket's receive queue.
// - The fd is nonblocking and watched with koffi.node.poll (libuv's uv_poll on
//   Node's loop): no thread is parked in recvfrom. stop() drains synchronously,
//   because packets emitted by a syscall on loopback are already queued when it
//   returns and a test wants them without another turn of the loop.
// - The packet's time is the kernel's receive stamp (SIOCGSTAMP), not the time
//   JavaScript got round to reading it: a blocking closesocket (linger {1,N})
//   stalls the loop, yet its RST still carries the real time it left.
import koffi from 'koffi';
import { writeFileSync } from 'node:fs';
import { C, E, L, errno, sockaddr_ll } from './sys.js';
import {
  decodeFrame,
  ETH_HLEN,
  formatSegment,
  frameWireLength,
  linkTypeOfHatype,
  RelativeNumbering,
  type LinkType,
  type Segment,
} from './decode.js';
import { findSegments, segmentMatches, type SegmentMatch } from './match.js';
import { pcapBytes } from './pcap.js';

// The capture's pieces live in their own files (decode, match, pcap); they are
// re-exported here so `import { ... } from './capture.js'` keeps working.
export * from './decode.js';
export * from './match.js';
export * from './pcap.js';

export interface CaptureOptions {
  /** Interface to capture on (default `lo`). */
  interface?: string;
  /**
   * Keep only the outgoing copy of each frame (default: true on `lo`, where
   * every packet is seen leaving and arriving; false elsewhere, where the
   * incoming frames are the only copy of the peer's packets).
   */
  outgoingOnly?: boolean;
  /** Keep only segments with one of these ports at either end (more can be added with `addPorts`). */
  ports?: number[];
  /** Bytes kept of each frame (default 65535 + 14); the TCP length is still exact. */
  snaplen?: number;
  /** Receive buffer asked for the capture socket (default 32 MiB; root may exceed rmem_max). */
  bufferBytes?: number;
}

/** Thrown when the process may not open a packet socket (no CAP_NET_RAW) or is not on Linux. */
export class CaptureUnavailableError extends Error {
  constructor(
    message: string,
    readonly errno?: number,
  ) {
    super(message);
    this.name = 'CaptureUnavailableError';
  }
}

interface Frame {
  tsSec: number;
  tsUsec: number;
  origLen: number;
  data: Buffer;
}

const PACKET_OUTGOING = 4;
const SIOCGSTAMP = 0x8906;
const SO_ATTACH_FILTER = 26;
const SO_RCVBUFFORCE = 33;
const PACKET_STATISTICS = 6;

const htons = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);

/**
 * A classic BPF program keeping only PACKET_OUTGOING frames, cut to `snaplen`:
 *   ld  [SKF_AD_OFF + SKF_AD_PKTTYPE]   ; ancillary load of skb->pkt_type
 *   jeq #4, keep, drop
 *   keep: ret #snaplen
 *   drop: ret #0
 */
function captureFilter(snaplen: number, outgoingOnly: boolean): Buffer {
  const insns: [number, number, number, number][] = outgoingOnly
    ? [
        [0x20, 0, 0, 0xfffff004], // BPF_LD|BPF_W|BPF_ABS, SKF_AD_OFF(-0x1000) + SKF_AD_PKTTYPE(4)
        [0x15, 0, 1, PACKET_OUTGOING], // BPF_JMP|BPF_JEQ|BPF_K
        [0x06, 0, 0, snaplen], // BPF_RET|BPF_K
        [0x06, 0, 0, 0],
      ]
    : [[0x06, 0, 0, snaplen]]; // every frame, cut to snaplen
  const b = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    b.writeUInt16LE(code, i * 8);
    b.writeUInt8(jt, i * 8 + 2);
    b.writeUInt8(jf, i * 8 + 3);
    b.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return b;
}

/** Can this process capture? `{ ok: false, reason }` says why not in one line. */
export function captureAvailability(iface = 'lo'): { ok: true } | { ok: false; reason: string } {
  try {
    startCapture({ interface: iface }).stop();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Open a capture on `lo` (or `opts.interface`). Throws CaptureUnavailableError without CAP_NET_RAW. */
export function startCapture(opts: CaptureOptions = {}): Capture {
  return new Capture(opts);
}

export class Capture {
  readonly interface: string;
  readonly snaplen: number;
  readonly outgoingOnly: boolean;
  /** Capture start, seconds since the epoch (for relative times). */
  readonly startedAt: number;
  private fd: number;
  private poller: ReturnType<typeof koffi.node.poll> | null = null;
  private readonly frames: Frame[] = [];
  private readonly segs: Segment[] = [];
  private readonly numbering = new RelativeNumbering();
  private ports: Set<number> | null;
  private readonly buf: Buffer;
  private readonly from = Buffer.alloc(koffi.sizeof(sockaddr_ll));
  private readonly fromLen = Buffer.alloc(4);
  private readonly stamp = Buffer.alloc(16);
  private waiters: { m: SegmentMatch; resolve: (s: Segment) => void }[] = [];
  private stopped = false;
  /** What precedes the IP header in this interface's frames (from the first frame's sll_hatype). */
  private link: LinkType | undefined;
  /**
   * read: frames read; kept: segments kept; ignored: incoming copies; notTcp: frames that are not TCP; otherPorts:
   * TCP on ports not asked for; errors: socket errors the kernel reported (ENETDOWN when the
   * interface went down), after which reading went on.
   */
  readonly counts = { read: 0, kept: 0, ignored: 0, notTcp: 0, otherPorts: 0, errors: 0 };
  /** The last socket error reported (errno), if any. */
  lastError: number | undefined;

  constructor(opts: CaptureOptions = {}) {
    if (process.platform !== 'linux') throw new CaptureUnavailableError('packet capture needs Linux (AF_PACKET)');
    this.interface = opts.interface ?? 'lo';
    this.outgoingOnly = opts.outgoingOnly ?? this.interface === 'lo';
    this.snaplen = opts.snaplen ?? 65535 + ETH_HLEN;
    this.ports = opts.ports?.length ? new Set(opts.ports) : null;
    this.buf = Buffer.alloc(this.snaplen);
    const ifindex = C.if_nametoindex(this.interface);
    if (!ifindex) throw new CaptureUnavailableError(`no interface named ${this.interface}`);
    // Protocol 0 at creation: the socket receives nothing until bind() names
    // ETH_P_ALL, so no frame slips in before the filter is attached.
    const fd = C.socket(L.AF_PACKET, L.SOCK_RAW | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0);
    if (fd < 0) {
      const e = errno();
      throw new CaptureUnavailableError(
        e === 1 || e === 13
          ? 'packet capture needs CAP_NET_RAW (run as root or inside `unshare -rn`)'
          : `socket(AF_PACKET) failed, errno ${e}`,
        e,
      );
    }
    this.fd = fd;
    try {
      const size = Buffer.alloc(4);
      size.writeInt32LE(opts.bufferBytes ?? 32 << 20);
      // SO_RCVBUFFORCE passes rmem_max with CAP_NET_ADMIN; otherwise take what SO_RCVBUF grants.
      if (C.setsockopt(fd, L.SOL_SOCKET, SO_RCVBUFFORCE, size, 4) !== 0) C.setsockopt(fd, L.SOL_SOCKET, L.SO_RCVBUF, size, 4);
      const prog = captureFilter(this.snaplen, this.outgoingOnly);
      const fprog = Buffer.alloc(16); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
      fprog.writeUInt16LE(prog.length / 8, 0);
      fprog.writeBigUInt64LE(koffi.address(prog), 8);
      if (C.setsockopt(fd, L.SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16) !== 0) {
        throw new CaptureUnavailableError(`SO_ATTACH_FILTER failed, errno ${errno()}`);
      }
      // Ask for a timestamp once before any packet arrives: this turns on the
      // kernel's packet timestamping (net_enable_timestamp). Until it is on,
      // frames carry no stamp and SIOCGSTAMP answers the time of the read,
      // which would date the first packets too late. (ENOENT here is expected.)
      C.ioctl(fd, SIOCGSTAMP, this.stamp);
      const sll = Buffer.alloc(koffi.sizeof(sockaddr_ll));
      sll.writeUInt16LE(L.AF_PACKET, 0);
      sll.writeUInt16LE(htons(L.ETH_P_ALL), 2); // stored as-is: the field is big-endian
      sll.writeInt32LE(ifindex, 4);
      if (C.bind(fd, sll, sll.length) !== 0)
        throw new CaptureUnavailableError(`bind(AF_PACKET, ${this.interface}) failed, errno ${errno()}`);
    } catch (e) {
      C.close(fd);
      throw e;
    }
    this.startedAt = Date.now() / 1000;
    // koffi.node.poll aborts the process on a bad fd: this one was just opened
    // and bound above, so it is a live packet socket.
    try {
      this.poller = koffi.node.poll(this.fd, { readable: true }, (() => this.drain()) as never);
    } catch (e) {
      C.close(fd); // a capture that failed to start must not leak its packet socket
      this.fd = -1;
      throw e;
    }
    // The capture alone must not keep a process (or a vitest worker) alive.
    this.poller.unref();
  }

  /** Keep segments with these ports too (useful once ephemeral ports are known). */
  addPorts(...ports: number[]): this {
    if (this.ports) for (const p of ports) this.ports.add(p);
    return this;
  }

  /** Read every frame queued now, without blocking. Returns how many were read. */
  drain(): number {
    if (this.fd < 0) return 0;
    let n = 0;
    let errorsInARow = 0;
    for (;;) {
      this.fromLen.writeUInt32LE(this.from.length);
      const got = Number(C.recvfrom(this.fd, this.buf, this.buf.length, L.MSG_TRUNC, this.from, this.fromLen));
      if (got < 0) {
        const e = errno();
        if (e === E.EINTR) continue;
        if (e === E.EAGAIN) break;
        // A pending socket error (ENETDOWN when the interface goes down) is
        // reported once, by the next read, *ahead of* the frames still queued:
        // note it and read on, or stop() would close those frames away.
        this.counts.errors++;
        this.lastError = e;
        if (++errorsInARow > 4) break; // not a one-off: nothing more to read now
        continue;
      }
      errorsInARow = 0;
      n++;
      this.counts.read++;
      // The in-kernel filter already dropped incoming copies; check again in
      // case the filter could not apply (keeps one copy either way).
      if (this.outgoingOnly && this.from[10] !== PACKET_OUTGOING) {
        this.counts.ignored++;
        continue;
      }
      let tsSec: number;
      let tsUsec: number;
      if (C.ioctl(this.fd, SIOCGSTAMP, this.stamp) === 0) {
        tsSec = Number(this.stamp.readBigInt64LE(0));
        tsUsec = Number(this.stamp.readBigInt64LE(8));
      } else {
        const now = Date.now();
        tsSec = Math.floor(now / 1000);
        tsUsec = (now % 1000) * 1000;
      }
      const caplen = Math.min(got, this.buf.length);
      // sockaddr_ll.sll_hatype: an Ethernet header precedes IP on lo and Ethernet
      // devices, nothing on tun/WireGuard/ipip devices.
      const link = linkTypeOfHatype(this.from.readUInt16LE(8));
      const raw = link && decodeFrame(this.buf.subarray(0, caplen), tsSec + tsUsec / 1e6, link);
      if (!raw) {
        // Not TCP (UDP of other programs, ARP): counted apart, like other ports,
        // so that `ignored` stays a check on the one-copy rule.
        this.counts.notTcp++;
        continue;
      }
      if (this.ports && !this.ports.has(raw.srcPort) && !this.ports.has(raw.dstPort)) {
        // Other traffic on lo (other tests, other programs): counted apart so
        // that `ignored` stays a check on the one-copy rule.
        this.counts.otherPorts++;
        continue;
      }
      const seg = this.numbering.apply(raw);
      this.segs.push(seg);
      const data = Buffer.from(this.buf.subarray(0, caplen));
      this.link ??= link;
      this.frames.push({ tsSec, tsUsec, origLen: frameWireLength(data, got, link), data });
      this.counts.kept++;
      if (this.waiters.length) {
        this.waiters = this.waiters.filter((w) => {
          if (!segmentMatches(seg, w.m)) return true;
          w.resolve(seg);
          return false;
        });
      }
    }
    return n;
  }

  /** Segments kept so far (drains first). */
  get segments(): readonly Segment[] {
    this.drain();
    this.orderTimes();
    return this.segs;
  }

  /**
   * Queue order is the true order (loopback taps one packet at a time). A
   * frame that reached the tap before the kernel's timestamping was on gets
   * the time of our read instead, i.e. too late; so no frame may be later
   * than the one after it: pull such times back to their successor's.
   */
  private orderTimes(): void {
    for (let i = this.segs.length - 2; i >= 0; i--) {
      const next = this.frames[i + 1]!;
      const f = this.frames[i]!;
      if (f.tsSec > next.tsSec || (f.tsSec === next.tsSec && f.tsUsec > next.tsUsec)) {
        f.tsSec = next.tsSec;
        f.tsUsec = next.tsUsec;
        this.segs[i]!.time = this.segs[i + 1]!.time;
      }
    }
  }

  /** Segments kept so far that match `m`, from index `since` on (see `mark()`). */
  find(m: SegmentMatch, since = 0): Segment[] {
    return findSegments(this.segments.slice(since), m);
  }

  /** The index the next segment will get: pass it as `since` to look only at what comes after now. */
  mark(): number {
    return this.segments.length;
  }

  /**
   * Resolve with the first segment matching `m` (already kept at index >= `since`,
   * or arriving later); reject after `timeoutMs` with the segments seen.
   */
  waitFor(m: SegmentMatch, timeoutMs = 2000, since = 0): Promise<Segment> {
    const seen = this.find(m, since)[0];
    if (seen) return Promise.resolve(seen);
    if (this.stopped) return Promise.reject(new Error('capture stopped'));
    return new Promise((resolve, reject) => {
      // Poll as well as wait for the uv_poll callback: a blocked JS thread
      // elsewhere in the test may have delayed the callback.
      const tick = setInterval(() => this.drain(), 20);
      const timer = setTimeout(() => {
        clearInterval(tick);
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no segment matching ${JSON.stringify(m)} within ${timeoutMs} ms; saw:\n${this.describe()}`));
      }, timeoutMs);
      const done = (s: Segment): void => {
        clearTimeout(timer);
        clearInterval(tick);
        resolve(s);
      };
      this.waiters.push({ m, resolve: done });
    });
  }

  /** Wait until no new segment has arrived for `quietMs` (at most `maxMs`). Lets ACKs and timers land. */
  async settle(quietMs = 50, maxMs = 2000): Promise<void> {
    const end = Date.now() + maxMs;
    let last = this.segments.length;
    let quietSince = Date.now();
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
      const n = this.segments.length;
      if (n !== last) {
        last = n;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) return;
    }
  }

  /** The kernel's count of frames dropped for lack of buffer (PACKET_STATISTICS; resets when read). */
  kernelDrops(): number {
    if (this.fd < 0) return 0;
    const st = Buffer.alloc(8); // struct tpacket_stats { unsigned tp_packets, tp_drops; }
    const len = Buffer.alloc(4);
    len.writeUInt32LE(8);
    return C.getsockopt(this.fd, L.SOL_PACKET, PACKET_STATISTICS, st, len) === 0 ? st.readUInt32LE(4) : 0;
  }

  /** Drain what is pending, close the socket and return every kept segment. Idempotent. */
  stop(): Segment[] {
    if (!this.stopped) {
      this.drain();
      this.orderTimes();
      this.stopped = true;
      // Close the uv poll handle before the fd: libuv must not watch a closed
      // (and possibly recycled) descriptor.
      this.poller?.close();
      this.poller = null;
      C.close(this.fd);
      this.fd = -1;
    }
    return [...this.segs];
  }

  /** Write the kept frames as a libpcap file (readable by tshark/Wireshark). */
  writePcap(path: string): void {
    this.drain();
    this.orderTimes();
    writeFileSync(path, pcapBytes(this.frames, this.snaplen, this.link ?? 'ethernet'));
  }

  /** Multi-line listing of the kept segments (for failure messages). */
  describe(): string {
    const segs = this.segs;
    return segs.length ? segs.map((s) => '  ' + formatSegment(s, segs[0]!.time)).join('\n') : '  (no segments)';
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}
