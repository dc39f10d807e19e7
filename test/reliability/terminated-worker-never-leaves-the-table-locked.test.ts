// Worker.terminate() stops a thread at any instruction and runs no finally
// block. Before, the process-wide table (src/shared-table.ts) took and freed
// slots under a spin lock: a Worker making and closing sockets had about one
// chance in a hundred of being stopped while it held it, and from then on
// every socket(), accept() and closesocket() in every thread spun for ever.
// Here several such Workers are terminated many times; a fresh thread must
// then still make and close a socket.
import { Worker } from 'node:worker_threads';
import { beforeAll, expect, it } from 'vitest';
import { workerBundle } from '../helpers.js';

// The main thread never calls the library: were the table stuck, any call of
// its that takes or frees a slot (WSACleanup's too) would spin for ever.
let bundle = '';
beforeAll(() => {
  bundle = workerBundle();
}, 150_000);

function worker(body: string): Worker {
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    W.WSAStartup(0x0202);
    ${body}`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: { bundle } });
}

const firstMessage = (w: Worker, ms: number): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    w.once('message', (m) => (clearTimeout(t), resolve(m)));
    w.once('error', (e) => (clearTimeout(t), reject(e)));
  });

it('Workers terminated while making and closing sockets never leave the table unusable', async () => {
  for (let round = 0; round < 60; round++) {
    const churners = Array.from({ length: 4 }, () =>
      worker(`parentPort.postMessage('ready'); for (;;) W.closesocket(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));`),
    );
    // A Worker that cannot start its loop (a table stuck by an earlier round) is terminated all the same.
    await Promise.all(churners.map((w) => firstMessage(w, 10_000)));
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    await Promise.all(churners.map((w) => w.terminate()));
  }
  const probe = worker(`
    const s = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
    parentPort.postMessage({ made: s !== W.INVALID_SOCKET, closed: W.closesocket(s) });`);
  try {
    expect(await firstMessage(probe, 5000)).toEqual({ made: true, closed: 0 });
  } finally {
    await probe.terminate();
  }
}, 60_000);
