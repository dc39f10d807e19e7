// A Worker waits (an awaitable recv) on a main-thread SOCKET: its loop holds
// a watch on the socket's descriptor. The main thread closes the SOCKET and
// its next socket gets the same descriptor number; before the Worker's loop
// has heard of the close (it is busy), it waits on the new socket. Its watch
// on the number must replace the stale one. Before, koffi was asked for a
// second uv_poll on one descriptor in one loop, and aborted the process
// ("FATAL ERROR: Error::New napi_get_last_error_info").
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { ok, tcpPair, workerBundle } from '../helpers.js';

let bundle = '';
beforeAll(() => {
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  bundle = workerBundle('src/promises.ts');
}, 150_000);
afterAll(() => void W.WSACleanup());

it('the Worker receives on the new socket, and its wait on the closed one settles with WSA_OPERATION_ABORTED', async () => {
  const { client, server } = tcpPair();
  const sync = new Int32Array(new SharedArrayBuffer(8));
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const P = await import(workerData.bundle);
    const sync = new Int32Array(workerData.sync);
    const first = P.recv(workerData.s, Buffer.alloc(16)).then((n) => ({ n }), (e) => ({ errno: e.errno }));
    // Once the loop has turned (the watch is registered), stay busy until the main thread has made the new socket.
    setTimeout(() => {
      parentPort.postMessage('waiting');
      Atomics.wait(sync, 0, 0, 10_000);
      const u = Atomics.load(sync, 1);
      const buf = Buffer.alloc(16);
      const second = P.recvfrom(u, buf, 16, 0, {}).then((n) => ({ n, text: buf.toString('latin1', 0, n) }), (e) => ({ errno: e.errno }));
      Promise.all([first, second]).then(([first, second]) => parentPort.postMessage({ first, second }));
    }, 50);`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), {
    workerData: { bundle, sync: sync.buffer, s: server },
  });
  const made: number[] = [];
  try {
    const message = () =>
      new Promise<unknown>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('worker silent')), 10_000);
        w.once('message', (m) => (clearTimeout(t), resolve(m)));
        w.once('error', (e) => (clearTimeout(t), reject(e)));
        w.once('exit', (code) => (clearTimeout(t), reject(new Error(`worker exited (${code})`))));
      });
    expect(await message()).toBe('waiting');
    const fd = W.nativeFd(server);
    ok(W.closesocket(server), 'closesocket');
    // The lowest free number is the one just closed, unless another was free below it.
    let u = -1;
    for (let i = 0; i < 8 && u < 0; i++) {
      const s = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
      made.push(s);
      if (W.nativeFd(s) === fd) u = s;
    }
    expect(u).toBeGreaterThan(0);
    ok(W.bind(u, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
    const at = { family: W.AF_INET, address: '', port: 0 };
    ok(W.getsockname(u, at), 'getsockname');
    const result = message();
    Atomics.store(sync, 1, u);
    Atomics.store(sync, 0, 1);
    Atomics.notify(sync, 0);
    await new Promise((r) => setTimeout(r, 200));
    const t = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
    made.push(t);
    expect(W.sendto(t, Buffer.from('dgram'), 5, 0, at)).toBe(5);
    expect(await result).toEqual({ first: { errno: W.WSA.WSA_OPERATION_ABORTED }, second: { n: 5, text: 'dgram' } });
  } finally {
    await w.terminate();
    for (const s of made) W.closesocket(s);
    W.closesocket(client);
  }
});
