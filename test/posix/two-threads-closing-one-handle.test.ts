// Two threads calling closesocket on one SOCKET at the same moment (a
// program's shutdown path racing a worker's): Winsock closes the socket once;
// the handle is then invalid, so the call that comes second answers
// WSAENOTSOCK. Before, both calls went through: each closed the descriptor
// number (the second close could hit whatever had just reused it) and each
// freed the slot, and a slot freed twice sits twice on the free list, so two
// later sockets would share it (src/shared-table.ts).
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

it('each round, one closesocket succeeds and the other answers WSAENOTSOCK; later sockets get slots of their own', async () => {
  const ROUNDS = 300;
  // sync[0]: the round the main thread published; sync[1]: the round the Worker finished; sync[2]: the handle.
  const sync = new Int32Array(new SharedArrayBuffer(12));
  const results = new Int32Array(new SharedArrayBuffer(4 * ROUNDS));
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    const sync = new Int32Array(workerData.sync);
    const results = new Int32Array(workerData.results);
    parentPort.postMessage('ready');
    for (let round = 1; round <= workerData.rounds; round++) {
      const deadline = performance.now() + 5000;
      while (Atomics.load(sync, 0) !== round) if (performance.now() > deadline) throw new Error('main thread gone');
      const rc = W.closesocket(Atomics.load(sync, 2));
      results[round - 1] = rc === 0 ? 0 : W.WSAGetLastError();
      Atomics.store(sync, 1, round);
    }
    parentPort.postMessage('done');`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), {
    workerData: { bundle, sync: sync.buffer, results: results.buffer, rounds: ROUNDS },
  });
  try {
    await new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
    const mine: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const s = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
      expect(s).not.toBe(W.INVALID_SOCKET);
      Atomics.store(sync, 2, s);
      Atomics.store(sync, 0, round);
      const rc = W.closesocket(s);
      mine.push(rc === 0 ? 0 : W.WSAGetLastError());
      const deadline = performance.now() + 5000;
      while (Atomics.load(sync, 1) !== round) if (performance.now() > deadline) throw new Error('worker gone');
    }
    const both = mine.filter((code, i) => code === 0 && results[i] === 0).length;
    const neither = mine.filter((code, i) => code !== 0 && results[i] !== 0).length;
    const losers = [...mine, ...results].filter((code) => code !== 0);
    expect({ both, neither }).toEqual({ both: 0, neither: 0 });
    expect(new Set(losers)).toEqual(new Set([W.WSA.WSAENOTSOCK]));
  } finally {
    await w.terminate();
  }
  // The table is whole: sockets made now are distinct, each with its own descriptor.
  const made = Array.from({ length: 8 }, () => W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
  expect(new Set(made).size).toBe(8);
  expect(new Set(made.map((s) => W.nativeFd(s))).size).toBe(8);
  for (const s of made) expect(W.closesocket(s)).toBe(0);
});
