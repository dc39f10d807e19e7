// Rules from Microsoft's connect/send/getsockname pages that Linux does not
// keep by itself: connecting to the any-address or port 0, connecting a
// listening socket, sending on a never-connected stream socket, naming an
// unbound socket.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, listener, useWinsock } from '../helpers.js';

useWinsock();

it('connect to the any-address or to port 0 is WSAEADDRNOTAVAIL (Linux would reach the local host)', () => {
  const l = listener();
  const s = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
  expect(lastErrorOf(W.connect(s, { family: W.AF_INET, address: '0.0.0.0', port: l.addr.port }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
  expect(lastErrorOf(W.connect(s, { family: W.AF_INET, address: '127.0.0.1', port: 0 }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
  const s6 = W.socket(W.AF_INET6, W.SOCK_STREAM, 0);
  expect(lastErrorOf(W.connect(s6, { family: W.AF_INET6, address: '::', port: 80 }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
  // Nothing reached the listener.
  expect(W.WSAPoll([{ fd: l.s, events: W.POLLRDNORM, revents: 0 }], 50)).toBe(0);
  // The socket is still usable.
  expect(W.connect(s, l.addr)).toBe(0);
});

it('connect on a listening socket is WSAEINVAL', () => {
  const a = listener();
  const b = listener();
  expect(lastErrorOf(W.connect(a.s, b.addr))).toBe(W.WSA.WSAEINVAL);
});

it('send on a TCP socket that never connected is WSAENOTCONN (Linux: EPIPE)', () => {
  const s = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
  expect(lastErrorOf(W.send(s, Buffer.from('x')))).toBe(W.WSA.WSAENOTCONN);
  expect(lastErrorOf(W.recv(s, Buffer.alloc(1)))).toBe(W.WSA.WSAENOTCONN);
});

it('getsockname on an unbound socket is WSAEINVAL (Linux reports 0.0.0.0:0); after bind it names the address', () => {
  const s = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
  const out = { family: -1, address: 'untouched', port: -1 };
  expect(lastErrorOf(W.getsockname(s, out))).toBe(W.WSA.WSAEINVAL);
  expect(out.address).toBe('untouched');
  expect(W.bind(s, { family: W.AF_INET, address: '127.0.0.1', port: 0 })).toBe(0);
  expect(W.getsockname(s, out)).toBe(0);
  expect(out.family).toBe(W.AF_INET);
  expect(out.address).toBe('127.0.0.1');
  expect(out.port).toBeGreaterThan(0);
  expect(lastErrorOf(W.getpeername(s, out))).toBe(W.WSA.WSAENOTCONN);
});
