// Decoding captured frames into TCP segments: Ethernet or bare IP, IPv4 or
// IPv6, the TCP header's flags and numbers, and the relative numbering
// Wireshark shows. Pure functions of bytes: usable on a pcap read back later.
import { bytesToIp } from '../sockaddr.js';

/** Length of the Ethernet header before IP on `lo` and Ethernet devices. */
export const ETH_HLEN = 14;

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
  /**
   * Set by a fault that dropped this segment after it left its socket (an nft
   * rule on the input hook: the capture sees it leave, the peer never gets it).
   */
  dropped?: boolean;
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

/** One line per segment, tcpdump-like; used in failure messages and logs. */
export function formatSegment(s: Segment, t0?: number): string {
  const t = t0 === undefined ? '' : `+${((s.time - t0) * 1000).toFixed(3)}ms `;
  const ack = s.flagBits & TCP_FLAGS.ACK ? ` ack=${s.relAck}` : '';
  return `${t}${s.src} > ${s.dst} [${s.flags}] seq=${s.relSeq}${ack} len=${s.len} win=${s.window}`;
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
