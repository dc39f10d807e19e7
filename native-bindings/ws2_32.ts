// koffi declarations of the ws2_32.dll calls the Windows backend uses. Declared
// once, at module load, and only on Windows: importing this file on another OS
// declares the struct types (pure layout, nothing loaded) and leaves `W` null.
//
// Representation choices (the same conventions as libc.ts):
// - SOCKET is UINT_PTR (64 bits on Win64). koffi gives a Number for a uint64
//   that fits 2^53 and a BigInt beyond, so every SOCKET is normalised to a
//   BigInt at once (`toSocket`): exact for every value, and INVALID_SOCKET
//   (~0) is `INVALID_SOCKET_NATIVE` rather than a rounded double. The public
//   API never sees these: it speaks its own handle numbers (api.ts's table).
// - Pointers to structs are Buffers laid out with the struct types below
//   (koffi.sizeof / koffi.offsetof give the layout); `int *` lengths are
//   Int32Arrays of one element, `u_long *` Uint32Arrays. Buffers and typed
//   arrays are passed to `void *` parameters as pointers to their memory.
// - After a call returns its failure sentinel, read `W.WSAGetLastError()`
//   before any other koffi call: koffi saves the thread's last error after each
//   call and restores it before the next, so what Node does in between cannot
//   overwrite it, but the next koffi call (any function) replaces it.
//
// Layouts are Win64's (x64 and arm64 share them); 32-bit Windows is not a
// target (koffi's win32-ia32 build would need the other WSADATA order).
import koffi from 'koffi';

// --- the Windows structs --------------------------------------------------
// Anonymous on purpose: koffi's type names are global to the process, so a
// named struct would collide with a second copy of this package (ESM and CJS
// in one process) or with a program's own koffi type of the same name. These
// are pure layouts (koffi.sizeof/offsetof); nothing is loaded off Windows.

/** winsock2.h `struct linger`: two u_short (Linux's is two int). */
export const LINGER = koffi.struct({ l_onoff: 'uint16_t', l_linger: 'uint16_t' });

/** winsock2.h WSADATA, Win64 order (iMaxSockets/iMaxUdpDg/lpVendorInfo before the strings). */
export const WSADATA = koffi.struct({
  wVersion: 'uint16_t',
  wHighVersion: 'uint16_t',
  iMaxSockets: 'uint16_t',
  iMaxUdpDg: 'uint16_t',
  lpVendorInfo: 'uintptr_t',
  szDescription: koffi.array('char', 257), // WSADESCRIPTION_LEN + 1
  szSystemStatus: koffi.array('char', 129), // WSASYS_STATUS_LEN + 1
});

/** winsock2.h WSAPOLLFD: a SOCKET and two SHORTs (16 bytes on Win64). */
export const WSAPOLLFD = koffi.struct({ fd: 'uintptr_t', events: 'int16_t', revents: 'int16_t' });

/** ws2def.h SOCKADDR_IN. Port and address are in network byte order. */
export const SOCKADDR_IN = koffi.struct({
  sin_family: 'uint16_t',
  sin_port: koffi.array('uint8_t', 2),
  sin_addr: koffi.array('uint8_t', 4),
  sin_zero: koffi.array('uint8_t', 8),
});

/** ws2ipdef.h SOCKADDR_IN6 (u_long is 32 bits on Windows). */
export const SOCKADDR_IN6 = koffi.struct({
  sin6_family: 'uint16_t',
  sin6_port: koffi.array('uint8_t', 2),
  sin6_flowinfo: 'uint32_t',
  sin6_addr: koffi.array('uint8_t', 16),
  sin6_scope_id: 'uint32_t',
});

/** sizeof(SOCKADDR_STORAGE): room for any address ws2_32 returns. */
export const SOCKADDR_STORAGE_SIZE = 128;

// --- the native handle ----------------------------------------------------
export type NativeSocket = bigint;
/** `(SOCKET)(~0)`, what socket() and accept() return on failure. */
export const INVALID_SOCKET_NATIVE: NativeSocket = 0xffff_ffff_ffff_ffffn;
/** Exact BigInt of a SOCKET as koffi returns it (Number below 2^53, BigInt above). */
export const toSocket = (v: number | bigint): NativeSocket => BigInt(v);

function declare() {
  const lib = koffi.load('ws2_32.dll');
  // WSAAPI is __stdcall; on x64 there is one calling convention and koffi
  // ignores the keyword, but it documents the header's declaration.
  return {
    WSAStartup: lib.func('int __stdcall WSAStartup(uint16_t wVersionRequested, _Out_ void *lpWSAData)'),
    WSACleanup: lib.func('int __stdcall WSACleanup()'),
    WSAGetLastError: lib.func('int __stdcall WSAGetLastError()'),
    WSASetLastError: lib.func('void __stdcall WSASetLastError(int iError)'),
    socket: lib.func('uintptr_t __stdcall socket(int af, int type, int protocol)'),
    bind: lib.func('int __stdcall bind(uintptr_t s, const void *name, int namelen)'),
    listen: lib.func('int __stdcall listen(uintptr_t s, int backlog)'),
    accept: lib.func('uintptr_t __stdcall accept(uintptr_t s, void *addr, void *addrlen)'),
    connect: lib.func('int __stdcall connect(uintptr_t s, const void *name, int namelen)'),
    // Buffers are `void *`, not `char *`: koffi would marshal a char * as a string.
    send: lib.func('int __stdcall send(uintptr_t s, const void *buf, int len, int flags)'),
    recv: lib.func('int __stdcall recv(uintptr_t s, void *buf, int len, int flags)'),
    sendto: lib.func('int __stdcall sendto(uintptr_t s, const void *buf, int len, int flags, const void *to, int tolen)'),
    recvfrom: lib.func('int __stdcall recvfrom(uintptr_t s, void *buf, int len, int flags, void *from, void *fromlen)'),
    shutdown: lib.func('int __stdcall shutdown(uintptr_t s, int how)'),
    closesocket: lib.func('int __stdcall closesocket(uintptr_t s)'),
    // LPWSABUF disconnect data: always NULL from the backend (TCP has none; api.ts rejects it).
    WSASendDisconnect: lib.func('int __stdcall WSASendDisconnect(uintptr_t s, void *lpOutboundDisconnectData)'),
    WSARecvDisconnect: lib.func('int __stdcall WSARecvDisconnect(uintptr_t s, void *lpInboundDisconnectData)'),
    setsockopt: lib.func('int __stdcall setsockopt(uintptr_t s, int level, int optname, const void *optval, int optlen)'),
    getsockopt: lib.func('int __stdcall getsockopt(uintptr_t s, int level, int optname, void *optval, void *optlen)'),
    // `long cmd` is 32 bits on Windows; FIONBIO (0x8004667e) does not fit a signed
    // int, so it is declared unsigned: the same 32-bit register either way.
    ioctlsocket: lib.func('int __stdcall ioctlsocket(uintptr_t s, uint32_t cmd, void *argp)'),
    WSAPoll: lib.func('int __stdcall WSAPoll(void *fdArray, uint32_t fds, int timeout)'),
    getsockname: lib.func('int __stdcall getsockname(uintptr_t s, void *name, void *namelen)'),
    getpeername: lib.func('int __stdcall getpeername(uintptr_t s, void *name, void *namelen)'),
  };
}

export type Ws2_32 = ReturnType<typeof declare>;

/** The ws2_32 functions; null-typed away on other platforms, where nothing may call them. */
export const W: Ws2_32 = process.platform === 'win32' ? declare() : (null as unknown as Ws2_32);
