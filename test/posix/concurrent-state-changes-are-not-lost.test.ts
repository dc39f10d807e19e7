// One socket's Winsock state lives in its slot of the process-wide table
// (src/shared-table.ts), its flags in one word. Two threads changing
// different flags at the same moment (here: a Worker switching FIONBIO back
// and forth while the main thread shuts the socket down) must both take
// effect. Before, each flag was set by a plain read-modify-write of the word,
// so one thread's write could put back the bit the other had just changed: a
// UDP socket after shutdown(SD_SEND) still sent.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { workerBundle } from '../helpers.js';

let bundle = '';
beforeAll(() => {
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  bundle = workerBundle();
}, 150_000);
afterAll(() => void W.WSACleanup());

it("a shutdown in one thread survives another thread's FIONBIO changes made at the same moment", async () => {
  const ROUNDS = 1000;
  // sync[0]: the round published (its socket in sync[1]); sync[2]: the round to stop; sync[3]: the round the Worker stopped.
  const sync = new Int32Array(new SharedArrayBuffer(16));
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    const sync = new Int32Array(workerData.sync);
    parentPort.postMessage('ready');
    const arg = [0];
    for (let round = 1; round <= workerData.rounds; round++) {
      const deadline = performance.now() + 5000;
      while (Atomics.load(sync, 0) !== round) if (performance.now() > deadline) throw new Error('main thread gone');
      const s = Atomics.load(sync, 1);
      for (let i = 0; Atomics.load(sync, 2) !== round; i++) {
        arg[0] = i & 1;
        W.ioctlsocket(s, W.FIONBIO, arg);
      }
      Atomics.store(sync, 3, round);
    }`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), {
    workerData: { bundle, sync: sync.buffer, rounds: ROUNDS },
  });
  const to = { family: W.AF_INET, address: '127.0.0.1', port: 9 };
  let sent = 0;
  try {
    await new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
    for (let round = 1; round <= ROUNDS; round++) {
      const s = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
      expect(s).not.toBe(W.INVALID_SOCKET);
      Atomics.store(sync, 1, s);
      Atomics.store(sync, 0, round);
      // Shut down while the Worker is switching the mode.
      for (let spin = 0; spin < 2000; spin++);
      expect(W.shutdown(s, W.SD_SEND)).toBe(0);
      Atomics.store(sync, 2, round);
      const deadline = performance.now() + 5000;
      while (Atomics.load(sync, 3) !== round) if (performance.now() > deadline) throw new Error('worker gone');
      if (W.sendto(s, Buffer.from('x'), 1, 0, to) !== W.SOCKET_ERROR) sent++;
      else expect(W.WSAGetLastError()).toBe(W.WSA.WSAESHUTDOWN);
      expect(W.closesocket(s)).toBe(0);
    }
  } finally {
    await w.terminate();
  }
  expect(sent).toBe(0);
});
