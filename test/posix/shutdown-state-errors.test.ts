// Contract: shutdown on an unconnected or listening TCP socket is WSAENOTCONN
// (Linux: 0 on a listening one); a `how` outside 0..2 is WSAEINVAL, checked
// before the socket's state; repeating a shutdown is not an error.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, listener, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

describe('shutdown state errors', () => {
  it('is WSAENOTCONN on an unconnected TCP socket, for every how', () => {
    const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    for (const how of [W.SD_RECEIVE, W.SD_SEND, W.SD_BOTH]) {
      expect(lastErrorOf(W.shutdown(s, how))).toBe(W.WSA.WSAENOTCONN);
    }
    expect(lastErrorOf(W.WSASendDisconnect(s))).toBe(W.WSA.WSAENOTCONN);
    expect(W.closesocket(s)).toBe(0);
  });

  it('is WSAENOTCONN on a listening socket (Linux would return 0)', () => {
    const l = listener();
    for (const how of [W.SD_RECEIVE, W.SD_SEND, W.SD_BOTH]) {
      expect(lastErrorOf(W.shutdown(l.s, how))).toBe(W.WSA.WSAENOTCONN);
    }
    // The listener still accepts.
    const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    expect(W.connect(c, l.addr)).toBe(0);
    expect(W.accept(l.s)).toBeGreaterThan(0);
  });

  it('is WSAEINVAL for how outside 0..2, before the state is looked at', () => {
    const unconnected = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    const { client } = tcpPair();
    for (const s of [unconnected, client]) {
      for (const how of [3, -1, 4, 1.5, NaN, 0x7fffffff]) {
        expect(lastErrorOf(W.shutdown(s, how))).toBe(W.WSA.WSAEINVAL);
      }
    }
    // A connected socket's state was not changed by the rejected calls.
    expect(W.send(client, Buffer.from('x'))).toBe(1);
  });

  it('is 0 when repeated, in any order', () => {
    const { client } = tcpPair();
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(W.shutdown(client, W.SD_RECEIVE)).toBe(0);
    expect(W.shutdown(client, W.SD_BOTH)).toBe(0);
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
  });
});
