// Rule: an aborted signal rejects the pending operation with Node's AbortError
// (a DOMException whose cause is the signal's reason) and leaves the socket
// usable: an aborted recv consumed nothing, later operations work.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { fillUntilBlocked, ok, tick, useWinsock } from '../helpers.js';
import { outcome, promisePair, tcpListener, within } from './helpers.js';

useWinsock();

it('aborting a pending recv: AbortError with the reason as cause; the next recv gets all the data', async () => {
  const { client, server } = await promisePair();
  const ac = new AbortController();
  const p = P.recv(server, Buffer.alloc(8), 8, 0, { signal: ac.signal });
  await tick(10);
  const reason = new Error('user gave up');
  ac.abort(reason);
  const err = await within(p.catch((e: unknown) => e));
  expect(err).toBeInstanceOf(DOMException);
  expect(err).toMatchObject({ name: 'AbortError', cause: reason });
  ok(W.send(client, Buffer.from('complete')));
  const buf = Buffer.alloc(8);
  expect(await within(P.recv(server, buf))).toBe(8);
  expect(buf.toString()).toBe('complete');
});

it('an already-aborted signal rejects at once and attempts nothing', async () => {
  const { client, server } = await promisePair();
  ok(W.send(client, Buffer.from('data')));
  await tick(10);
  const signal = AbortSignal.abort('no');
  for (const p of [
    P.recv(server, Buffer.alloc(4), 4, 0, { signal }),
    P.accept(server, undefined, { signal }),
    P.send(server, Buffer.alloc(1), 1, 0, { signal }),
    P.closesocket(server, { signal }),
    P.WSAPoll([{ fd: server, events: W.POLLRDNORM, revents: 0 }], 10, { signal }),
    P.gracefulClose(server, { signal }),
  ]) {
    expect(await outcome(p)).toEqual({ abort: true });
  }
  // Nothing was consumed and the socket is open.
  const argp = [0];
  ok(W.ioctlsocket(server, W.FIONREAD, argp));
  expect(argp[0]).toBe(4);
});

it('aborting one of several pending operations leaves the others pending, in order', async () => {
  const { client, server } = await promisePair();
  const ac = new AbortController();
  const a = Buffer.alloc(1);
  const b = Buffer.alloc(1);
  const c = Buffer.alloc(1);
  const pa = P.recv(server, a, 1);
  const pb = P.recv(server, b, 1, 0, { signal: ac.signal });
  const pc = P.recv(server, c, 1);
  ac.abort();
  expect(await outcome(pb)).toEqual({ abort: true });
  ok(W.send(client, Buffer.from('12')));
  expect(await within(pa)).toBe(1);
  expect(await within(pc)).toBe(1);
  expect(a.toString() + c.toString()).toBe('12');
});

it('aborting a pending accept, connect, send and WSAPoll', async () => {
  const l = tcpListener();
  const ac = new AbortController();
  const acc = P.accept(l.s, undefined, { signal: ac.signal });
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server);
  const send = P.send(client, Buffer.alloc(1 << 20), undefined, undefined, { signal: ac.signal });
  const poll = P.WSAPoll([{ fd: server, events: W.POLLRDBAND, revents: 0 }], -1, { signal: ac.signal });
  await tick(10);
  ac.abort();
  for (const p of [acc, send, poll]) expect(await outcome(p)).toEqual({ abort: true });
  // The listener still accepts.
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  const [s] = await within(Promise.all([P.accept(l.s), P.connect(c, l.addr)]));
  expect(s).toBeGreaterThan(0);
});

it('aborting a lingering close leaves the handle open', async () => {
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server);
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 10 }));
  const ac = new AbortController();
  const p = P.closesocket(client, { signal: ac.signal });
  await tick(30);
  ac.abort();
  expect(await outcome(p)).toEqual({ abort: true });
  expect(W.openHandles()).toContain(client);
  const v = [0];
  ok(W.getsockopt(client, W.SOL_SOCKET, W.SO_TYPE, v));
  expect(v[0]).toBe(W.SOCK_STREAM);
});
