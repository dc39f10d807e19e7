// The harness's own system calls. The harness observes the kernel beside the
// library, never through it: it must not reach into a backend's private state
// (DESIGN.md, the dependency direction), so the few libc calls it makes are
// wrapped here, over the koffi declarations in native-bindings/libc.ts (the
// only native file it imports; Linux numbers and struct layouts come from there).
import koffi from 'koffi';
import { C, E, L, errno, sockaddr_in, sockaddr_in6, sockaddr_ll } from '../../native-bindings/libc.js';
import { AF_INET, AF_INET6 } from '../constants.js';
import { ipToBytes } from '../sockaddr.js';

export { C, E, L, errno, sockaddr_ll };

/** `addr:port` or `[v6]:port` -> its parts. Throws TypeError on anything else. */
export function parseEndpoint(text: string): { address: string; port: number; v6: boolean } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  if (!m) throw new TypeError(`endpoint ${JSON.stringify(text)} is not "addr:port"`);
  return { address: m[1]!, port: Number(m[2]), v6: m[1]!.includes(':') };
}

/** A Linux `struct sockaddr_in` / `sockaddr_in6` for an endpoint (ports in network order). */
export function linuxSockaddr(address: string, port: number): Buffer {
  const v6 = address.includes(':');
  const b = Buffer.alloc(koffi.sizeof(v6 ? sockaddr_in6 : sockaddr_in));
  b.writeUInt16LE(v6 ? L.AF_INET6 : L.AF_INET, 0);
  b.writeUInt16BE(port, 2);
  const ip = ipToBytes(v6 ? AF_INET6 : AF_INET, address);
  b.set(ip, koffi.offsetof(v6 ? sockaddr_in6 : sockaddr_in, v6 ? 'sin6_addr' : 'sin_addr'));
  return b;
}

/** Can a fresh socket bind `addr:port` now (no SO_REUSEADDR)? A raw libc socket: no Winsock handle is issued. */
export function bindable(local: string): { ok: boolean; errno?: number } {
  const { address, port, v6 } = parseEndpoint(local);
  const sa = linuxSockaddr(address, port);
  const fd = C.socket(v6 ? L.AF_INET6 : L.AF_INET, L.SOCK_STREAM | L.SOCK_CLOEXEC, 0);
  if (fd < 0) return { ok: false, errno: errno() };
  try {
    return C.bind(fd, sa, sa.length) === 0 ? { ok: true } : { ok: false, errno: errno() };
  } finally {
    C.close(fd);
  }
}

/** The fields of `struct tcp_info` the harness reads (offsets from linux/tcp.h, stable since 2.6). */
export interface TcpInfo {
  /** tcpi_state: Linux's TCP state number. */
  state: number;
  /** tcpi_retransmits: retransmissions of the current segment so far. */
  retransmits: number;
  /** tcpi_rto in microseconds. */
  rtoUs: number;
  /** tcpi_unacked: on a listener, the accept queue's length now. */
  unacked: number;
  /** tcpi_sacked: on a listener, the accept queue's limit (the backlog the kernel applied). */
  sacked: number;
}

/** getsockopt(TCP_INFO) on a Linux fd; undefined when it is not an open TCP socket. */
export function tcpInfo(fd: number): TcpInfo | undefined {
  const info = Buffer.alloc(256); // ~232 bytes on 6.x; the kernel copies min(len, sizeof)
  const len = Buffer.alloc(4);
  len.writeUInt32LE(info.length);
  if (C.getsockopt(fd, L.IPPROTO_TCP, L.TCP_INFO, info, len) !== 0) return undefined;
  // u8 state, ca_state, retransmits, probes, backoff, options, wscale, flags; u32 rto, ato, snd_mss, rcv_mss, unacked, sacked ...
  return {
    state: info[0]!,
    retransmits: info[2]!,
    rtoUs: info.readUInt32LE(8),
    unacked: info.readUInt32LE(24),
    sacked: info.readUInt32LE(28),
  };
}
