// koffi declarations of glibc's name-service calls (getaddrinfo, freeaddrinfo,
// getnameinfo), used by src/backends/posix-names.ts. Declared once, at module
// load, and only on Linux (`N` is null elsewhere).
//
// The struct is anonymous: koffi's named types are global to the process, and a
// second copy of the package (ESM and CommonJS in one process) would collide.
// glibc's `struct addrinfo` puts ai_addr *before* ai_canonname; Windows' order
// is the other way round (see ws2_32-names.ts).
import koffi from 'koffi';

/** glibc's struct addrinfo (x86-64 and arm64: 48 bytes). Pointers are read with koffi.decode/view. */
export const addrinfo = koffi.struct({
  ai_flags: 'int',
  ai_family: 'int',
  ai_socktype: 'int',
  ai_protocol: 'int',
  ai_addrlen: 'uint32_t',
  ai_addr: 'void *',
  ai_canonname: 'void *',
  ai_next: 'void *',
});

/** glibc's getaddrinfo/getnameinfo flag and error numbers (netdb.h). */
export const LN = {
  AI_PASSIVE: 0x1,
  AI_CANONNAME: 0x2,
  AI_NUMERICHOST: 0x4,
  AI_V4MAPPED: 0x8,
  AI_ALL: 0x10,
  AI_ADDRCONFIG: 0x20,
  AI_NUMERICSERV: 0x400,
  NI_NUMERICHOST: 1,
  NI_NUMERICSERV: 2,
  NI_NOFQDN: 4,
  NI_NAMEREQD: 8,
  NI_DGRAM: 16,
  EAI_BADFLAGS: -1,
  EAI_NONAME: -2,
  EAI_AGAIN: -3,
  EAI_FAIL: -4,
  EAI_NODATA: -5,
  EAI_FAMILY: -6,
  EAI_SOCKTYPE: -7,
  EAI_SERVICE: -8,
  EAI_ADDRFAMILY: -9,
  EAI_MEMORY: -10,
  EAI_SYSTEM: -11,
  EAI_OVERFLOW: -12,
} as const;

function declare() {
  const lib = koffi.load('libc.so.6');
  return {
    // `res` is an out-pointer: a one-element array receives the list's address.
    getaddrinfo: lib.func('int getaddrinfo(const char *node, const char *service, const void *hints, _Out_ void **res)'),
    freeaddrinfo: lib.func('void freeaddrinfo(void *res)'),
    // host/serv are Buffers the caller sizes (void *, not char *: koffi would marshal a string).
    getnameinfo: lib.func(
      'int getnameinfo(const void *sa, uint32_t salen, void *host, uint32_t hostlen, void *serv, uint32_t servlen, int flags)',
    ),
  };
}

export type LibcNames = ReturnType<typeof declare>;

/** The functions; null-typed away on other platforms, where nothing may call them. */
export const N: LibcNames = process.platform === 'linux' ? declare() : (null as unknown as LibcNames);
