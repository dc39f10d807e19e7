// addrinfo is laid out differently by Windows and glibc, and both are read as raw
// memory: ws2def.h's ADDRINFOA (Win64) has ai_addrlen as a size_t and ai_canonname
// before ai_addr; glibc's netdb.h has a socklen_t and ai_addr before ai_canonname.
// Also checks the win32 select layout constants and that the bindings load no DLL
// on Linux.
import koffi from 'koffi';
import { expect, it } from 'vitest';
import { addrinfo, N } from '../../native-bindings/libc-names.js';
import { ADDRINFOA, WN } from '../../native-bindings/ws2_32-names.js';
import { FD_SET_ARRAY_OFFSET, TIMEVAL_SIZE, WS } from '../../native-bindings/ws2_32-select.js';

it('ADDRINFOA (Win64): 48 bytes, ai_addrlen a size_t at 16, ai_canonname at 24, ai_addr at 32, ai_next at 40', () => {
  expect(koffi.sizeof(ADDRINFOA)).toBe(48);
  expect(koffi.offsetof(ADDRINFOA, 'ai_addrlen')).toBe(16);
  expect(koffi.sizeof('size_t')).toBe(8);
  expect(koffi.offsetof(ADDRINFOA, 'ai_canonname')).toBe(24);
  expect(koffi.offsetof(ADDRINFOA, 'ai_addr')).toBe(32);
  expect(koffi.offsetof(ADDRINFOA, 'ai_next')).toBe(40);
});

it("glibc's addrinfo: 48 bytes, ai_addr at 24 before ai_canonname at 32", () => {
  expect(koffi.sizeof(addrinfo)).toBe(48);
  expect(koffi.offsetof(addrinfo, 'ai_addrlen')).toBe(16);
  expect(koffi.offsetof(addrinfo, 'ai_addr')).toBe(24);
  expect(koffi.offsetof(addrinfo, 'ai_canonname')).toBe(32);
  expect(koffi.offsetof(addrinfo, 'ai_next')).toBe(40);
});

it('Win64 fd_set keeps its SOCKET array 8-aligned after the u_int count; timeval is two 32-bit longs', () => {
  expect(FD_SET_ARRAY_OFFSET).toBe(8);
  expect(TIMEVAL_SIZE).toBe(8);
});

it('on Linux the ws2_32 name and select bindings load nothing; libc-names does', () => {
  expect(WN).toBeNull();
  expect(WS).toBeNull();
  expect(typeof N.getaddrinfo).toBe('function');
});
