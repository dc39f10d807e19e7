// The match language for segments: `{ from, to, flags, exactFlags,
// withoutFlags, len, minLen, port }`, every given field must hold. Unknown
// fields and flag names throw, so a typo never matches everything.
import { isIP } from 'node:net';
import { AF_INET6 } from '../constants.js';
import { bytesToIp, ipToBytes } from '../sockaddr.js';
import { parseFlags, type Segment } from './decode.js';

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
