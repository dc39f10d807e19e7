// koffi declarations of the Linux libc calls the POSIX backend and the harness
// use. Declared once, at module load, and only on Linux: importing this file on
// another OS loads nothing (`C` is then null and only win32.ts runs).
//
// Pointers to structs are passed as Buffers the caller lays out with the struct
// types below (koffi.sizeof / koffi.offsetof give the layout); out-lengths
// (socklen_t *) are 4-byte Buffers. errno must be read with koffi.errno() in the
// statement right after a failing call: later JavaScript may clobber it.
import koffi from 'koffi';

// --- the C structs --------------------------------------------------------
// Anonymous on purpose: koffi's type names are global to the process, so a
// named struct ('sockaddr_in', 'timeval') would throw "Duplicate type name"
// when the package loads twice (ESM import plus CommonJS require) or when the
// program declared its own koffi type of that name. These are pure layouts
// (koffi.sizeof/offsetof); the functions below are declared on Linux only.
export const sockaddr_in = koffi.struct({
  sin_family: 'uint16_t',
  sin_port: koffi.array('uint8_t', 2), // network byte order
  sin_addr: koffi.array('uint8_t', 4),
  sin_zero: koffi.array('uint8_t', 8),
});
export const sockaddr_in6 = koffi.struct({
  sin6_family: 'uint16_t',
  sin6_port: koffi.array('uint8_t', 2),
  sin6_flowinfo: 'uint32_t',
  sin6_addr: koffi.array('uint8_t', 16),
  sin6_scope_id: 'uint32_t',
});
/** Large enough for any address family we decode (struct sockaddr_storage). */
export const SOCKADDR_STORAGE_SIZE = 128;
/** Linux's linger: two ints (Winsock's is two u_short). */
export const linger = koffi.struct({ l_onoff: 'int', l_linger: 'int' });
export const pollfd = koffi.struct({ fd: 'int', events: 'short', revents: 'short' });
export const timeval = koffi.struct({ tv_sec: 'long', tv_usec: 'long' });
/** struct sockaddr_ll for AF_PACKET (the harness's capture). */
export const sockaddr_ll = koffi.struct({
  sll_family: 'uint16_t',
  sll_protocol: 'uint16_t',
  sll_ifindex: 'int',
  sll_hatype: 'uint16_t',
  sll_pkttype: 'uint8_t',
  sll_halen: 'uint8_t',
  sll_addr: koffi.array('uint8_t', 8),
});

// --- Linux's numbers ------------------------------------------------------
export const L = {
  AF_UNSPEC: 0,
  AF_INET: 2,
  AF_INET6: 10,
  AF_PACKET: 17,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IPV6: 41,
  SOL_SOCKET: 1,
  SOL_PACKET: 263,
  SO_DEBUG: 1,
  SO_REUSEADDR: 2,
  SO_TYPE: 3,
  SO_ERROR: 4,
  SO_DONTROUTE: 5,
  SO_BROADCAST: 6,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_KEEPALIVE: 9,
  SO_OOBINLINE: 10,
  SO_LINGER: 13,
  SO_RCVLOWAT: 18,
  SO_SNDLOWAT: 19,
  SO_RCVTIMEO: 20,
  SO_SNDTIMEO: 21,
  SO_ACCEPTCONN: 30,
  TCP_NODELAY: 1,
  TCP_INFO: 11,
  // tcpi_state values (include/net/tcp_states.h)
  TCP_SYN_SENT: 2,
  IPV6_V6ONLY: 26,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  MSG_OOB: 0x1,
  MSG_PEEK: 0x2,
  MSG_DONTROUTE: 0x4,
  MSG_TRUNC: 0x20,
  MSG_DONTWAIT: 0x40,
  MSG_WAITALL: 0x100,
  MSG_NOSIGNAL: 0x4000,
  F_GETFL: 3,
  F_SETFL: 4,
  O_NONBLOCK: 0o4000,
  FIONREAD: 0x541b,
  FIONBIO: 0x5421,
  SIOCOUTQ: 0x5411,
  SIOCOUTQNSD: 0x894b,
  EFD_NONBLOCK: 0o4000,
  EFD_CLOEXEC: 0o2000000,
  POLLIN: 0x1,
  POLLPRI: 0x2,
  POLLOUT: 0x4,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  POLLRDNORM: 0x40,
  POLLRDBAND: 0x80,
  POLLWRNORM: 0x100,
  POLLWRBAND: 0x200,
  POLLRDHUP: 0x2000,
  ETH_P_ALL: 0x0003,
  // AF_PACKET capture (the harness): linux/if_packet.h, asm-generic/sockios.h, asm-generic/socket.h.
  PACKET_OUTGOING: 4,
  PACKET_STATISTICS: 6,
  SIOCGSTAMP: 0x8906,
  SO_ATTACH_FILTER: 26,
  SO_RCVBUFFORCE: 33,
} as const;

/** Linux's errno numbers (x86-64 and arm64 share these generic values). */
export const E = {
  EPERM: 1,
  EINTR: 4,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EPIPE: 32,
  ENAMETOOLONG: 36,
  ELOOP: 40,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
} as const;

function declare() {
  const lib = koffi.load('libc.so.6');
  return {
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, const void *addr, uint32_t addrlen)'),
    listen: lib.func('int listen(int fd, int backlog)'),
    accept4: lib.func('int accept4(int fd, void *addr, void *addrlen, int flags)'),
    connect: lib.func('int connect(int fd, const void *addr, uint32_t addrlen)'),
    send: lib.func('long send(int fd, const void *buf, size_t len, int flags)'),
    recv: lib.func('long recv(int fd, void *buf, size_t len, int flags)'),
    sendto: lib.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)'),
    recvfrom: lib.func('long recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)'),
    shutdown: lib.func('int shutdown(int fd, int how)'),
    close: lib.func('int close(int fd)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)'),
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *val, void *len)'),
    // ioctl and fcntl are variadic in C; on the Linux x86-64 and arm64 ABIs a
    // trailing pointer/int argument is passed the same way either way.
    ioctl: lib.func('int ioctl(int fd, unsigned long request, void *arg)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, int arg)'),
    poll: lib.func('int poll(void *fds, unsigned long nfds, int timeout)'),
    getsockname: lib.func('int getsockname(int fd, void *addr, void *addrlen)'),
    getpeername: lib.func('int getpeername(int fd, void *addr, void *addrlen)'),
    if_nametoindex: lib.func('unsigned int if_nametoindex(const char *name)'),
    // A thread's wake-up for its blocking waits (src/backends/posix-wake.ts).
    eventfd: lib.func('int eventfd(unsigned int initval, int flags)'),
    read: lib.func('long read(int fd, void *buf, size_t len)'),
    write: lib.func('long write(int fd, const void *buf, size_t len)'),
    // The calling thread's kernel id: tells whether a thread holding a wake-up entry still exists.
    gettid: lib.func('int gettid()'),
  };
}

export type Libc = ReturnType<typeof declare>;

/** The libc functions; null-typed away on other platforms, where nothing may call them. */
export const C: Libc = process.platform === 'linux' ? declare() : (null as unknown as Libc);

/** errno of the call just made (read it before any other JavaScript runs). */
export const errno = (): number => koffi.errno();
