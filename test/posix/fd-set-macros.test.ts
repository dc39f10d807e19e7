// Rule: winsock2.h's fd_set is a count and an array of SOCKETs: FD_SET adds a
// socket once and ignores it when the set holds FD_SETSIZE (64) already,
// FD_CLR removes it keeping the others' order, FD_ISSET is __WSAFDIsSet
// (nonzero when present), FD_ZERO empties. Microsoft's fd_set and FD_SET pages.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';

describe('fd_set macros', () => {
  it('FD_SETSIZE is 64; FD_SET ignores a socket beyond it, like the macro', () => {
    expect(W.FD_SETSIZE).toBe(64);
    const set = W.fd_set();
    for (let i = 0; i < 70; i++) W.FD_SET(0x1000 + 4 * i, set);
    expect(set.fd_count).toBe(64);
    expect(set.fd_array.length).toBe(64);
    expect(W.FD_ISSET(0x1000 + 4 * 63, set)).toBe(1);
    expect(W.FD_ISSET(0x1000 + 4 * 64, set)).toBe(0);
  });

  it('a set made with a larger capacity stands in for #define FD_SETSIZE n', () => {
    const set = W.fd_set(100);
    for (let i = 0; i < 120; i++) W.FD_SET(i, set);
    expect(set.fd_count).toBe(100);
  });

  it('FD_SET adds a socket once', () => {
    const set = W.fd_set();
    W.FD_SET(8, set);
    W.FD_SET(8, set);
    expect(set).toEqual({ fd_count: 1, fd_array: [8] });
  });

  it('FD_CLR removes and keeps the order; FD_ZERO empties', () => {
    const set = W.fd_set();
    [4, 8, 12, 16].forEach((s) => W.FD_SET(s, set));
    W.FD_CLR(8, set);
    expect(set).toEqual({ fd_count: 3, fd_array: [4, 12, 16] });
    W.FD_CLR(99, set);
    expect(set.fd_count).toBe(3);
    W.FD_ZERO(set);
    expect(set).toEqual({ fd_count: 0, fd_array: [] });
  });

  it('FD_ISSET looks only at the first fd_count entries, as C does', () => {
    const set: W.fd_set = { fd_count: 1, fd_array: [4, 8] };
    expect(W.FD_ISSET(4, set)).toBe(1);
    expect(W.FD_ISSET(8, set)).toBe(0);
  });

  it('bad arguments throw TypeError/RangeError', () => {
    expect(() => W.FD_SET('4' as never, W.fd_set())).toThrow(TypeError);
    expect(() => W.FD_ZERO({} as never)).toThrow(TypeError);
    expect(() => W.FD_ISSET(4, { fd_count: 3, fd_array: [] })).toThrow(RangeError);
    expect(() => W.fd_set(0)).toThrow(RangeError);
  });
});
