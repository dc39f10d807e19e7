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
import { C, E, L, errno, sockaddr_ll } from '../../native-bindings/libc.js';
import { isIP } from 'node:net';
import { AF_INET6 } from '../constants.js';
import { bytesToIp, ipToBytes } from '../sockaddr.js';

/** TCP flag bits as they appear in byte 13 of the TCP header (plus NS from byte 12). */
export const TCP_FLAGS = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  NS: 0x100,
} as const;
export type TcpFlag = keyof typeof TCP_FLAGS;
// Order used in `Segment.flags` strings (tcpdump's habit: SYN and FIN first).
const FLAG_ORDER: TcpFlag[] = ['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];

/**
 * One TCP segment as it left a socket.
 * Endpoints are strings `addr:port` (`127.0.0.1:40000`, `[::1]:40000`) so they
 * compare with `===` and print as-is; the parts are also given separately.
 */
export interface Segment {
  /** Kernel timestamp, seconds since the epoch (microsecond resolution). */
  time: number;
  src: string;
  dst: string;
  srcAddr: string;
  srcPort: number;
  dstAddr: string;
  dstPort: number;
  ipVersion: 4 | 6;
  /** Flags set, comma separated in a fixed order: `SYN`, `SYN,ACK`, `FIN,ACK`, `RST,ACK`, `PSH,ACK`. */
  flags: string;
  /** The same flags as a bit mask (TCP_FLAGS). */
  flagBits: number;
  /** Absolute sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** Payload bytes carried (from the IP length, so a truncated capture still counts them). */
  len: number;
  /** Advertised window, unscaled (as in the header). */
  window: number;
  /** Sequence number relative to this direction's first seen sequence (its SYN's), as Wireshark shows it. */
  relSeq: number;
  /** Acknowledgement relative to the other direction's first sequence; 0 when ACK is not set. */
  relAck: number;
}

/** Where a segment came from or went to: `addr:port` string, a port number, or a SockAddr-like object. */
export type EndpointSpec = string | number | { address: string; port: number };

/** A pattern for segments: every given field must hold. */
export interface SegmentMatch {
  from?: EndpointSpec;
  to?: EndpointSpec;
  /** These flags must all be set (`'FIN'`, `'SYN,ACK'`, `['RST']`). */
  flags?: string | string[];
  /** The flags must be exactly these. */
  exactFlags?: string | string[];
  /** None of these flags may be set. */
  withoutFlags?: string | string[];
  /** Payload length exactly this. */
  len?: number;
  /** Payload length at least this. */
  minLen?: number;
  /** Either endpoint has this port (or one of these ports). */
  port?: number | number[];
}

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
const ETH_HLEN = 14;

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

/** Format an address and port as the `addr:port` string segments use. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function flagsToString(bits: number): string {
  return FLAG_ORDER.filter((f) => bits & TCP_FLAGS[f]).join(',');
}

/** `'SYN,ACK'`, `'syn ack'`, `['SYN','ACK']` -> bit mask. Unknown names throw (a typo must not match everything). */
export function parseFlags(spec: string | string[]): number {
  const names = (Array.isArray(spec) ? spec : spec.split(/[\s,|+]+/)).map((s) => s.trim().toUpperCase()).filter(Boolean);
  let bits = 0;
  for (const n of names) {
    const v = (TCP_FLAGS as Record<string, number>)[n];
    if (v === undefined) throw new TypeError(`unknown TCP flag ${JSON.stringify(n)} (known: ${FLAG_ORDER.join(', ')})`);
    bits |= v;
  }
  return bits;
}

/**
 * What precedes the IP header in a captured frame: a 14-byte Ethernet header
 * (Ethernet devices and `lo`), or nothing (`raw`: tun, WireGuard, ipip, whose
 * packet sockets see the IP packet itself).
 */
export type LinkType = 'ethernet' | 'raw';

/** The link type of a frame from its sockaddr_ll's sll_hatype (ARPHRD_*); undefined for kinds not decoded. */
export function linkTypeOfHatype(hatype: number): LinkType | undefined {
  if (hatype === 1 || hatype === 772) return 'ethernet'; // ARPHRD_ETHER, ARPHRD_LOOPBACK
  if (hatype === 0xfffe || hatype === 519 || hatype === 768 || hatype === 769) return 'raw'; // NONE, RAWIP, TUNNEL, TUNNEL6
  return undefined;
}

/** pcap's LINKTYPE_* for a link type. */
const PCAP_LINKTYPE: Record<LinkType, number> = { ethernet: 1, raw: 101 };

/** Where the IP header starts and which IP it is (an Ethernet type: 0x0800, 0x86dd, or another). */
function ipStart(frame: Buffer, link: LinkType): { off: number; ethertype: number } | undefined {
  if (link === 'raw') {
    if (frame.length < 1) return undefined;
    const v = frame[0]! >> 4;
    return { off: 0, ethertype: v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0 };
  }
  return frame.length < ETH_HLEN ? undefined : { off: ETH_HLEN, ethertype: frame.readUInt16BE(12) };
}

/**
 * The frame's length on the wire, from its IP header: the in-kernel filter
 * trims a frame to `snaplen` before the socket sees it, so recvfrom's
 * MSG_TRUNC length is the trimmed one, not the original (pcap's orig_len).
 */
export function frameWireLength(frame: Buffer, captured: number, link: LinkType = 'ethernet'): number {
  const ip = ipStart(frame, link);
  if (!ip || frame.length < ip.off + 6) return captured;
  if (ip.ethertype === 0x0800) return Math.max(captured, ip.off + frame.readUInt16BE(ip.off + 2));
  if (ip.ethertype === 0x86dd) return Math.max(captured, ip.off + 40 + frame.readUInt16BE(ip.off + 4));
  return captured;
}

/** Decoded but not yet numbered relative to its connection. */
type RawSegment = Omit<Segment, 'relSeq' | 'relAck'>;

/**
 * Decode one frame (Ethernet, or a bare IP packet for `raw` links) carrying
 * IPv4 or IPv6 and TCP. Returns undefined for anything else (ARP, UDP,
 * fragments past the first, truncated or malformed headers).
 */
export function decodeFrame(frame: Buffer, time = 0, link: LinkType = 'ethernet'): RawSegment | undefined {
  const ip = ipStart(frame, link);
  if (!ip) return undefined;
  const ethertype = ip.ethertype;
  let off = ip.off;
  let srcAddr: string;
  let dstAddr: string;
  let tcpBytes: number; // TCP header + payload, from the IP header's lengths
  let ipVersion: 4 | 6;
  if (ethertype === 0x0800) {
    if (frame.length < off + 20 || frame[off]! >> 4 !== 4) return undefined;
    const ihl = (frame[off]! & 0x0f) * 4;
    const total = frame.readUInt16BE(off + 2);
    if (ihl < 20 || total < ihl) return undefined; // not a valid IPv4 header
    const fragOffset = frame.readUInt16BE(off + 6) & 0x1fff;
    if (frame[off + 9] !== 6 || fragOffset !== 0) return undefined;
    srcAddr = `${frame[off + 12]}.${frame[off + 13]}.${frame[off + 14]}.${frame[off + 15]}`;
    dstAddr = `${frame[off + 16]}.${frame[off + 17]}.${frame[off + 18]}.${frame[off + 19]}`;
    tcpBytes = total - ihl;
    off += ihl;
    ipVersion = 4;
  } else if (ethertype === 0x86dd) {
    if (frame.length < off + 40 || frame[off]! >> 4 !== 6) return undefined;
    let next = frame[off + 6]!;
    tcpBytes = frame.readUInt16BE(off + 4);
    srcAddr = bytesToIp(frame.subarray(off + 8, off + 24));
    dstAddr = bytesToIp(frame.subarray(off + 24, off + 40));
    off += 40;
    // Walk the extension headers that may precede TCP (hop-by-hop, routing, destination options).
    while (next === 0 || next === 43 || next === 60) {
      if (frame.length < off + 2) return undefined;
      const extLen = (frame[off + 1]! + 1) * 8;
      next = frame[off]!;
      off += extLen;
      tcpBytes -= extLen;
    }
    if (next !== 6) return undefined;
    ipVersion = 6;
  } else {
    return undefined;
  }
  if (frame.length < off + 20) return undefined;
  const dataOffset = (frame[off + 12]! >> 4) * 4;
  if (dataOffset < 20) return undefined; // not a valid TCP header
  const flagBits = frame[off + 13]! | ((frame[off + 12]! & 1) << 8);
  const srcPort = frame.readUInt16BE(off);
  const dstPort = frame.readUInt16BE(off + 2);
  return {
    time,
    src: formatEndpoint(srcAddr, srcPort),
    dst: formatEndpoint(dstAddr, dstPort),
    srcAddr,
    srcPort,
    dstAddr,
    dstPort,
    ipVersion,
    flags: flagsToString(flagBits),
    flagBits,
    seq: frame.readUInt32BE(off + 4),
    ack: frame.readUInt32BE(off + 8),
    len: Math.max(0, tcpBytes - dataOffset),
    window: frame.readUInt16BE(off + 14),
  };
}

/**
 * Numbers segments relative to their connection (relSeq/relAck), in order.
 * A new SYN without ACK on a 4-tuple already seen starts a new connection.
 */
export class RelativeNumbering {
  private isn = new Map<string, number>();

  apply(s: RawSegment): Segment {
    const fwd = `${s.src}>${s.dst}`;
    const rev = `${s.dst}>${s.src}`;
    const syn = (s.flagBits & TCP_FLAGS.SYN) !== 0;
    const ackSet = (s.flagBits & TCP_FLAGS.ACK) !== 0;
    if (syn && !ackSet) {
      this.isn.set(fwd, s.seq);
      this.isn.delete(rev);
    } else if (syn) {
      this.isn.set(fwd, s.seq);
    }
    if (!this.isn.has(fwd)) this.isn.set(fwd, s.seq);
    // Joined mid-connection: take the first ack seen as the other side's origin.
    if (ackSet && !this.isn.has(rev)) this.isn.set(rev, s.ack);
    const relSeq = (s.seq - this.isn.get(fwd)!) >>> 0;
    const relAck = ackSet ? (s.ack - this.isn.get(rev)!) >>> 0 : 0;
    return { ...s, relSeq, relAck };
  }
}

/** Turns an EndpointSpec into a predicate on (address, port). */
export function endpointMatcher(spec: EndpointSpec): (addr: string, port: number) => boolean {
  if (typeof spec === 'number') return (_a, p) => p === spec;
  if (typeof spec === 'string') {
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(spec);
    if (!m) throw new TypeError(`endpoint ${JSON.stringify(spec)} is not "addr:port"`);
    const a = normalizeAddr(m[1]!);
    const p = Number(m[2]);
    return (addr, port) => port === p && normalizeAddr(addr) === a;
  }
  const a = normalizeAddr(spec.address);
  return (addr, port) => port === spec.port && (a === '' || normalizeAddr(addr) === a);
}

function normalizeAddr(a: string): string {
  // One text per address: '0:0:0:0:0:0:0:1' is '::1' (the form decoded frames and
  // /proc use); '::ffff:127.0.0.1' (a v4-mapped peer seen from a v6 socket) is 127.0.0.1.
  let lower = a.toLowerCase();
  if (lower.includes(':') && isIP(lower) === 6) lower = bytesToIp(ipToBytes(AF_INET6, lower));
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

const MATCH_KEYS = new Set(['from', 'to', 'flags', 'exactFlags', 'withoutFlags', 'len', 'minLen', 'port']);

/** Unknown fields throw, like unknown flag names: `{ src: x }` or `{ flag: 'RST' }` must not match everything. */
function checkMatchKeys(m: SegmentMatch): void {
  for (const k of Object.keys(m)) {
    if (!MATCH_KEYS.has(k)) throw new TypeError(`unknown SegmentMatch field ${JSON.stringify(k)} (known: ${[...MATCH_KEYS].join(', ')})`);
  }
}

/** Does `s` satisfy every field of `m`? */
export function segmentMatches(s: Segment, m: SegmentMatch): boolean {
  checkMatchKeys(m);
  if (m.from !== undefined && !endpointMatcher(m.from)(s.srcAddr, s.srcPort)) return false;
  if (m.to !== undefined && !endpointMatcher(m.to)(s.dstAddr, s.dstPort)) return false;
  if (m.flags !== undefined) {
    const want = parseFlags(m.flags);
    if ((s.flagBits & want) !== want) return false;
  }
  if (m.exactFlags !== undefined && s.flagBits !== parseFlags(m.exactFlags)) return false;
  if (m.withoutFlags !== undefined && (s.flagBits & parseFlags(m.withoutFlags)) !== 0) return false;
  if (m.len !== undefined && s.len !== m.len) return false;
  if (m.minLen !== undefined && s.len < m.minLen) return false;
  if (m.port !== undefined) {
    const ports = Array.isArray(m.port) ? m.port : [m.port];
    if (!ports.includes(s.srcPort) && !ports.includes(s.dstPort)) return false;
  }
  return true;
}

/** Filter segments by a pattern. */
export function findSegments(segments: readonly Segment[], m: SegmentMatch): Segment[] {
  checkMatchKeys(m); // also when there are no segments to test
  return segments.filter((s) => segmentMatches(s, m));
}

/** One line per segment, tcpdump-like; used in failure messages and logs. */
export function formatSegment(s: Segment, t0?: number): string {
  const t = t0 === undefined ? '' : `+${((s.time - t0) * 1000).toFixed(3)}ms `;
  const ack = s.flagBits & TCP_FLAGS.ACK ? ` ack=${s.relAck}` : '';
  return `${t}${s.src} > ${s.dst} [${s.flags}] seq=${s.relSeq}${ack} len=${s.len} win=${s.window}`;
}

/** Serialise frames as a libpcap file (magic a1b2c3d4, v2.4, microseconds, LINKTYPE_ETHERNET or LINKTYPE_RAW). */
export function pcapBytes(
  frames: readonly { tsSec: number; tsUsec: number; origLen: number; data: Uint8Array }[],
  snaplen = 262144,
  link: LinkType = 'ethernet',
): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // thiszone: timestamps are UTC
  header.writeUInt32LE(0, 12); // sigfigs
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(PCAP_LINKTYPE[link], 20);
  const parts: Buffer[] = [header];
  for (const f of frames) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(f.tsSec >>> 0, 0);
    rec.writeUInt32LE(f.tsUsec >>> 0, 4);
    rec.writeUInt32LE(f.data.length, 8);
    rec.writeUInt32LE(f.origLen, 12);
    parts.push(rec, Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length));
  }
  return Buffer.concat(parts);
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
   * read: frames read; kept: segments kept; ignored: incoming copies and non-TCP frames; otherPorts:
   * TCP on ports not asked for; errors: socket errors the kernel reported (ENETDOWN when the
   * interface went down), after which reading went on.
   */
  readonly counts = { read: 0, kept: 0, ignored: 0, otherPorts: 0, errors: 0 };
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
        this.counts.ignored++;
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
