// Rule: a loop of promise calls that each complete at once still lets Node's
// loop turn. A transfer whose reader keeps up never waits (no WSAEWOULDBLOCK),
// so without a yield its sends and recvs settle on microtasks alone and no
// timer fires until it ends: found by the load test (scripts/load-every-teardown.ts),
// where it delayed lingering closes ({1,1}) by seconds past their deadline.
// Counted timer ticks, not a speed measurement.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';
import { promisePair, within } from './helpers.js';

useWinsock();

it('a send/recv transfer of 200 ms lets timers fire while it runs', async () => {
  const { client, server, listener } = await promisePair();
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const chunk = Buffer.alloc(64 << 10, 1);
  const t0 = performance.now();
  let ticksDuring = -1;
  const sender = (async () => {
    while (performance.now() - t0 < 200) await P.send(client, chunk);
    ticksDuring = ticks;
    ok(W.shutdown(client, W.SD_SEND));
  })();
  const buf = Buffer.alloc(64 << 10);
  let got = 0;
  // Bounded by a signal rather than within(): the loop itself must stay a plain await chain.
  const signal = AbortSignal.timeout(5000);
  for (;;) {
    const n = await P.recv(server, buf, buf.length, 0, { signal });
    if (n === 0) break;
    got += n;
  }
  await within(sender);
  clearInterval(iv);
  expect(got).toBeGreaterThan(0);
  // 200 ms of transfer: a 5 ms interval fires many times when the loop turns; 0 when it is starved.
  expect(ticksDuring).toBeGreaterThan(5);
  for (const s of [client, server, listener]) ok(W.closesocket(s));
});

it('a WSAPoll loop on an always-ready socket lets timers fire while it runs', async () => {
  const { client, server, listener } = await promisePair();
  ok(W.send(client, Buffer.from('x')));
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
  const t0 = performance.now();
  let polls = 0;
  while (performance.now() - t0 < 200) {
    expect(await P.WSAPoll(fds, 1000)).toBe(1);
    polls++;
  }
  clearInterval(iv);
  expect(polls).toBeGreaterThan(0);
  expect(ticks).toBeGreaterThan(5);
  for (const s of [client, server, listener]) ok(W.closesocket(s));
});
