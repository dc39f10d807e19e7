// koffi declaration of ws2_32's select, used by src/backends/win32-select.ts.
// Declared once, at module load, and only on Windows.
//
// Layouts (Win64): fd_set is `u_int fd_count` then `SOCKET fd_array[]`, the
// array 8-aligned (offset 8); struct timeval is two 32-bit `long`s.
import koffi from 'koffi';

export const FD_SET_ARRAY_OFFSET = 8;
export const TIMEVAL_SIZE = 8;

function declare() {
  const lib = koffi.load('ws2_32.dll');
  return {
    select: lib.func('int __stdcall select(int nfds, void *readfds, void *writefds, void *exceptfds, const void *timeout)'),
    WSAGetLastError: lib.func('int __stdcall WSAGetLastError()'),
  };
}

export type Ws2_32Select = ReturnType<typeof declare>;

export const WS: Ws2_32Select = process.platform === 'win32' ? declare() : (null as unknown as Ws2_32Select);
