// Rule: every call before WSAStartup answers WSANOTINITIALISED (10093);
// WSAStartup returns its error code directly, grants at most 2.2, and is
// reference-counted (n startups need n cleanups; one more WSACleanup fails).
//
// This file must not use useWinsock(): its first tests run before any
// WSAStartup. vitest's 'forks' pool gives each file a fresh process, so the
// library's start-up count is 0 when the file begins.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, WSAData } from '../../src/index.js';
import { handleCalls } from '../helpers.js';

const NOT_INIT = W.WSA.WSANOTINITIALISED;

/** Each call's return value and last error, after clearing the last error. */
function outcomes(calls: Array<[string, () => number]>): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [name, call] of calls) {
    W.WSASetLastError(0);
    const rc = call();
    out[name] = [rc, W.WSAGetLastError()];
  }
  return out;
}

function allNotInitialised(calls: Array<[string, () => number]>): Record<string, [number, number]> {
  return Object.fromEntries(calls.map(([name]) => [name, [-1, NOT_INIT]]));
}

describe('before WSAStartup', () => {
  it('socket() answers INVALID_SOCKET with WSANOTINITIALISED', () => {
    W.WSASetLastError(0);
    expect(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
    W.WSASetLastError(0);
    expect(W.socket(W.AF_INET6, W.SOCK_DGRAM, 0)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
  });

  it('every handle-taking call answers WSANOTINITIALISED (any handle, even a plausible one)', () => {
    // 0x1000 is the first handle the library would issue after a start-up.
    for (const h of [0x1000, 0, 3, -1, 1e9]) {
      expect(outcomes(handleCalls(h)), `handle ${h}`).toEqual(allNotInitialised(handleCalls(h)));
    }
  });

  it('WSAPoll answers SOCKET_ERROR with WSANOTINITIALISED and leaves revents alone', () => {
    const fds = [{ fd: 0x1000, events: W.POLLRDNORM, revents: 77 }];
    W.WSASetLastError(0);
    expect(W.WSAPoll(fds, 0)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
    expect(fds[0]!.revents).toBe(77);
  });

  it('WSACleanup answers SOCKET_ERROR with WSANOTINITIALISED', () => {
    W.WSASetLastError(0);
    expect(W.WSACleanup()).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
  });

  it('WSAGetLastError/WSASetLastError work without a start-up', () => {
    W.WSASetLastError(W.WSA.WSAEINTR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINTR);
    W.WSASetLastError(0);
    expect(W.WSAGetLastError()).toBe(0);
  });

  it('a type error still throws before the initialisation check (argument validation comes first)', () => {
    expect(() => W.send('x' as unknown as number, Buffer.alloc(1))).toThrow(TypeError);
  });
});

describe('WSAStartup', () => {
  it('version 0 (major 0) returns WSAVERNOTSUPPORTED directly and does not start', () => {
    W.WSASetLastError(0);
    expect(W.WSAStartup(0)).toBe(W.WSA.WSAVERNOTSUPPORTED);
    expect(W.WSAStartup(W.MAKEWORD(0, 2))).toBe(W.WSA.WSAVERNOTSUPPORTED);
    // The code is the return value, not the last error.
    expect(W.WSAGetLastError()).toBe(0);
    // Still not started.
    expect(W.socket(W.AF_INET, W.SOCK_STREAM, 0)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
  });

  it('a non-number version is a TypeError', () => {
    expect(() => W.WSAStartup('2.2' as unknown as number)).toThrow(TypeError);
  });

  it('3.0 is granted as 2.2 in data.wVersion; wHighVersion is 2.2', () => {
    const data = {} as WSAData;
    expect(W.WSAStartup(W.MAKEWORD(3, 0), data)).toBe(0);
    expect(data.wVersion).toBe(W.MAKEWORD(2, 2));
    expect(data.wHighVersion).toBe(W.MAKEWORD(2, 2));
    expect(W.WSACleanup()).toBe(0);
  });

  it('2.3 is granted as 2.2; 1.1 and 2.0 are granted as asked', () => {
    for (const [asked, granted] of [
      [W.MAKEWORD(2, 3), W.MAKEWORD(2, 2)],
      [W.MAKEWORD(1, 1), W.MAKEWORD(1, 1)],
      [W.MAKEWORD(2, 0), W.MAKEWORD(2, 0)],
      [W.MAKEWORD(2, 2), W.MAKEWORD(2, 2)],
    ] as const) {
      const data = {} as WSAData;
      expect(W.WSAStartup(asked, data), `version 0x${asked.toString(16)}`).toBe(0);
      expect(data.wVersion, `version 0x${asked.toString(16)}`).toBe(granted);
      expect(W.WSACleanup()).toBe(0);
    }
  });

  it('after the last WSACleanup the library is uninitialised again', () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    expect(W.WSACleanup()).toBe(0);
    W.WSASetLastError(0);
    expect(W.socket(W.AF_INET, W.SOCK_STREAM, 0)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
  });
});

describe('reference counting', () => {
  it('two startups need two cleanups; a third cleanup fails with WSANOTINITIALISED', () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    expect(s).not.toBe(W.INVALID_SOCKET);

    // First cleanup: still started, the socket is still usable.
    expect(W.WSACleanup()).toBe(0);
    const out: number[] = [];
    expect(W.getsockopt(s, W.SOL_SOCKET, W.SO_TYPE, out)).toBe(0);
    expect(out[0]).toBe(W.SOCK_STREAM);
    const s2 = W.socket(W.AF_INET, W.SOCK_DGRAM, 0);
    expect(s2).not.toBe(W.INVALID_SOCKET);

    // Second cleanup: the last one. Everything answers WSANOTINITIALISED.
    expect(W.WSACleanup()).toBe(0);
    W.WSASetLastError(0);
    expect(W.getsockopt(s, W.SOL_SOCKET, W.SO_TYPE, out)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
    expect(W.socket(W.AF_INET, W.SOCK_STREAM, 0)).toBe(W.INVALID_SOCKET);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);

    // An extra cleanup.
    W.WSASetLastError(0);
    expect(W.WSACleanup()).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);

    // A fresh start-up does not resurrect the old handles: the last cleanup freed them.
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    W.WSASetLastError(0);
    expect(W.getsockopt(s, W.SOL_SOCKET, W.SO_TYPE, out)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    expect(W.closesocket(s2)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    expect(W.WSACleanup()).toBe(0);
  });

  it('a failed WSAStartup (bad version) does not add to the count', () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    expect(W.WSAStartup(0)).toBe(W.WSA.WSAVERNOTSUPPORTED);
    expect(W.WSACleanup()).toBe(0);
    W.WSASetLastError(0);
    expect(W.WSACleanup()).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(NOT_INIT);
  });
});
