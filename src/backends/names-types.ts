// What a name backend (posix-names.ts, win32-names.ts) returns to src/names.ts.
// Codes are WSA codes (0 = success), already translated from the platform's.
import type { SockAddr } from '../constants.js';

/** One result of getaddrinfo, in Winsock's numbers, before src/names.ts links the list. */
export interface RawAddrInfo {
  flags: number;
  family: number;
  socktype: number;
  protocol: number;
  addrlen: number;
  canonname: string | null;
  addr: SockAddr;
}

/** The hints after validation: every field a number (0 where the program gave none). */
export interface Hints {
  flags: number;
  family: number;
  socktype: number;
  protocol: number;
}

export interface Resolved {
  rc: number;
  list: RawAddrInfo[];
}

export interface NameInfo {
  rc: number;
  host: string | null;
  serv: string | null;
}

export interface NamesBackend {
  resolve(node: string | null, service: string | null, hints: Hints | null): Resolved;
  resolveAsync(node: string | null, service: string | null, hints: Hints | null): Promise<Resolved>;
  nameinfo(addr: SockAddr, hostlen: number, servlen: number, flags: number): NameInfo;
  nameinfoAsync(addr: SockAddr, hostlen: number, servlen: number, flags: number): Promise<NameInfo>;
}
