// Rule: a getsockopt output of the wrong shape is a TypeError naming it (an
// array for SO_LINGER, which takes a Linger object; an object for an int
// option), never a silent 0; the options exported are the ones that work as
// on Windows: SO_DEBUG and SO_EXCLUSIVEADDRUSE keep and read back what was set
// (sock.c test_so_debug, test_reuseaddr), and SO_SNDLOWAT/SO_RCVLOWAT, which
// Microsoft's provider does not support, are not exported.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { ok, useWinsock } from '../helpers.js';

useWinsock();

describe('getsockopt output shapes', () => {
  it('SO_LINGER into [] is a TypeError (regression: it returned 0)', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    expect(() => W.getsockopt(s, W.SOL_SOCKET, W.SO_LINGER, [])).toThrow(/getsockopt: out must be a Linger object, got an array/);
    expect(() => W.getsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, { l_onoff: 0, l_linger: 0 })).toThrow(TypeError);
    const l = { l_onoff: 9, l_linger: 9 };
    expect(W.getsockopt(s, W.SOL_SOCKET, W.SO_LINGER, l)).toBe(0);
    expect(l).toEqual({ l_onoff: 0, l_linger: 0 });
    ok(W.closesocket(s));
  });
});

describe('exported options work as on Windows', () => {
  it('SO_SNDLOWAT and SO_RCVLOWAT are not exported', () => {
    expect('SO_SNDLOWAT' in W).toBe(false);
    expect('SO_RCVLOWAT' in W).toBe(false);
  });

  it('SO_DEBUG reads 0, accepts 2 and reads back 1', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    const v = [9];
    expect(W.getsockopt(s, W.SOL_SOCKET, W.SO_DEBUG, v)).toBe(0);
    expect(v[0]).toBe(0);
    expect(W.setsockopt(s, W.SOL_SOCKET, W.SO_DEBUG, 2)).toBe(0);
    expect(W.getsockopt(s, W.SOL_SOCKET, W.SO_DEBUG, v)).toBe(0);
    expect(v[0]).toBe(1);
    ok(W.closesocket(s));
  });

  it('SO_EXCLUSIVEADDRUSE reads back, and a specific address under an exclusive wildcard holder is WSAEACCES', () => {
    const a = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    const b = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.setsockopt(a, W.SOL_SOCKET, W.SO_EXCLUSIVEADDRUSE, true));
    const v = [9];
    ok(W.getsockopt(a, W.SOL_SOCKET, W.SO_EXCLUSIVEADDRUSE, v));
    expect(v[0]).toBe(1);
    ok(W.bind(a, { family: W.AF_INET, address: '0.0.0.0', port: 0 }));
    const at = { family: 0, address: '', port: 0 };
    ok(W.getsockname(a, at));
    expect(W.bind(b, { family: W.AF_INET, address: '127.0.0.1', port: at.port })).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEACCES);
    // Once the holder is closed the address is free again.
    ok(W.closesocket(a));
    ok(W.bind(b, { family: W.AF_INET, address: '127.0.0.1', port: at.port }));
    ok(W.closesocket(b));
  });
});
