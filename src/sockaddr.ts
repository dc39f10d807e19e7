// SockAddr validation and the IP text <-> bytes conversion both backends use.
// Only the byte layout of `struct sockaddr_*` differs per OS; that lives in
// each backend.
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6, type SockAddr } from './constants.js';
import { describe } from './errors.js';

/**
 * Throws TypeError/RangeError for a value that is not a well-formed SockAddr.
 * A family other than AF_INET/AF_INET6 is *not* thrown on: each call answers it
 * with its own WSA code, as Winsock does for a struct with a foreign family.
 */
export function checkSockAddr(fn: string, arg: string, addr: unknown): asserts addr is SockAddr {
  if (addr === null || typeof addr !== 'object') {
    throw new TypeError(`${fn}: ${arg} must be a SockAddr { family, address, port }, got ${describe(addr)}`);
  }
  const a = addr as Record<string, unknown>;
  if (typeof a.family !== 'number') throw new TypeError(`${fn}: ${arg}.family must be a number, got ${describe(a.family)}`);
  if (typeof a.address !== 'string') throw new TypeError(`${fn}: ${arg}.address must be a string, got ${describe(a.address)}`);
  if (typeof a.port !== 'number' || !Number.isInteger(a.port) || a.port < 0 || a.port > 65535) {
    throw new RangeError(`${fn}: ${arg}.port must be an integer 0..65535, got ${describe(a.port)}`);
  }
  if (a.family === AF_INET && !isIPv4(a.address)) {
    throw new TypeError(`${fn}: ${arg}.address must be an IPv4 address for AF_INET, got ${describe(a.address)}`);
  }
  if (a.family === AF_INET6 && !isIPv6(a.address)) {
    throw new TypeError(`${fn}: ${arg}.address must be an IPv6 address for AF_INET6, got ${describe(a.address)}`);
  }
  if (a.family === AF_INET6 && a.address.includes('%')) {
    // SockAddr has no scope id field, and a zone silently dropped would
    // address another interface.
    throw new TypeError(`${fn}: ${arg}.address: IPv6 zone ids (%...) are not supported, got ${describe(a.address)}`);
  }
}

/** Throws TypeError unless `out` is an object the call can fill with SockAddr fields. */
export function checkSockAddrOut(fn: string, out: unknown): asserts out is SockAddr {
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw new TypeError(`${fn}: the output address must be an object to fill, got ${describe(out)}`);
  }
  // Checked before the call: a connection accepted or a datagram consumed
  // must not be lost because its address could not be written.
  if (!Object.isExtensible(out) || Object.isFrozen(out) || Object.isSealed(out)) {
    throw new TypeError(`${fn}: the output address must be a writable object (it is frozen, sealed or not extensible)`);
  }
}

/** The address bytes of a validated IPv4 or IPv6 string (network order). */
export function ipToBytes(family: number, text: string): Uint8Array {
  if (family === AF_INET) return Uint8Array.from(text.split('.').map(Number));
  const out = new Uint8Array(16);
  let s = text;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const b = quad[1]!.split('.').map(Number);
    s = s.slice(0, -quad[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** RFC 5952 text of 4 or 16 address bytes. */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // Longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
