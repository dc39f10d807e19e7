// Winsock's numbers. The public API speaks only these, on every OS; the POSIX
// backend translates them to Linux's values next to each call that needs it.

export type SOCKET = number;
export const INVALID_SOCKET: SOCKET = -1;
export const SOCKET_ERROR = -1;

// Address families (ws2def.h). AF_INET6 is 23 on Windows, 10 on Linux.
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 23;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;

// Socket-level options (SOL_SOCKET = 0xffff on Windows, 1 on Linux).
export const SOL_SOCKET = 0xffff;
export const SO_DEBUG = 0x0001;
export const SO_ACCEPTCONN = 0x0002;
export const SO_REUSEADDR = 0x0004;
export const SO_KEEPALIVE = 0x0008;
export const SO_DONTROUTE = 0x0010;
export const SO_BROADCAST = 0x0020;
export const SO_LINGER = 0x0080;
export const SO_OOBINLINE = 0x0100;
export const SO_DONTLINGER = ~SO_LINGER; // -129
export const SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR; // -5
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
// SO_SNDLOWAT (0x1003) and SO_RCVLOWAT (0x1004) are not exported: Microsoft's
// TCP/IP provider does not support them, and the library does not either.
export const SO_SNDTIMEO = 0x1005;
export const SO_RCVTIMEO = 0x1006;
export const SO_ERROR = 0x1007;
export const SO_TYPE = 0x1008;

export const TCP_NODELAY = 0x0001; // level IPPROTO_TCP
export const IPV6_V6ONLY = 27; // level IPPROTO_IPV6

// shutdown(how)
export const SD_RECEIVE = 0;
export const SD_SEND = 1;
export const SD_BOTH = 2;

// send/recv flags
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_WAITALL = 0x8;

// ioctlsocket commands
export const FIONBIO = 0x8004667e;
export const FIONREAD = 0x4004667f;

// listen backlog
export const SOMAXCONN = 0x7fffffff;
/** The backlog value that asks for `n` pending connections, clamped to 200..65535. */
export const SOMAXCONN_HINT = (n: number): number => -n;

// WSAPoll events (winsock2.h values, not Linux's)
export const POLLRDNORM = 0x0100;
export const POLLRDBAND = 0x0200;
export const POLLIN = POLLRDNORM | POLLRDBAND;
export const POLLPRI = 0x0400;
export const POLLWRNORM = 0x0010;
export const POLLOUT = POLLWRNORM;
export const POLLWRBAND = 0x0020;
export const POLLERR = 0x0001;
export const POLLHUP = 0x0002;
export const POLLNVAL = 0x0004;

/** MAKEWORD(lo, hi) as in windef.h: `MAKEWORD(2, 2)` is Winsock 2.2. */
export const MAKEWORD = (lo: number, hi: number): number => (lo & 0xff) | ((hi & 0xff) << 8);

export interface SockAddr {
  family: number;
  address: string;
  port: number;
}

/** `struct linger` as Winsock declares it: two `u_short`. */
export interface Linger {
  l_onoff: number;
  l_linger: number;
}

export interface WSAPOLLFD {
  fd: SOCKET;
  events: number;
  revents: number;
}

export interface WSAData {
  wVersion: number;
  wHighVersion: number;
  szDescription: string;
  szSystemStatus: string;
  iMaxSockets: number;
  iMaxUdpDg: number;
}
