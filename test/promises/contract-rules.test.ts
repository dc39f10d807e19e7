// Rule: every row of the semantic contract holds through the promise API as
// it does through the flat one: WSAESHUTDOWN after the socket's own shutdown,
// the reset for data after SD_RECEIVE, a peer's reset remembered, closed
// handles WSAENOTSOCK, the linger table's nonblocking row waited out.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { fillUntilBlocked, ok, tick, useWinsock } from '../helpers.js';
import { outcome, promisePair, within } from './helpers.js';

useWinsock();

it('send after own SD_SEND and recv after own SD_RECEIVE: WSAESHUTDOWN', async () => {
  const { client, server } = await promisePair();
  ok(W.shutdown(client, W.SD_SEND));
  expect(await outcome(P.send(client, Buffer.from('x')))).toEqual({ code: 'WSAESHUTDOWN', syscall: 'send' });
  ok(W.shutdown(server, W.SD_RECEIVE));
  expect(await outcome(P.recv(server, Buffer.alloc(4)))).toEqual({ code: 'WSAESHUTDOWN', syscall: 'recv' });
});

it('data arriving after SD_RECEIVE resets the connection: the peer pending in recv sees WSAECONNRESET', async () => {
  const { client, server } = await promisePair();
  ok(W.shutdown(server, W.SD_RECEIVE));
  const peer = P.recv(client, Buffer.alloc(4));
  ok(W.send(client, Buffer.from('late')));
  expect(await outcome(peer)).toEqual({ code: 'WSAECONNRESET', syscall: 'recv' });
  // Our own side reports the abort it made, on every later call.
  expect(await outcome(P.send(server, Buffer.from('x')))).toEqual({ code: 'WSAECONNABORTED', syscall: 'send' });
});

it('a peer reset is remembered: every later recv and send rejects with WSAECONNRESET', async () => {
  const { client, server } = await promisePair();
  const pending = P.recv(server, Buffer.alloc(4));
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
  ok(W.closesocket(client));
  expect(await outcome(pending)).toEqual({ code: 'WSAECONNRESET', syscall: 'recv' });
  expect(await outcome(P.recv(server, Buffer.alloc(4)))).toEqual({ code: 'WSAECONNRESET', syscall: 'recv' });
  expect(await outcome(P.send(server, Buffer.from('x')))).toEqual({ code: 'WSAECONNRESET', syscall: 'send' });
});

it('a pending send on a connection the peer resets rejects with the reset', async () => {
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server);
  const pending = P.send(client, Buffer.alloc(1 << 20));
  await tick(20);
  ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
  ok(W.closesocket(server));
  expect(await outcome(pending)).toMatchObject({ code: expect.stringMatching(/^WSAECONN(RESET|ABORTED)$/), syscall: 'send' });
});

it('the peer FIN resolves a pending recv with 0', async () => {
  const { client, server } = await promisePair();
  const p = P.recv(server, Buffer.alloc(4));
  ok(W.shutdown(client, W.SD_SEND));
  expect(await outcome(p)).toEqual({ value: 0 });
});

it('nonblocking socket, linger {1,N} with unsent data: the promise closesocket waits instead of WSAEWOULDBLOCK, and completes once the data drains', async () => {
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server); // client is nonblocking now
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 5 }));
  const p = P.closesocket(client);
  await tick(50);
  expect(W.openHandles()).toContain(client);
  ok(W.ioctlsocket(server, W.FIONBIO, [1]));
  const buf = Buffer.alloc(1 << 16);
  let read = 0;
  const iv = setInterval(() => {
    for (let n; (n = W.recv(server, buf)) > 0;) read += n;
  }, 2);
  await within(p, 4000);
  clearInterval(iv);
  expect(W.openHandles()).not.toContain(client);
  expect(read).toBeGreaterThan(0);
});

it('several pending operations on one socket complete in order', async () => {
  const { client, server } = await promisePair();
  const bufs = [1, 2, 3, 4].map(() => Buffer.alloc(1));
  const order: number[] = [];
  const ps = bufs.map((b, i) => P.recv(server, b, 1).then(() => order.push(i)));
  ok(W.send(client, Buffer.from('abcd')));
  await within(Promise.all(ps));
  expect(order).toEqual([0, 1, 2, 3]);
  expect(bufs.map((b) => b.toString()).join('')).toBe('abcd');
  // Sends too: queued behind one another, their bytes arrive in call order.
  const filled = fillUntilBlocked(client, server);
  const sends = ['1', '2', '3'].map((t) => P.send(client, Buffer.alloc(20_000, t)));
  ok(W.ioctlsocket(server, W.FIONBIO, [1]));
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  const iv = setInterval(() => {
    for (let n; (n = W.recv(server, buf)) > 0;) chunks.push(Buffer.from(buf.subarray(0, n)));
  }, 2);
  await within(Promise.all(sends), 10_000);
  // Resolved means queued: read on until the last of the bytes arrived (bounded).
  const want = filled + 60_000;
  for (let t = 0; Buffer.concat(chunks).length < want && t < 200; t++) await tick(10);
  clearInterval(iv);
  // Run-length form of what arrived after the filler bytes: each send's bytes, whole and in call order.
  const runs: string[] = [];
  for (const m of Buffer.concat(chunks)
    .toString('latin1')
    .replace(/a/g, '')
    .matchAll(/(.)\1*/g))
    runs.push(`${m[1]}x${m[0].length}`);
  expect(runs).toEqual(['1x20000', '2x20000', '3x20000']);
});

it('gracefulClose: a peer that never sends its FIN turns into an abortive close at timeoutMs; a peer reset is reported', async () => {
  const { client, server } = await promisePair();
  ok(W.send(server, Buffer.from('late data')));
  const r = await within(P.gracefulClose(client, { timeoutMs: 150 }));
  expect(r).toEqual({ graceful: false, timedOut: true, bytesDrained: 9 });
  // Our timeout was an abortive close. The peer had our FIN before the RST: a reset after the
  // FIN is WSAECONNABORTED at recv (Wine's test_shutdown, validated on Windows).
  expect(await outcome(P.recv(server, Buffer.alloc(4)))).toEqual({ code: 'WSAECONNABORTED', syscall: 'recv' });

  const b = await promisePair();
  const pending = P.gracefulClose(b.client, { timeoutMs: 3000 });
  await tick(20);
  ok(W.setsockopt(b.server, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
  ok(W.closesocket(b.server));
  const r2 = await within(pending);
  expect(r2).toMatchObject({ graceful: false, timedOut: false, bytesDrained: 0, error: { code: 'WSAECONNRESET' } });
  expect(W.openHandles()).not.toContain(b.client);
  // Not connected: rejects, and the handle stays.
  const lone = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  expect(await outcome(P.gracefulClose(lone))).toEqual({ code: 'WSAENOTCONN', syscall: 'shutdown' });
  expect(W.openHandles()).toContain(lone);
});
