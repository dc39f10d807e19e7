// getaddrinfo/getnameinfo on Windows: ws2_32's own calls, which keep
// Winsock's rules and numbers themselves (EAI_* are WSA codes there). The flat
// calls block like C; the *Async ones run the same call on libuv's thread pool
// (koffi's `.async`). Only the layout is handled here: ADDRINFOA and
// SOCKADDR_IN/IN6 are copied into JS objects and the list is freed at once.
import koffi from 'koffi';
import { AF_INET, AF_INET6 } from '../constants.js';
import type { SockAddr } from '../constants.js';
import { WSA } from '../errors.js';
import { bytesToIp, ipToBytes } from '../sockaddr.js';
import { ADDRINFOA, WN } from '../../native-bindings/ws2_32-names.js';
import type { Hints, NameInfo, NamesBackend, RawAddrInfo, Resolved } from './names-types.js';

const AI_SIZE = koffi.sizeof(ADDRINFOA);

function hintsBuf(h: Hints | null): Buffer | null {
  if (!h) return null;
  const b = Buffer.alloc(AI_SIZE);
  b.writeInt32LE(h.flags, koffi.offsetof(ADDRINFOA, 'ai_flags'));
  b.writeInt32LE(h.family, koffi.offsetof(ADDRINFOA, 'ai_family'));
  b.writeInt32LE(h.socktype, koffi.offsetof(ADDRINFOA, 'ai_socktype'));
  b.writeInt32LE(h.protocol, koffi.offsetof(ADDRINFOA, 'ai_protocol'));
  return b;
}

function decodeAddr(ptr: unknown, len: number): SockAddr | undefined {
  if (len < 16) return undefined;
  const b = Buffer.from(koffi.view(ptr, len));
  const fam = b.readUInt16LE(0);
  const port = b.readUInt16BE(2);
  if (fam === AF_INET) return { family: AF_INET, address: bytesToIp(b.subarray(4, 8)), port };
  if (fam === AF_INET6 && len >= 28) return { family: AF_INET6, address: bytesToIp(b.subarray(8, 24)), port };
  return undefined;
}

function collect(head: unknown): RawAddrInfo[] {
  const list: RawAddrInfo[] = [];
  try {
    for (let p = head; p;) {
      const ai = koffi.decode(p, ADDRINFOA) as Record<string, unknown>;
      const addrlen = Number(ai.ai_addrlen);
      const addr = ai.ai_addr ? decodeAddr(ai.ai_addr, addrlen) : undefined;
      const canonname = ai.ai_canonname ? (koffi.decode(ai.ai_canonname, 'char', -1) as string) : null;
      p = ai.ai_next;
      if (!addr) continue;
      list.push({
        flags: ai.ai_flags as number,
        family: ai.ai_family as number,
        socktype: ai.ai_socktype as number,
        protocol: ai.ai_protocol as number,
        addrlen,
        canonname,
        addr,
      });
    }
  } finally {
    if (head) WN.freeaddrinfo(head);
  }
  return list;
}

export function resolve(node: string | null, service: string | null, hints: Hints | null): Resolved {
  const out: unknown[] = [null];
  const rc = WN.getaddrinfo(node, service, hintsBuf(hints), out);
  return rc === 0 ? { rc: 0, list: collect(out[0]) } : { rc, list: [] };
}

export function resolveAsync(node: string | null, service: string | null, hints: Hints | null): Promise<Resolved> {
  const out: unknown[] = [null];
  const h = hintsBuf(hints);
  return new Promise((resolveP, rejectP) => {
    WN.getaddrinfo.async(node, service, h, out, (err: unknown, rc: number) => {
      if (err) return rejectP(err);
      try {
        resolveP(rc === 0 ? { rc: 0, list: collect(out[0]) } : { rc, list: [] });
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
}

function prepareName(addr: SockAddr, hostlen: number, servlen: number): NameCall | number {
  let sa: Buffer;
  if (addr.family === AF_INET6) {
    sa = Buffer.alloc(28);
    sa.set(ipToBytes(AF_INET6, addr.address), 8);
  } else if (addr.family === AF_INET) {
    sa = Buffer.alloc(16);
    sa.set(ipToBytes(AF_INET, addr.address), 4);
  } else return WSA.WSAEAFNOSUPPORT;
  sa.writeUInt16LE(addr.family, 0);
  sa.writeUInt16BE(addr.port, 2);
  return { sa, host: hostlen > 0 ? Buffer.alloc(hostlen) : null, serv: servlen > 0 ? Buffer.alloc(servlen) : null };
}

const cString = (b: Buffer | null): string | null => (b ? b.toString('utf8', 0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)) : null);
const result = (c: NameCall, rc: number): NameInfo =>
  rc === 0 ? { rc: 0, host: cString(c.host), serv: cString(c.serv) } : { rc, host: null, serv: null };

export function nameinfo(addr: SockAddr, hostlen: number, servlen: number, flags: number): NameInfo {
  const c = prepareName(addr, hostlen, servlen);
  if (typeof c === 'number') return { rc: c, host: null, serv: null };
  const rc = WN.getnameinfo(c.sa, c.sa.length, c.host, c.host?.length ?? 0, c.serv, c.serv?.length ?? 0, flags);
  // Microsoft: "a nonzero Windows Sockets error code is returned": the code
  // is the return value (Wine's ws2_32 leaves WSAGetLastError as it was).
  return result(c, rc);
}

export function nameinfoAsync(addr: SockAddr, hostlen: number, servlen: number, flags: number): Promise<NameInfo> {
  const c = prepareName(addr, hostlen, servlen);
  if (typeof c === 'number') return Promise.resolve({ rc: c, host: null, serv: null });
  return new Promise((resolveP, rejectP) => {
    WN.getnameinfo.async(c.sa, c.sa.length, c.host, c.host?.length ?? 0, c.serv, c.serv?.length ?? 0, flags, (err: unknown, rc: number) =>
      err ? rejectP(err) : resolveP(result(c, rc)),
    );
  });
}

export const win32Names = { resolve, resolveAsync, nameinfo, nameinfoAsync } satisfies NamesBackend;
