// The Windows structs must have Win64's exact layout: ws2_32 reads and writes them
// as raw memory, so one wrong offset corrupts a call silently. These sizes and
// offsets are the SDK headers' (winsock2.h, ws2def.h, ws2ipdef.h) for x64/arm64.
// Importing the bindings on Linux must load no DLL.
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { INVALID_SOCKET_NATIVE, LINGER, SOCKADDR_IN, SOCKADDR_IN6, W, WSADATA, WSAPOLLFD, toSocket } from '../../native-bindings/ws2_32.js';
import * as win32 from '../../src/backends/win32.js';
import type { Backend } from '../../src/backends/backend.js';

describe('ws2_32.dll bindings', () => {
  it('struct linger is two u_short (4 bytes), unlike Linux two ints', () => {
    expect(koffi.sizeof(LINGER)).toBe(4);
    expect(koffi.offsetof(LINGER, 'l_linger')).toBe(2);
  });

  it('WSADATA has the Win64 order: 408 bytes, strings after lpVendorInfo', () => {
    expect(koffi.sizeof(WSADATA)).toBe(408);
    expect(koffi.offsetof(WSADATA, 'iMaxSockets')).toBe(4);
    expect(koffi.offsetof(WSADATA, 'lpVendorInfo')).toBe(8);
    expect(koffi.offsetof(WSADATA, 'szDescription')).toBe(16);
    expect(koffi.offsetof(WSADATA, 'szSystemStatus')).toBe(16 + 257);
  });

  it('WSAPOLLFD is a pointer-sized SOCKET then two SHORTs (16 bytes)', () => {
    expect(koffi.sizeof(WSAPOLLFD)).toBe(16);
    expect(koffi.offsetof(WSAPOLLFD, 'events')).toBe(8);
    expect(koffi.offsetof(WSAPOLLFD, 'revents')).toBe(10);
  });

  it('SOCKADDR_IN is 16 bytes and SOCKADDR_IN6 28 (u_long is 32 bits on Windows)', () => {
    expect(koffi.sizeof(SOCKADDR_IN)).toBe(16);
    expect(koffi.offsetof(SOCKADDR_IN, 'sin_addr')).toBe(4);
    expect(koffi.sizeof(SOCKADDR_IN6)).toBe(28);
    expect(koffi.offsetof(SOCKADDR_IN6, 'sin6_addr')).toBe(8);
    expect(koffi.offsetof(SOCKADDR_IN6, 'sin6_scope_id')).toBe(24);
  });

  it('keeps SOCKET values exact as BigInt, INVALID_SOCKET included', () => {
    expect(toSocket(0xffff_ffff_ffff_ffffn)).toBe(INVALID_SOCKET_NATIVE);
    expect(toSocket(2 ** 53 - 1)).toBe(2n ** 53n - 1n);
    // koffi returns a Number below 2^53: the same handle either way.
    expect(toSocket(260)).toBe(toSocket(260n));
  });

  it.runIf(process.platform !== 'win32')('loads no DLL off Windows', () => {
    expect(W).toBeNull();
  });

  it('win32.ts implements the Backend interface under the same names as posix.ts', () => {
    const b: Backend<win32.Win32Sock> = win32; // the compile-time half of this check
    expect(b.name).toBe('win32');
    const fns = Object.entries(win32)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    expect(fns).toEqual(
      [
        'abort',
        'accept',
        'bind',
        'cleanup',
        'closesocket',
        'connect',
        'getpeername',
        'getsockname',
        'getsockopt',
        'ioctlsocket',
        'listen',
        'poll',
        'recv',
        'recvDisconnect',
        'recvfrom',
        'select',
        'send',
        'sendDisconnect',
        'sendto',
        'setsockopt',
        'shutdown',
        'socket',
        'startup',
      ].sort(),
    );
  });
});
