// getaddrinfo/getnameinfo on Linux: glibc's calls through koffi, with
// Winsock's numbers and rules translated at the edge. The flat calls block the
// calling thread like C; the *Async ones run the same libc call on libuv's
// thread pool (koffi's `.async`), which is what Node's own dns.lookup does.
//
// What Windows does that glibc does not (Wine's dlls/ws2_32/tests/protocol.c,
// test_getaddrinfo / test_GetAddrInfoW, which pass on Windows):
// - "" as the host name is the local computer (glibc: EAI_NONAME);
// - "" as the service is port 0, like "0" (glibc rejects it);
// - a bracketed IPv6 literal ("[beef::cafe]", even "[beef::cafe]:10239") is
//   accepted as that address;
// - every result echoes the hints' ai_socktype and ai_protocol (SOCK_STREAM
//   with IPPROTO_UDP is accepted; a socktype of 0 gives one result per address,
//   not one per socket type as glibc does).
import { hostname } from 'node:os';
import { isIPv6 } from 'node:net';
import koffi from 'koffi';
import * as K from '../constants.js';
import type { SockAddr } from '../constants.js';
import { WSA } from '../errors.js';
import { wsaFromErrno } from './posix-errno.js';
import { bytesToIp } from '../sockaddr.js';
import { addrinfo, LN, N } from '../../native-bindings/libc-names.js';
import { L } from '../../native-bindings/libc.js';
import { sockaddrBytes } from './posix.js';
import type { Hints, NameInfo, NamesBackend, RawAddrInfo, Resolved } from './names-types.js';

// Winsock's AI_* bits (ws2def.h) and their glibc counterparts. Windows-only
// bits with no Linux meaning (AI_FQDN, AI_DISABLE_IDN_ENCODING, ...) are
// ignored here: they change how Windows talks to its DNS, not the answer's shape.
const AI_MAP: [number, number][] = [
  [0x01, LN.AI_PASSIVE],
  [0x02, LN.AI_CANONNAME],
  [0x04, LN.AI_NUMERICHOST],
  [0x08, LN.AI_NUMERICSERV], // 0x08 is AI_V4MAPPED in glibc: the numbers differ
  [0x100, LN.AI_ALL],
  [0x400, LN.AI_ADDRCONFIG],
  [0x800, LN.AI_V4MAPPED],
];
// Winsock's NI_* bits (ws2def.h) and glibc's.
const NI_MAP: [number, number][] = [
  [0x01, LN.NI_NOFQDN],
  [0x02, LN.NI_NUMERICHOST],
  [0x04, LN.NI_NAMEREQD],
  [0x08, LN.NI_NUMERICSERV],
  [0x10, LN.NI_DGRAM],
];
const mapBits = (v: number, map: [number, number][]): number => map.reduce((n, [w, l]) => (v & w ? n | l : n), 0);

/** glibc's EAI_* -> the WSA code Windows returns (ws2tcpip.h defines EAI_* as these). */
function eaiToWsa(rc: number, e: number): number {
  switch (rc) {
    case LN.EAI_BADFLAGS:
      return WSA.WSAEINVAL;
    case LN.EAI_NONAME:
      return WSA.WSAHOST_NOT_FOUND;
    case LN.EAI_AGAIN:
      return WSA.WSATRY_AGAIN;
    case LN.EAI_FAIL:
      return WSA.WSANO_RECOVERY;
    case LN.EAI_NODATA:
      return WSA.WSANO_DATA;
    case LN.EAI_ADDRFAMILY:
      // No address of the requested family, e.g. "[beef::cafe]" with AF_INET:
      // Windows answers WSAHOST_NOT_FOUND (protocol.c test_getaddrinfo).
      return WSA.WSAHOST_NOT_FOUND;
    case LN.EAI_FAMILY:
      return WSA.WSAEAFNOSUPPORT;
    case LN.EAI_SOCKTYPE:
      return WSA.WSAESOCKTNOSUPPORT;
    case LN.EAI_SERVICE:
      return WSA.WSATYPE_NOT_FOUND;
    case LN.EAI_MEMORY:
      return WSA.WSA_NOT_ENOUGH_MEMORY;
    case LN.EAI_OVERFLOW:
      // A host or service buffer too small. Microsoft's getnameinfo page names
      // no code for it; WSAEFAULT is Winsock's code for a bad buffer.
      return WSA.WSAEFAULT;
    case LN.EAI_SYSTEM:
      return wsaFromErrno(e);
    default:
      return WSA.WSANO_RECOVERY;
  }
}

const AI_SIZE = koffi.sizeof(addrinfo);

interface Call {
  node: string | null;
  service: string | null;
  hints: Buffer;
  /** Windows echoes these into every result (see the header). */
  echo: Hints;
}

/** Winsock's arguments -> glibc's, or the WSA code Windows answers without resolving. */
function prepare(node: string | null, service: string | null, h: Hints | null): Call | number {
  const echo: Hints = h ?? { flags: 0, family: K.AF_UNSPEC, socktype: 0, protocol: 0 };
  let family: number;
  if (echo.family === K.AF_UNSPEC) family = L.AF_UNSPEC;
  else if (echo.family === K.AF_INET) family = L.AF_INET;
  else if (echo.family === K.AF_INET6) family = L.AF_INET6;
  else return WSA.WSAEAFNOSUPPORT;
  const hints = Buffer.alloc(AI_SIZE);
  hints.writeInt32LE(mapBits(echo.flags, AI_MAP), koffi.offsetof(addrinfo, 'ai_flags'));
  hints.writeInt32LE(family, koffi.offsetof(addrinfo, 'ai_family'));
  // SOCK_STREAM/DGRAM/RAW have the same numbers on both; glibc answers an
  // unknown one with EAI_SOCKTYPE (WSAESOCKTNOSUPPORT, as on Windows). The
  // protocol is not passed: Windows accepts any and echoes it.
  hints.writeInt32LE(echo.socktype, koffi.offsetof(addrinfo, 'ai_socktype'));
  if (node === '') node = hostname();
  const bracketed = node === null ? null : /^\[([^\]]+)\](?::\d+)?$/.exec(node);
  if (bracketed && isIPv6(bracketed[1]!)) node = bracketed[1]!;
  if (service === '') service = '0';
  return { node, service, hints, echo };
}

function decodeAddr(ptr: unknown, len: number): SockAddr | undefined {
  const b = Buffer.from(koffi.view(ptr, len));
  const fam = b.readUInt16LE(0);
  const port = b.readUInt16BE(2);
  if (fam === L.AF_INET && len >= 16) return { family: K.AF_INET, address: bytesToIp(b.subarray(4, 8)), port };
  if (fam === L.AF_INET6 && len >= 28) return { family: K.AF_INET6, address: bytesToIp(b.subarray(8, 24)), port };
  return undefined;
}

/** Copies glibc's list into JS objects, then frees it. */
function collect(head: unknown, echo: Hints): RawAddrInfo[] {
  const list: RawAddrInfo[] = [];
  const seen = new Set<string>();
  try {
    for (let p = head; p;) {
      const ai = koffi.decode(p, addrinfo) as { ai_addrlen: number; ai_addr: unknown; ai_canonname: unknown; ai_next: unknown };
      const addr = ai.ai_addr ? decodeAddr(ai.ai_addr, ai.ai_addrlen) : undefined;
      const canonname = ai.ai_canonname ? (koffi.decode(ai.ai_canonname, 'char', -1) as string) : null;
      p = ai.ai_next;
      if (!addr) continue;
      // glibc gives one entry per socket type when none was asked for; Windows one per address.
      const key = `${addr.family}/${addr.address}/${addr.port}`;
      if (echo.socktype === 0 && seen.has(key)) continue;
      seen.add(key);
      const f = addr.family === K.AF_INET ? 16 : 28;
      list.push({ flags: echo.flags, family: addr.family, socktype: echo.socktype, protocol: echo.protocol, addrlen: f, canonname, addr });
    }
    // glibc puts the canonical name on the first entry; so does Windows.
    if (list.length > 0 && list[0]!.canonname === null) {
      const named = list.find((e) => e.canonname !== null);
      if (named) [list[0]!.canonname, named.canonname] = [named.canonname, null];
    }
  } finally {
    if (head) N.freeaddrinfo(head);
  }
  return list;
}

export function resolve(node: string | null, service: string | null, hints: Hints | null): Resolved {
  const c = prepare(node, service, hints);
  if (typeof c === 'number') return { rc: c, list: [] };
  const out: unknown[] = [null];
  const rc = N.getaddrinfo(c.node, c.service, c.hints, out);
  // errno matters only for EAI_SYSTEM; read it at once, before other calls.
  const e = rc === LN.EAI_SYSTEM ? koffi.errno() : 0;
  if (rc !== 0) return { rc: eaiToWsa(rc, e), list: [] };
  return { rc: 0, list: collect(out[0], c.echo) };
}

export function resolveAsync(node: string | null, service: string | null, hints: Hints | null): Promise<Resolved> {
  const c = prepare(node, service, hints);
  if (typeof c === 'number') return Promise.resolve({ rc: c, list: [] });
  const out: unknown[] = [null];
  return new Promise((resolveP, rejectP) => {
    N.getaddrinfo.async(c.node, c.service, c.hints, out, (err: unknown, rc: number) => {
      if (err) return rejectP(err);
      // errno of a pool thread is not ours to read: EAI_SYSTEM maps to WSASYSCALLFAILURE.
      if (rc !== 0) return resolveP({ rc: rc === LN.EAI_SYSTEM ? WSA.WSASYSCALLFAILURE : eaiToWsa(rc, 0), list: [] });
      try {
        resolveP({ rc: 0, list: collect(out[0], c.echo) });
      } catch (e) {
        rejectP(e);
      }
    });
  });
}

interface NameCall {
  sa: Buffer;
  host: Buffer | null;
  serv: Buffer | null;
  flags: number;
}

function prepareName(addr: SockAddr, hostlen: number, servlen: number, flags: number): NameCall | number {
  if (addr.family !== K.AF_INET && addr.family !== K.AF_INET6) return WSA.WSAEAFNOSUPPORT;
  return {
    sa: sockaddrBytes(addr),
    host: hostlen > 0 ? Buffer.alloc(hostlen) : null,
    serv: servlen > 0 ? Buffer.alloc(servlen) : null,
    flags: mapBits(flags, NI_MAP),
  };
}

const cString = (b: Buffer | null): string | null => (b ? b.toString('utf8', 0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)) : null);

function nameResult(c: NameCall, rc: number, e: number): NameInfo {
  if (rc !== 0) return { rc: eaiToWsa(rc, e), host: null, serv: null };
  return { rc: 0, host: cString(c.host), serv: cString(c.serv) };
}

export function nameinfo(addr: SockAddr, hostlen: number, servlen: number, flags: number): NameInfo {
  const c = prepareName(addr, hostlen, servlen, flags);
  if (typeof c === 'number') return { rc: c, host: null, serv: null };
  const rc = N.getnameinfo(c.sa, c.sa.length, c.host, c.host?.length ?? 0, c.serv, c.serv?.length ?? 0, c.flags);
  const e = rc === LN.EAI_SYSTEM ? koffi.errno() : 0;
  return nameResult(c, rc, e);
}

export function nameinfoAsync(addr: SockAddr, hostlen: number, servlen: number, flags: number): Promise<NameInfo> {
  const c = prepareName(addr, hostlen, servlen, flags);
  if (typeof c === 'number') return Promise.resolve({ rc: c, host: null, serv: null });
  return new Promise((resolveP, rejectP) => {
    N.getnameinfo.async(
      c.sa,
      c.sa.length,
      c.host,
      c.host?.length ?? 0,
      c.serv,
      c.serv?.length ?? 0,
      c.flags,
      (err: unknown, rc: number) => {
        if (err) return rejectP(err);
        resolveP(rc === LN.EAI_SYSTEM ? { rc: WSA.WSASYSCALLFAILURE, host: null, serv: null } : nameResult(c, rc, 0));
      },
    );
  });
}

export const posixNames = { resolve, resolveAsync, nameinfo, nameinfoAsync } satisfies NamesBackend;
