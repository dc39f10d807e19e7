// Rule: waiting never stops Node's loop. While each kind of wait is pending
// (accept, connect, recv, send on a full buffer, WSAPoll, a lingering close),
// timers keep firing: counted ticks, not a speed measurement.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { fillUntilBlocked, ok, useWinsock } from '../helpers.js';
import { promisePair, tcpListener, within } from './helpers.js';

useWinsock();

/** Counts timer callbacks while `p` is pending for at least `ms`, then lets it finish via `release`. */
async function ticksWhilePending(p: Promise<unknown>, release: () => void, ms = 100): Promise<number> {
  let ticks = 0;
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  const iv = setInterval(() => ticks++, 5);
  await new Promise((r) => setTimeout(r, ms));
  clearInterval(iv);
  expect(settled).toBe(false);
  release();
  await within(p);
  return ticks;
}

it('accept', async () => {
  const l = tcpListener();
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  const ticks = await ticksWhilePending(P.accept(l.s), () => void P.connect(c, l.addr));
  expect(ticks).toBeGreaterThan(5);
  ok(W.closesocket(c));
  ok(W.closesocket(l.s));
});

it('recv', async () => {
  const { client, server } = await promisePair();
  const ticks = await ticksWhilePending(P.recv(server, Buffer.alloc(8)), () => ok(W.send(client, Buffer.from('x'))));
  expect(ticks).toBeGreaterThan(5);
});

it('send on a full buffer, on a socket the program left blocking', async () => {
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server);
  ok(W.ioctlsocket(client, W.FIONBIO, [0]));
  const drainAll = () => {
    const buf = Buffer.alloc(1 << 16);
    const iv = setInterval(() => {
      while (W.recv(server, buf) > 0);
    }, 5);
    setTimeout(() => clearInterval(iv), 2000);
  };
  ok(W.ioctlsocket(server, W.FIONBIO, [1]));
  const ticks = await ticksWhilePending(P.send(client, Buffer.alloc(64 << 10)), drainAll);
  expect(ticks).toBeGreaterThan(5);
});

it('WSAPoll with a timeout of its own', async () => {
  const { client, server } = await promisePair();
  const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
  const p = P.WSAPoll(fds, 10_000);
  const ticks = await ticksWhilePending(p, () => ok(W.send(client, Buffer.from('x'))));
  expect(ticks).toBeGreaterThan(5);
  expect(await p).toBe(1);
  expect(fds[0]!.revents).toBe(W.POLLRDNORM);
});

it('a lingering close ({1,2} with unsent data) on a blocking socket', async () => {
  const { client, server } = await promisePair();
  fillUntilBlocked(client, server);
  ok(W.ioctlsocket(client, W.FIONBIO, [0]));
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 2 }));
  const p = P.closesocket(client);
  // Releasing: the peer reads everything, so the unsent data drains and the close completes gracefully.
  const release = () => {
    ok(W.ioctlsocket(server, W.FIONBIO, [1]));
    const buf = Buffer.alloc(1 << 16);
    const iv = setInterval(() => {
      while (W.recv(server, buf) > 0);
    }, 2);
    void p.finally(() => clearInterval(iv));
  };
  const ticks = await ticksWhilePending(p, release);
  expect(ticks).toBeGreaterThan(5);
  expect(W.openHandles()).not.toContain(client);
});
