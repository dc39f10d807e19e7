// Rule: a descriptor this thread watches, closed by another worker_thread, is
// never fatal. Each thread has its own readiness source (its own copy of the
// library, its own epoll descriptor): the Worker here watches a socket of its
// own (an SD_RECEIVE rule, which resets the connection when data arrives)
// while it closes the main thread's watched descriptor. The main thread then
// changes that socket's watch (WSAEventSelect: epoll answers EBADF, where
// libuv's uv_poll aborted the process), watches a new socket on the same
// number, and its recv completes with the new socket's data. Run in a child
// process: the library closes that number again later.
import { beforeAll, expect, it } from 'vitest';
import { runModuleScript, workerBundle } from '../helpers.js';

const WORKER = String.raw`
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
const W = await import(workerData.bundle);
W.WSAStartup(0x202);
const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
W.listen(l, 4);
const addr = {}; W.getsockname(l, addr);
const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
W.connect(c, addr);
const s = W.accept(l);
W.shutdown(s, W.SD_RECEIVE); // a watch on this thread's own epoll descriptor
fs.closeSync(workerData.fd); // the main thread's watched descriptor
W.send(c, Buffer.from('late'));
// This thread's loop runs the SD_RECEIVE watch: the data resets the connection.
const deadline = Date.now() + 5000;
let got = 0;
while (Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
  const fds = [{ fd: c, events: W.POLLRDNORM, revents: 0 }];
  if (W.WSAPoll(fds, 0) === 1) { got = W.recv(c, Buffer.alloc(8)); break; }
}
parentPort.postMessage('worker ' + (got === W.SOCKET_ERROR ? W.wsaErrorName(W.WSAGetLastError()) : 'recv ' + got));
for (const h of [c, s, l]) W.closesocket(h);
W.WSACleanup();
`;

let bundle: string;
beforeAll(() => {
  bundle = workerBundle();
}, 150_000);

it('the main thread survives a worker closing its watched descriptor, and watches the reused number', () => {
  const script = `
    import { Worker } from 'node:worker_threads';
    import * as W from './src/index.ts';
    import * as P from './src/promises.ts';
    W.WSAStartup(0x202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 8);
    const addr = {}; W.getsockname(l, addr);
    const pair = () => { const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0); W.connect(c, addr); return [c, W.accept(l)]; };
    const [c1, a] = pair();
    let old = 'pending';
    const ra = P.recv(a, Buffer.alloc(16)).then((n) => (old = 'got ' + n), (e) => (old = e.code));
    const fd = W.nativeFd(a);
    const w = new Worker(${JSON.stringify(WORKER)}, { eval: true, workerData: { bundle: ${JSON.stringify(bundle)}, fd } });
    console.log(await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); }));
    await new Promise((r) => w.once('exit', r));
    const ev = W.WSACreateEvent();
    console.log('eventselect', W.WSAEventSelect(a, ev, W.FD_READ | W.FD_WRITE));
    const x = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    console.log('reused', W.nativeFd(x) === fd);
    await P.connect(x, addr);
    const y = await P.accept(l);
    const buf = Buffer.alloc(16);
    const rx = P.recv(x, buf);
    await P.send(y, Buffer.from('hello'));
    console.log('x', buf.subarray(0, await rx).toString(), 'old', old);
    W.closesocket(x);
    W.closesocket(y);
    W.closesocket(a);
    await ra;
    console.log('old', old);
    for (const s of [c1, l]) W.closesocket(s);
    W.WSACloseEvent(ev);
    W.WSACleanup();
  `;
  const r = runModuleScript(script);
  expect(r.stderr).not.toMatch(/FATAL|Assertion|abort/i);
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([
    'worker WSAECONNRESET',
    'eventselect 0',
    'reused true',
    'x hello old pending',
    'old WSA_OPERATION_ABORTED',
  ]);
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
});
