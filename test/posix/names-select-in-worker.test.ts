// Rule: getaddrinfo (flat and awaitable), getnameinfo and select work in a
// Worker thread after that thread's own WSAStartup: koffi's declarations and
// its thread-pool calls load in every thread's copy of the library.
import { Worker } from 'node:worker_threads';
import { beforeAll, expect, it } from 'vitest';
import { workerBundle } from '../helpers.js';

let bundle: string;
beforeAll(() => {
  bundle = workerBundle();
}, 150_000);

it('a Worker resolves, reverse-resolves and selects', async () => {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.src);
    const before = W.getaddrinfo('localhost', '80', null, []);
    W.WSAStartup(0x202);
    const res = [];
    const rc = W.getaddrinfo('localhost', '80', { ai_family: W.AF_INET }, res);
    const list = await W.getaddrinfoAsync('127.0.0.1', '81', { ai_family: W.AF_INET });
    const host = [];
    const ni = W.getnameinfo({ family: W.AF_INET, address: '127.0.0.1', port: 22 }, host, W.NI_MAXHOST, null, 0, W.NI_NUMERICHOST);
    const u = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
    const set = W.fd_set();
    W.FD_SET(u, set);
    const sel = W.select(0, null, set, null, { tv_sec: 0, tv_usec: 0 });
    W.closesocket(u);
    W.WSACleanup();
    parentPort.postMessage({ before, rc, addr: res[0]?.ai_addr, async: list[0]?.ai_addr, ni, host: host[0], sel, count: set.fd_count });`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { src: bundle } });
  const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker timed out')), 20_000);
    worker.once('message', (m) => (clearTimeout(timer), resolve(m)));
    worker.once('error', (e) => (clearTimeout(timer), reject(e)));
  });
  await worker.terminate();
  expect(msg).toEqual({
    before: 10093, // the Worker's own count: not started yet
    rc: 0,
    addr: { family: 2, address: '127.0.0.1', port: 80 },
    async: { family: 2, address: '127.0.0.1', port: 81 },
    ni: 0,
    host: '127.0.0.1',
    sel: 1,
    count: 1,
  });
});
