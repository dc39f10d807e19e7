// Rule: send and recv on a stream socket whose nonblocking connect has not
// completed answer WSAENOTCONN (sock.c test_connecting_socket, checked on
// Windows), not Linux's EAGAIN read as WSAEWOULDBLOCK; once the connection is
// made they work. The promise calls reject the same way.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { lastErrorOf, ok, tick, useWinsock } from '../helpers.js';
import { outcome, tcpListener } from '../promises/helpers.js';

useWinsock();

it('while the handshake is pending: WSAENOTCONN; after it: data flows', async () => {
  // A listener whose accept queue is full drops SYNs: the connect stays pending.
  const full = tcpListener();
  ok(W.listen(full.s, 0));
  const fillers: number[] = [];
  for (let i = 0; i < 4; i++) {
    const f = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.ioctlsocket(f, W.FIONBIO, [1]));
    W.connect(f, full.addr);
    fillers.push(f);
  }
  await tick(50);
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  ok(W.ioctlsocket(s, W.FIONBIO, [1]));
  expect(lastErrorOf(W.connect(s, full.addr))).toBe(W.WSAEWOULDBLOCK);
  expect(lastErrorOf(W.send(s, Buffer.from('x')))).toBe(W.WSAENOTCONN);
  expect(lastErrorOf(W.recv(s, Buffer.alloc(4)))).toBe(W.WSAENOTCONN);
  expect(await outcome(P.recv(s, Buffer.alloc(4)))).toEqual({ code: 'WSAENOTCONN', syscall: 'recv' });
  for (const h of [s, ...fillers, full.s]) ok(W.closesocket(h));

  // A connect that completes: the first send after it works.
  const l = tcpListener();
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  ok(W.ioctlsocket(c, W.FIONBIO, [1]));
  W.connect(c, l.addr);
  await tick(20);
  expect(W.send(c, Buffer.from('ok'))).toBe(2);
  for (const h of [c, l.s]) ok(W.closesocket(h));
});
