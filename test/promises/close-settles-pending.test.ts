// Rule: pending operations always settle. closesocket (flat or promise) and
// the last WSACleanup reject every operation pending on the socket with
// WSA_OPERATION_ABORTED (995), naming the pending call as its syscall; a
// closesocket that fails with WSAEWOULDBLOCK leaves the socket and its pending
// operations as they were.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import type { SockAddr } from '../../src/index.js';
import { fillUntilBlocked, ok, tick, useWinsock } from '../helpers.js';
import { outcome, promisePair, tcpListener } from './helpers.js';

useWinsock();

const aborted = (syscall: string) => ({ code: 'WSA_OPERATION_ABORTED', syscall });

it('flat closesocket aborts a pending recv, accept and send on that socket only', async () => {
  const { client, server } = await promisePair();
  const other = await promisePair();
  const l = tcpListener();
  fillUntilBlocked(client, server);
  // client: a recv (nothing comes its way) and a send (the buffers are full) both wait.
  const recv = P.recv(client, Buffer.alloc(8));
  const send = P.send(client, Buffer.alloc(1 << 20));
  const recvOther = P.recv(other.server, Buffer.alloc(8));
  const acc = P.accept(l.s);
  await tick(20);
  ok(W.closesocket(client));
  ok(W.closesocket(l.s));
  expect(await outcome(recv)).toEqual(aborted('recv'));
  expect(await outcome(send)).toEqual(aborted('send'));
  expect(await outcome(acc)).toEqual(aborted('accept'));
  // The other connection's pending recv is untouched and still completes.
  ok(W.send(other.client, Buffer.from('z')));
  expect(await outcome(recvOther)).toEqual({ value: 1 });
});

it('promise closesocket aborts what was pending, in order, then resolves', async () => {
  const { server } = await promisePair();
  const a = P.recv(server, Buffer.alloc(8));
  const b = P.recvfrom(server, Buffer.alloc(8), 8, 0, {} as SockAddr);
  expect(await outcome(P.closesocket(server))).toEqual({ value: undefined });
  expect(await outcome(a)).toEqual(aborted('recv'));
  expect(await outcome(b)).toEqual(aborted('recvfrom'));
});

it('a pending connect is aborted by closesocket', async () => {
  // A listener whose accept queue is full drops new SYNs: a connect to it stays pending.
  const full = tcpListener();
  ok(W.listen(full.s, 0));
  const fillers = [];
  for (let i = 0; i < 4; i++) {
    const f = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.ioctlsocket(f, W.FIONBIO, [1]));
    W.connect(f, full.addr);
    fillers.push(f);
  }
  await tick(50);
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  const p = P.connect(s, full.addr);
  await tick(50);
  ok(W.closesocket(s));
  expect(await outcome(p)).toEqual(aborted('connect'));
  for (const f of fillers) ok(W.closesocket(f));
  ok(W.closesocket(full.s));
});

it('the last WSACleanup aborts every pending operation, WSAPoll included', async () => {
  ok(W.WSAStartup(W.MAKEWORD(2, 2))); // a second reference: the file's own stays
  const { server, client } = await promisePair();
  const r = P.recv(server, Buffer.alloc(8));
  const poll = P.WSAPoll([{ fd: client, events: W.POLLRDNORM, revents: 0 }], -1);
  await tick(20);
  // Bring the count to zero: both references.
  expect(W.WSACleanup()).toBe(0);
  expect(W.WSACleanup()).toBe(0);
  expect(await outcome(r)).toEqual(aborted('recv'));
  expect(await outcome(poll)).toEqual(aborted('WSAPoll'));
  expect(W.openHandles()).toEqual([]);
  ok(W.WSAStartup(W.MAKEWORD(2, 2))); // for the file's afterAll
});

it('closesocket failing with WSAEWOULDBLOCK (nonblocking, linger {1,N}, unsent data) keeps the socket and its pending operations', async () => {
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server); // leaves client nonblocking
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 5 }));
  const r = P.recv(client, Buffer.alloc(8));
  expect(W.closesocket(client)).toBe(W.SOCKET_ERROR);
  expect(W.WSAGetLastError()).toBe(W.WSAEWOULDBLOCK);
  expect(W.openHandles()).toContain(client);
  // The pending recv is still pending, and still completes.
  expect(await outcome(r, 50)).toMatchObject({ error: expect.stringContaining('did not settle') });
  ok(W.send(server, Buffer.from('still')));
  expect(await outcome(r)).toEqual({ value: 5 });
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
  ok(W.closesocket(client));
});

it('a WSAPoll waiting on a handle that gets closed resolves, POLLNVAL for it (not counted, as Windows counts invalid entries)', async () => {
  const { server } = await promisePair();
  const other = await promisePair();
  const fds = [
    { fd: server, events: W.POLLRDNORM, revents: 0 },
    { fd: other.client, events: W.POLLRDNORM, revents: 0 },
  ];
  const p = P.WSAPoll(fds, 5000);
  await tick(20);
  ok(W.closesocket(server));
  expect(await outcome(p)).toEqual({ value: 0 });
  expect(fds.map((f) => f.revents)).toEqual([W.POLLNVAL, 0]);
});

it('a WSAPoll whose only socket gets closed resolves 0 with POLLNVAL: its wait is over', async () => {
  const { server } = await promisePair();
  const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
  const p = P.WSAPoll(fds, -1);
  await tick(20);
  ok(W.closesocket(server));
  expect(await outcome(p)).toEqual({ value: 0 });
  expect(fds[0]!.revents).toBe(W.POLLNVAL);
});
