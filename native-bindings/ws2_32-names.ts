// koffi declarations of ws2_32's name-service calls, used by
// src/backends/win32-names.ts. Declared once, at module load, and only on
// Windows (`WN` is null elsewhere). ws2_32 speaks Winsock's numbers already
// (AF_INET6 = 23, AI_* / NI_*, EAI_* = WSA codes): nothing is translated.
import koffi from 'koffi';

/**
 * ws2def.h ADDRINFOA, Win64 layout: ai_addrlen is a size_t and ai_canonname
 * comes *before* ai_addr (glibc's order is the other way round). Anonymous:
 * koffi's named types are global to the process.
 */
export const ADDRINFOA = koffi.struct({
  ai_flags: 'int',
  ai_family: 'int',
  ai_socktype: 'int',
  ai_protocol: 'int',
  ai_addrlen: 'size_t',
  ai_canonname: 'void *',
  ai_addr: 'void *',
  ai_next: 'void *',
});

function declare() {
  const lib = koffi.load('ws2_32.dll');
  return {
    getaddrinfo: lib.func(
      'int __stdcall getaddrinfo(const char *pNodeName, const char *pServiceName, const void *pHints, _Out_ void **ppResult)',
    ),
    freeaddrinfo: lib.func('void __stdcall freeaddrinfo(void *pAddrInfo)'),
    getnameinfo: lib.func(
      'int __stdcall getnameinfo(const void *pSockaddr, int SockaddrLength, void *pNodeBuffer, uint32_t NodeBufferSize, void *pServiceBuffer, uint32_t ServiceBufferSize, int Flags)',
    ),
    WSAGetLastError: lib.func('int __stdcall WSAGetLastError()'),
  };
}

export type Ws2_32Names = ReturnType<typeof declare>;

export const WN: Ws2_32Names = process.platform === 'win32' ? declare() : (null as unknown as Ws2_32Names);
