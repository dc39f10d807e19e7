// A handle closed by one thread while another thread is still inside a call
// on it: the slot it used (src/shared-table.ts) is free at once and the next
// socket takes it. The call still under way (here a blocking closesocket
// lingering for its unsent data) must never reach that next socket: not close
// its descriptor, not write its state. (Before: a record was a view over the
// slot, whatever the slot held, so the Worker's lingering close ended by
// closing the main thread's new socket: its bind answered WSAENOTSOCK.)
import { readlinkSync } from 'node:fs';
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

it("a Worker's lingering closesocket on a handle the main thread closed leaves the socket now in its slot alone", async () => {
  const { client, server } = tcpPair();
  // Unsent data that the peer never reads: a blocking closesocket with linger {1,3} waits for it.
  ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_RCVBUF, 4096), 'SO_RCVBUF');
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_SNDBUF, 4096), 'SO_SNDBUF');
  ok(W.ioctlsocket(client, W.FIONBIO, [1]), 'FIONBIO 1');
  const big = Buffer.alloc(1 << 20);
  while (W.send(client, big, big.length, 0) > 0);
  expect(W.WSAGetLastError()).toBe(W.WSA.WSAEWOULDBLOCK);
  ok(W.ioctlsocket(client, W.FIONBIO, [0]), 'FIONBIO 0');
  ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 3 }), 'SO_LINGER');

  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    parentPort.postMessage('closing');
    const rc = W.closesocket(workerData.s);
    parentPort.postMessage({ rc });`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: { bundle, s: client } });
  try {
    const messages: unknown[] = [];
    let wake: (() => void) | null = null;
    w.on('message', (m) => (messages.push(m), wake?.()));
    const next = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker: ${messages.length} messages`)), 10_000);
        wake = () => messages.length >= n && (clearTimeout(t), resolve());
        wake();
      });
    await next(1);
    // Let the Worker get into its lingering wait, then close the handle here (abortively: no wait) and make a socket.
    await new Promise((r) => setTimeout(r, 400));
    ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }), 'SO_LINGER 0');
    ok(W.closesocket(client), 'closesocket (main)');
    const u = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
    expect(u).not.toBe(W.INVALID_SOCKET);
    const fdU = W.nativeFd(u);
    await next(2);
    // The socket made here is whole: its descriptor open, its calls working.
    expect(W.nativeFd(u)).toBe(fdU);
    expect(readlinkSync(`/proc/self/fd/${fdU}`)).toMatch(/^socket:/);
    ok(W.bind(u, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind of the new socket');
    ok(W.closesocket(u), 'closesocket (new socket)');
    W.closesocket(server);
  } finally {
    await w.terminate();
  }
});
