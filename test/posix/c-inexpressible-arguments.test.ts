// Rule: a number C cannot pass as the parameter's int (1.5, NaN, ±Infinity,
// beyond 32 bits) is WSAEINVAL in api.ts, on every backend, before any backend
// runs: it must never reach ws2_32 as some other int (koffi would truncate
// it). Values that are ints go to the backend, which answers as Winsock does.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, ok, useWinsock } from '../helpers.js';

useWinsock();

const BAD = [1.5, NaN, Infinity, -Infinity, 2 ** 40];

it('socket(af, type, protocol)', () => {
  for (const v of BAD) {
    expect(lastErrorOf(W.socket(v, W.SOCK_STREAM, 0)), `af ${v}`).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.socket(W.AF_INET, v, 0)), `type ${v}`).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.socket(W.AF_INET, W.SOCK_STREAM, v)), `protocol ${v}`).toBe(W.WSA.WSAEINVAL);
  }
});

it('listen backlog, shutdown how, option level and name, ioctlsocket cmd', () => {
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
  ok(W.bind(s, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
  for (const v of BAD) {
    expect(lastErrorOf(W.listen(s, v)), `backlog ${v}`).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.shutdown(s, v)), `how ${v}`).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.getsockopt(s, v, W.SO_RCVBUF, [0])), `level ${v}`).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.setsockopt(s, W.SOL_SOCKET, v, 1)), `optname ${v}`).toBe(W.WSA.WSAEINVAL);
    expect(lastErrorOf(W.ioctlsocket(s, v, [0])), `cmd ${v}`).toBe(W.WSA.WSAEINVAL);
  }
  // The socket was never touched: it still listens.
  ok(W.listen(s, 1));
  const v = [0];
  ok(W.getsockopt(s, W.SOL_SOCKET, W.SO_ACCEPTCONN, v));
  expect(v[0]).toBe(1);
  ok(W.closesocket(s));
});
