// Names and addresses: getaddrinfo / freeaddrinfo / getnameinfo, inet_pton /
// inet_ntop / inet_addr / inet_ntoa, the byte-order helpers and the PF_*, AI_*,
// NI_* constants, with Winsock's numbers and return conventions on every OS.
//
// Shape of the results (the choice a C porter expects): getaddrinfo fills an
// out-array `res` the way C fills `struct addrinfo **res`. `res[0]` is the head
// of a list linked by `ai_next`, so `for (p = res[0]; p; p = p.ai_next)` walks
// it as in C; the same objects are also res[0..n-1], so `for (const ai of res)`
// works too. `ai_addr` is the library's SockAddr (`{ family, address, port }`,
// AF_INET6 = 23, port in host order), ready for bind/connect/sendto.
//
// Blocking: the flat calls block the calling thread, as in C (a lookup that
// needs the network waits for it). getaddrinfoAsync / getnameinfoAsync run the
// same native call on libuv's thread pool, as Node's dns.lookup does; they are
// the promise API's getaddrinfo / getnameinfo.
import { isIPv4, isIPv6 } from 'node:net';
import * as K from './constants.js';
import type { SockAddr } from './constants.js';
import { describe, fail, WinsockError, WSA, WSASetLastError } from './errors.js';
import { bytesToIp, checkSockAddr, ipToBytes } from './sockaddr.js';
import { flat } from './state.js';
import type { Hints, NamesBackend, RawAddrInfo } from './backends/names-types.js';
import { posixNames } from './backends/posix-names.js';
import { win32Names } from './backends/win32-names.js';
import './api.js';

const nb: NamesBackend = process.platform === 'win32' ? win32Names : posixNames;

// --- constants (ws2def.h / ws2tcpip.h / winsock2.h values) -----------------
export const PF_UNSPEC = K.AF_UNSPEC;
export const PF_INET = K.AF_INET;
export const PF_INET6 = K.AF_INET6;

export const AI_PASSIVE = 0x01;
export const AI_CANONNAME = 0x02;
export const AI_NUMERICHOST = 0x04;
export const AI_NUMERICSERV = 0x08;
export const AI_ALL = 0x0100;
export const AI_ADDRCONFIG = 0x0400;
export const AI_V4MAPPED = 0x0800;
export const AI_NON_AUTHORITATIVE = 0x4000;
export const AI_SECURE = 0x8000;
export const AI_RETURN_PREFERRED_NAMES = 0x10000;
export const AI_FQDN = 0x00020000;
export const AI_FILESERVER = 0x00040000;
export const AI_DISABLE_IDN_ENCODING = 0x00080000;

export const NI_NOFQDN = 0x01;
export const NI_NUMERICHOST = 0x02;
export const NI_NAMEREQD = 0x04;
export const NI_NUMERICSERV = 0x08;
export const NI_DGRAM = 0x10;
export const NI_MAXHOST = 1025;
export const NI_MAXSERV = 32;

/** ws2tcpip.h: EAI_* are the WSA codes on Windows. */
export const EAI_AGAIN = WSA.WSATRY_AGAIN;
export const EAI_BADFLAGS = WSA.WSAEINVAL;
export const EAI_FAIL = WSA.WSANO_RECOVERY;
export const EAI_FAMILY = WSA.WSAEAFNOSUPPORT;
export const EAI_MEMORY = WSA.WSA_NOT_ENOUGH_MEMORY;
export const EAI_NONAME = WSA.WSAHOST_NOT_FOUND;
export const EAI_NODATA = EAI_NONAME;
export const EAI_SERVICE = WSA.WSATYPE_NOT_FOUND;
export const EAI_SOCKTYPE = WSA.WSAESOCKTNOSUPPORT;

/** ws2ipdef.h buffer sizes for inet_ntop (terminating NUL included). */
export const INET_ADDRSTRLEN = 22;
export const INET6_ADDRSTRLEN = 65;

export const INADDR_ANY = 0x00000000;
export const INADDR_LOOPBACK = 0x7f000001;
export const INADDR_BROADCAST = 0xffffffff;
export const INADDR_NONE = 0xffffffff;

// --- types -----------------------------------------------------------------
/** `struct addrinfo` (ADDRINFOA) as results: ai_addr is a SockAddr, ai_next links the list. */
export interface addrinfo {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  /** sizeof the C sockaddr (16 or 28): kept for code that prints or compares it. */
  ai_addrlen: number;
  ai_canonname: string | null;
  ai_addr: SockAddr;
  ai_next: addrinfo | null;
}
export type ADDRINFOA = addrinfo;

/** getaddrinfo's hints: the four fields C code sets (missing ones are 0, as after ZeroMemory). */
export interface AddrInfoHints {
  ai_flags?: number;
  ai_family?: number;
  ai_socktype?: number;
  ai_protocol?: number;
}

// --- validation ------------------------------------------------------------
function optString(fn: string, arg: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${arg} must be a string or null, got ${describe(v)}`);
  return v;
}

function int(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}: ${arg} must be an integer, got ${describe(v)}`);
  return v;
}

function checkHints(fn: string, hints: unknown): Hints | null {
  if (hints === null || hints === undefined) return null;
  if (typeof hints !== 'object' || Array.isArray(hints))
    throw new TypeError(`${fn}: hints must be an addrinfo object or null, got ${describe(hints)}`);
  const h = hints as Record<string, unknown>;
  const field = (k: string): number => (h[k] === undefined ? 0 : int(fn, `hints.${k}`, h[k]));
  return { flags: field('ai_flags'), family: field('ai_family'), socktype: field('ai_socktype'), protocol: field('ai_protocol') };
}

/**
 * Microsoft: the hints' ai_addrlen, ai_canonname, ai_addr and ai_next must be
 * 0 or NULL, or getaddrinfo fails with WSANO_RECOVERY (passing a result back
 * as hints does that). Checked here for both platforms: the win32 backend
 * copies only the four hint fields into the native struct.
 */
function hintsRest(hints: unknown): number {
  if (hints === null || hints === undefined) return 0;
  const h = hints as Record<string, unknown>;
  const set = (k: string): boolean => h[k] !== undefined && h[k] !== null && h[k] !== 0;
  return ['ai_addrlen', 'ai_canonname', 'ai_addr', 'ai_next'].some(set) ? WSA.WSANO_RECOVERY : 0;
}

function checkOutArray(fn: string, arg: string, v: unknown): void {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${arg} must be an array (${arg}[0] receives the result), got ${describe(v)}`);
}

function link(raw: RawAddrInfo[]): addrinfo[] {
  const list = raw.map((r): addrinfo => ({
    ai_flags: r.flags,
    ai_family: r.family,
    ai_socktype: r.socktype,
    ai_protocol: r.protocol,
    ai_addrlen: r.addrlen,
    ai_canonname: r.canonname,
    ai_addr: r.addr,
    ai_next: null,
  }));
  for (let i = 0; i + 1 < list.length; i++) list[i]!.ai_next = list[i + 1]!;
  return list;
}

/** The rejection of the awaitable calls, in the shape of Node's system errors (code/errno/syscall). */
function nameError(code: number, syscall: string): WinsockError {
  return new WinsockError(code, syscall);
}

// --- getaddrinfo / freeaddrinfo ---------------------------------------------
/**
 * getaddrinfo(pNodeName, pServiceName, pHints, ppResult): returns 0 or the WSA
 * code (Windows' EAI_* values), which is also set as WSAGetLastError (0 on
 * success, as on Windows). `res` is emptied, then filled (see the header).
 */
export function getaddrinfo(node: string | null, service: string | null, hints: AddrInfoHints | null, res: addrinfo[]): number {
  const n = optString('getaddrinfo', 'node', node);
  const sv = optString('getaddrinfo', 'service', service);
  const h = checkHints('getaddrinfo', hints);
  checkOutArray('getaddrinfo', 'res', res);
  res.length = 0;
  if (!flat.started()) return (fail(WSA.WSANOTINITIALISED), WSA.WSANOTINITIALISED);
  const bad = hintsRest(hints);
  if (bad) return (fail(bad), bad);
  const r = nb.resolve(n, sv, h);
  WSASetLastError(r.rc);
  if (r.rc === 0) res.push(...link(r.list));
  return r.rc;
}

/**
 * freeaddrinfo(pAddrInfo). The results are JavaScript objects copied out of
 * the native list, which getaddrinfo has already freed: there is nothing left
 * to release, and the garbage collector reclaims the objects. Kept so ported
 * code runs unchanged; it checks its argument like the other calls.
 */
export function freeaddrinfo(ai: addrinfo | null | undefined): void {
  if (ai !== null && ai !== undefined && (typeof ai !== 'object' || !('ai_addr' in ai))) {
    throw new TypeError(`freeaddrinfo: ai must be an addrinfo from getaddrinfo or null, got ${describe(ai)}`);
  }
}

/** The awaitable getaddrinfo (winsock-compat/promises): resolves with the list (and fills `res` if given), rejects with the WSA code. */
export async function getaddrinfoAsync(
  node: string | null,
  service: string | null,
  hints?: AddrInfoHints | null,
  res?: addrinfo[],
): Promise<addrinfo[]> {
  const n = optString('getaddrinfo', 'node', node);
  const sv = optString('getaddrinfo', 'service', service);
  const h = checkHints('getaddrinfo', hints);
  if (res !== undefined) {
    checkOutArray('getaddrinfo', 'res', res);
    res.length = 0;
  }
  if (!flat.started()) throw nameError(WSA.WSANOTINITIALISED, 'getaddrinfo');
  if (hintsRest(hints)) throw nameError(WSA.WSANO_RECOVERY, 'getaddrinfo');
  const r = await nb.resolveAsync(n, sv, h);
  if (r.rc !== 0) throw nameError(r.rc, 'getaddrinfo');
  const list = link(r.list);
  res?.push(...list);
  return list;
}

// --- getnameinfo ----------------------------------------------------------------
function nameArgs(fn: string, sa: unknown, host: unknown, hostlen: unknown, serv: unknown, servlen: unknown, flags: unknown) {
  checkSockAddr(fn, 'sa', sa);
  if (host !== null && host !== undefined) checkOutArray(fn, 'host', host);
  if (serv !== null && serv !== undefined) checkOutArray(fn, 'serv', serv);
  const hl = int(fn, 'hostlen', hostlen);
  const sl = int(fn, 'servlen', servlen);
  const f = int(fn, 'flags', flags);
  if (hl < 0 || sl < 0) throw new RangeError(`${fn}: hostlen and servlen must be >= 0, got ${hl} and ${sl}`);
  // Microsoft: EAI_BADFLAGS (WSAEINVAL) when a host name is requested (a
  // buffer given) with hostlen 0, or a service name with servlen 0. A null
  // buffer asks for nothing, whatever its length says.
  const bad = (host && hl === 0) || (serv && sl === 0) ? WSA.WSAEINVAL : 0;
  return { sa, hl: host ? hl : 0, sl: serv ? sl : 0, f, bad };
}

/**
 * getnameinfo(pSockaddr, SockaddrLength, pNodeBuffer, NodeBufferSize,
 * pServiceBuffer, ServiceBufferSize, Flags) without SockaddrLength (the
 * SockAddr says its family). `host[0]` and `serv[0]` receive the strings; a
 * null buffer asks for nothing; a buffer with a length of 0 is WSAEINVAL
 * (Microsoft's page, EAI_BADFLAGS). Lengths count the NUL, as in C. A buffer
 * too small for the answer is WSAEFAULT on Linux: Microsoft's page gives no
 * code for that case, and WSAEFAULT is its code for bad buffers (Wine 8
 * returns glibc's raw EAI_OVERFLOW, -12, which no Windows code is). Returns 0
 * or the WSA code, also set as WSAGetLastError.
 */
export function getnameinfo(
  sa: SockAddr,
  host: string[] | null,
  hostlen: number,
  serv: string[] | null,
  servlen: number,
  flags: number,
): number {
  const a = nameArgs('getnameinfo', sa, host, hostlen, serv, servlen, flags);
  if (!flat.started()) return (fail(WSA.WSANOTINITIALISED), WSA.WSANOTINITIALISED);
  if (a.bad) return (fail(a.bad), a.bad);
  const r = nb.nameinfo(a.sa, a.hl, a.sl, a.f);
  WSASetLastError(r.rc);
  if (r.rc === 0) {
    if (host && r.host !== null) host[0] = r.host;
    if (serv && r.serv !== null) serv[0] = r.serv;
  }
  return r.rc;
}

/** The awaitable getnameinfo: resolves with `{ host, serv }` (and fills the arrays if given), rejects with the WSA code. */
export async function getnameinfoAsync(
  sa: SockAddr,
  host: string[] | null,
  hostlen: number,
  serv: string[] | null,
  servlen: number,
  flags: number,
): Promise<{ host: string | null; serv: string | null }> {
  const a = nameArgs('getnameinfo', sa, host, hostlen, serv, servlen, flags);
  if (!flat.started()) throw nameError(WSA.WSANOTINITIALISED, 'getnameinfo');
  if (a.bad) throw nameError(a.bad, 'getnameinfo');
  const r = await nb.nameinfoAsync(a.sa, a.hl, a.sl, a.f);
  if (r.rc !== 0) throw nameError(r.rc, 'getnameinfo');
  if (host && r.host !== null) host[0] = r.host;
  if (serv && r.serv !== null) serv[0] = r.serv;
  return { host: r.host, serv: r.serv };
}

// --- text <-> binary addresses ----------------------------------------------------
// These need no WSAStartup and no native call: they are pure conversions, the
// same on both platforms.

/**
 * An IPv6 literal whose trailing dotted quad has octets with leading zeros
 * ("1::001.2.3.4"): Windows accepts up to three digits per octet there (Wine's
 * protocol.c test_inet_pton), Node's isIPv6 does not. Returns the text with
 * those zeros dropped, or the text unchanged.
 */
function v6WithPlainQuad(text: string): string {
  const m = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return text;
  const octets = m.slice(2).map(Number);
  return octets.every((o) => o <= 255) ? `${m[1]}${octets.join('.')}` : text;
}

/**
 * inet_pton(Family, pszAddrString, pAddrBuf): 1 and the 4 or 16 bytes written
 * to `dst` (network order); 0 for a string that is not an address of that
 * family; -1 with WSAEFAULT for a null string (checked first), WSAEAFNOSUPPORT
 * for a family other than AF_INET/AF_INET6, WSAEFAULT when `dst` is too small.
 * Like Windows, IPv4 is the strict dotted quad (no leading zeros), and a zone
 * id ("%3") is not part of an IPv6 address. Unlike Windows, nothing is
 * written to `dst` on failure (Windows may leave a partial address there).
 */
export function inet_pton(family: number, src: string | null, dst: Uint8Array): number {
  int('inet_pton', 'family', family);
  if (!(dst instanceof Uint8Array)) throw new TypeError(`inet_pton: dst must be a Buffer or Uint8Array, got ${describe(dst)}`);
  if (src === null || src === undefined) return fail(WSA.WSAEFAULT);
  if (typeof src !== 'string') throw new TypeError(`inet_pton: src must be a string, got ${describe(src)}`);
  if (family !== K.AF_INET && family !== K.AF_INET6) return fail(WSA.WSAEAFNOSUPPORT);
  if (dst.length < (family === K.AF_INET ? 4 : 16)) return fail(WSA.WSAEFAULT);
  if (family === K.AF_INET) {
    if (!isIPv4(src)) return 0;
    dst.set(ipToBytes(family, src));
    return 1;
  }
  const text = v6WithPlainQuad(src);
  if (!isIPv6(text) || text.includes('%')) return 0;
  dst.set(ipToBytes(family, text));
  return 1;
}

/**
 * Windows' text for an IPv6 address (RtlIpv6AddressToString): the last 32
 * bits as a dotted quad for IPv4-compatible (::a.b.c.d), IPv4-mapped
 * (::ffff:a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d) addresses, but not
 * for :: or ::1 (the seventh group is zero); RFC 5952 text otherwise. Wine's
 * protocol.c test_addr_to_print: {0 x12, 204,152,189,116} is "::204.152.189.116".
 */
function windowsIPv6Text(b: Uint8Array): string {
  const w = (i: number): number => (b[2 * i]! << 8) | b[2 * i + 1]!;
  const zero0to3 = w(0) === 0 && w(1) === 0 && w(2) === 0 && w(3) === 0;
  const quad = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (zero0to3 && w(6) !== 0) {
    if (w(4) === 0 && w(5) === 0) return `::${quad}`;
    if (w(4) === 0 && w(5) === 0xffff) return `::ffff:${quad}`;
    if (w(4) === 0xffff && w(5) === 0) return `::ffff:0:${quad}`;
  }
  return bytesToIp(b);
}

/**
 * inet_ntop(Family, pAddr, pStringBuf, StringBufSize) without the buffer: the
 * text, or null with WSAEAFNOSUPPORT (family) or WSAEINVAL (`size`, the C
 * buffer's length with its NUL, too small for the text; 0 included). `src`
 * holds at least 4 or 16 bytes in network order. IPv6 text is Windows' (see
 * windowsIPv6Text).
 */
export function inet_ntop(family: number, src: Uint8Array, size: number = INET6_ADDRSTRLEN): string | null {
  int('inet_ntop', 'family', family);
  if (!(src instanceof Uint8Array)) throw new TypeError(`inet_ntop: src must be a Buffer or Uint8Array, got ${describe(src)}`);
  int('inet_ntop', 'size', size);
  if (family !== K.AF_INET && family !== K.AF_INET6) return (fail(WSA.WSAEAFNOSUPPORT), null);
  const n = family === K.AF_INET ? 4 : 16;
  if (src.length < n) return (fail(WSA.WSAEFAULT), null);
  const text = n === 4 ? bytesToIp(src.subarray(0, 4)) : windowsIPv6Text(src.subarray(0, 16));
  if (size < text.length + 1) return (fail(WSA.WSAEINVAL), null);
  return text;
}

/**
 * inet_addr(cp): the IPv4 address as the u_long C code gets, in network byte
 * order as it sits in memory read on a little-endian host (every Windows
 * target), so `inet_addr("1.2.3.4") === 0x04030201` and
 * `inet_ntoa(inet_addr(s))` round-trips. BSD forms are accepted as on Windows
 * ("a.b.c.d", "a.b.c", "a.b", "a"; each part decimal, 0-octal or 0x-hex), and
 * parsing stops at the first C whitespace character. INADDR_NONE
 * (0xffffffff) for anything else; null is WSAEFAULT. Wine's protocol.c
 * test_inet_addr (which passes on Windows) gives the cases.
 */
export function inet_addr(cp: string | null): number {
  if (cp === null || cp === undefined) return (fail(WSA.WSAEFAULT), INADDR_NONE);
  if (typeof cp !== 'string') throw new TypeError(`inet_addr: cp must be a string, got ${describe(cp)}`);
  // Windows answers 0 for exactly one space (and INADDR_NONE for two, a tab, or " 0").
  if (cp === ' ') return INADDR_ANY;
  // C's isspace in the "C" locale: space, \t, \n, \v, \f, \r (not U+00A0).
  const text = cp.replace(/[ \t\n\v\f\r][^]*$/, '');
  const parts = text.split('.');
  if (text === '' || parts.length > 4) return INADDR_NONE;
  const nums: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]+$/.test(p)) v = parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return INADDR_NONE;
    nums.push(v);
  }
  // The last part fills the remaining bytes ("1.2.300" is 1.2.1.44).
  const last = nums.pop()!;
  if (nums.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - nums.length))) return INADDR_NONE;
  let host = last;
  nums.forEach((v, i) => (host += v * 2 ** (8 * (3 - i))));
  return htonl(host);
}

/** inet_ntoa(in): the dotted quad of a network-order u_long (inet_addr's form). */
export function inet_ntoa(addr: number): string {
  int('inet_ntoa', 'in', addr);
  const v = addr >>> 0;
  return `${v & 0xff}.${(v >>> 8) & 0xff}.${(v >>> 16) & 0xff}.${v >>> 24}`;
}

// --- byte order ----------------------------------------------------------------------
// As on every Windows target (little-endian): host order is the reverse of
// network order. Values are truncated to u_short / u_long like the C calls.
// Note: SockAddr.port is in host order, so `{ port: htons(27015) }` would be
// wrong; these are for bytes a program lays out itself.
export const htons = (v: number): number => ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
export const ntohs = htons;
export const htonl = (v: number): number =>
  (((v & 0xff) << 24) | (((v >>> 8) & 0xff) << 16) | (((v >>> 16) & 0xff) << 8) | ((v >>> 24) & 0xff)) >>> 0;
export const ntohl = htonl;
