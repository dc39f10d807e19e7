// A blocking wait in a process with Workers claims one of the process's
// WAITERS (120) wake-up entries, each with an eventfd made once
// (src/backends/posix-wake.ts): how another thread's closesocket interrupts
// its blocking calls. A Worker stopped with terminate() runs no 'exit'
// listener and no finally. Once, each terminated Worker kept an entry and an
// eventfd of its own for the life of the process: after 120 of them no
// thread's blocking call could be interrupted any more (a blocked recv waited
// out its whole SO_RCVTIMEO after the socket was closed: for ever without
// one), and every one leaked an eventfd. Entries are now claimed per wait.
import { readdirSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { ok, tcpPair, workerBundle } from '../helpers.js';

let bundle = '';
beforeAll(() => {
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  bundle = workerBundle();
}, 150_000);
afterAll(() => void W.WSACleanup());

function eventfds(): number {
  let n = 0;
  for (const f of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${f}`).includes('eventfd')) n++;
    } catch {
      // Closed while listed (the directory's own descriptor).
    }
  }
  return n;
}

/** A Worker that runs `body` with W loaded, says 'ready', then stays until stopped. */
function start(body: string, data?: unknown): Promise<{ w: Worker; ready: unknown }> {
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    const data = workerData.data;
    const say = (m) => parentPort.postMessage(m);
    ${body}`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: { bundle, data } });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (void w.terminate(), reject(new Error('worker did not start'))), 15_000);
    w.once('message', (ready) => (clearTimeout(t), resolve({ w, ready })));
    w.once('error', (e) => (clearTimeout(t), reject(e)));
  });
}

it('more Workers than there are entries, each terminated: no entry or eventfd stays taken, and blocking calls stay interruptible', async () => {
  const before = eventfds();
  const N = 130;
  for (let done = 0; done < N; done += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const { w } = await start(`W.WSAStartup(0x0202); say('ready'); setInterval(() => {}, 1000);`);
        await w.terminate();
      }),
    );
  }
  // The last Workers' entries are reclaimed only by a later thread's start: a handful at most stay.
  expect(eventfds() - before).toBeLessThan(20);

  // A Worker blocked in recv on a main-thread socket is still woken by its closesocket here.
  const { client, server } = tcpPair();
  ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_RCVTIMEO, 8000), 'SO_RCVTIMEO');
  const { w } = await start(
    `say('ready');
     const t = performance.now();
     const rc = W.recv(data, Buffer.alloc(16), 16, 0);
     say({ rc, err: W.WSAGetLastError(), ms: performance.now() - t });`,
    server,
  );
  try {
    const result = new Promise<{ rc: number; err: number; ms: number }>((resolve) => w.once('message', resolve));
    await new Promise((r) => setTimeout(r, 300));
    ok(W.closesocket(server), 'closesocket');
    const r = await result;
    expect([r.rc, r.err]).toEqual([W.SOCKET_ERROR, W.WSA.WSAEINTR]);
    expect(r.ms).toBeLessThan(4000);
  } finally {
    await w.terminate();
    W.closesocket(client);
  }
});
