// Winsock across threads: three worker_threads use the API at once, each with
// its own loopback connection. Each thread's WSAGetLastError is its own (a
// barrier makes every thread fail with its own code before any reads its
// code back); a handle carried to another thread is the same socket there
// (Winsock's SOCKET is the process's: src/shared-table.ts); one thread's
// WSACleanup is not the last while other threads hold start-ups, so every
// socket keeps working.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { drain, observe, ok, tcpPair, workerBundle } from '../helpers.js';

const THREADS = 3;
const ROUNDS = 25;

// Runs in each Worker (plain ESM: Node 20 gives workers no TypeScript loader).
const WORKER = String.raw`
import { parentPort, workerData } from 'node:worker_threads';
const W = await import(workerData.bundle);
const { index, threads, rounds, sab } = workerData;
const gate = new Int32Array(sab);
let phase = 0;
// All threads reach the same point before any goes on (a reusable barrier).
function barrier() {
  phase++;
  Atomics.add(gate, 0, 1);
  while (Atomics.load(gate, 0) < phase * threads) Atomics.wait(gate, 0, Atomics.load(gate, 0), 50);
}
const fail = (why) => { throw new Error('thread ' + index + ': ' + why); };
const okc = (rc, what) => (rc === W.SOCKET_ERROR ? fail(what + ': ' + W.wsaErrorName(W.WSAGetLastError())) : rc);

if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) fail('WSAStartup');
const l = okc(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
okc(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
okc(W.listen(l, 4), 'listen');
const addr = {};
okc(W.getsockname(l, addr), 'getsockname');
const client = okc(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
okc(W.connect(client, addr), 'connect');
const server = okc(W.accept(l), 'accept');
const roundTrip = (tag) => {
  const out = Buffer.from(tag.padEnd(512, String(index)));
  okc(W.send(client, out), 'send');
  const got = Buffer.alloc(out.length);
  let n = 0;
  while (n < out.length) {
    const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
    if (W.WSAPoll(fds, 2000) !== 1) fail('no data for ' + tag);
    const r = okc(W.recv(server, got.subarray(n), out.length - n), 'recv');
    if (r === 0) fail('EOF during ' + tag);
    n += r;
  }
  return got.equals(out);
};

// Each round every thread fails with a different code, waits until all have
// failed, then reads its own code back.
const failures = [
  () => W.shutdown(client, 3),                       // WSAEINVAL
  () => W.closesocket(0x7ffffff0),                   // WSAENOTSOCK
  () => W.send(client, Buffer.alloc(4), 99),         // WSAEFAULT
];
const codes = [W.WSA.WSAEINVAL, W.WSA.WSAENOTSOCK, W.WSA.WSAEFAULT];
const lastErrors = [];
let intact = 0;
for (let r = 0; r < rounds; r++) {
  const k = (index + r) % failures.length;
  if (failures[k]() !== W.SOCKET_ERROR) fail('call ' + k + ' did not fail');
  barrier();
  lastErrors.push([W.WSAGetLastError(), codes[k]]);
  barrier();
  if (roundTrip('round ' + r)) intact++;
}
parentPort.postMessage({ kind: 'handles', handles: [client, server, l] });

// A handle of another thread, carried here by the main thread: the same
// socket. This thread sends on its neighbour's client; the neighbour reads it
// on its own server (after the barrier) and tells who sent it.
const theirs = await new Promise((res) => parentPort.once('message', res));
const note = Buffer.from('via thread ' + index);
const carried = { send: W.send(theirs[0], note), sendErr: W.WSAGetLastError() };
barrier();
{
  const got = Buffer.alloc(12);
  const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
  carried.fromNeighbour = W.WSAPoll(fds, 2000) === 1 ? got.toString('latin1', 0, Math.max(0, W.recv(server, got, 12, 0))) : 'nothing';
}
barrier();

// Thread 0 calls WSACleanup for its own WSAStartup: the count is the
// process's and the other threads still hold theirs, so it is not the last.
let cleanup;
if (index === 0) {
  cleanup = { rc: W.WSACleanup() };
  W.WSAStartup(W.MAKEWORD(2, 2));
}
barrier();
// Every connection still carries data both ways, thread 0's too.
const afterOthersCleanup = roundTrip('after cleanup');
barrier();
for (const h of [client, server, l]) W.closesocket(h);
W.WSACleanup();
parentPort.postMessage({ kind: 'report', index, lastErrors, intact, carried, cleanup, afterOthersCleanup, openAtEnd: [client, server, l].filter((h) => W.openHandles().includes(h)).length });
`;

interface Report {
  index: number;
  lastErrors: [number, number][];
  intact: number;
  carried: { send: number; sendErr: number; fromNeighbour: string };
  cleanup?: { rc: number };
  afterOthersCleanup: boolean;
  openAtEnd: number;
}

describe('Winsock per thread', () => {
  let bundle: string;
  let reports: Report[] = [];
  let handles: number[][] = [];
  // The main thread's own connection and last error, which no worker may disturb.
  let mine: ReturnType<typeof tcpPair>;

  beforeAll(async () => {
    bundle = workerBundle();
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    mine = tcpPair();
    W.WSASetLastError(W.WSA.WSAEDISCON);
    const sab = new SharedArrayBuffer(4);
    const workers = Array.from(
      { length: THREADS },
      (_, index) =>
        new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`), {
          workerData: { bundle, index, threads: THREADS, rounds: ROUNDS, sab },
        }),
    );
    handles = new Array(THREADS);
    let posted = 0;
    const done = workers.map(
      (w, i) =>
        new Promise<Report>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`worker ${i} timed out`)), 25_000);
          w.on('error', (e) => (clearTimeout(timer), reject(e)));
          w.on('message', (m: { kind: string; handles?: number[] } & Report) => {
            if (m.kind === 'handles') {
              handles[i] = m.handles!;
              // Once every thread has posted, hand each one its neighbour's handles.
              if (++posted === THREADS) workers.forEach((x, j) => x.postMessage(handles[(j + 1) % THREADS]));
            } else {
              clearTimeout(timer);
              resolve(m);
            }
          });
        }),
    );
    try {
      reports = (await Promise.all(done)).sort((a, b) => a.index - b.index);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, 150_000);

  afterAll(() => {
    for (const s of [mine.client, mine.server, mine.listener]) W.closesocket(s);
    W.WSACleanup();
  });

  it("each thread's WSAGetLastError is its own, though the others failed in between", () => {
    expect(reports).toHaveLength(THREADS);
    for (const r of reports) {
      expect(r.lastErrors).toHaveLength(ROUNDS);
      for (const [got, want] of r.lastErrors) expect(got).toBe(want);
    }
    // The main thread's code survived all of it.
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEDISCON);
  });

  it('every thread moved its data intact while the others ran', () => {
    for (const r of reports) expect(r.intact).toBe(ROUNDS);
  });

  it('a handle carried to another thread is the same socket there', () => {
    // Handles are the process's and never reused: no two threads drew the same one.
    const all = handles.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const r of reports) {
      expect([r.carried.send, r.carried.sendErr]).toEqual([12, 0]);
      // Read on this thread's own server: the neighbour (index - 1) sent it on this thread's client.
      expect(r.carried.fromNeighbour).toBe(`via thread ${(r.index + THREADS - 1) % THREADS}`);
    }
    // By now their threads closed them: gone in the main thread too.
    for (const h of all) {
      expect(W.send(h, Buffer.from('x'))).toBe(W.SOCKET_ERROR);
      expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
    }
  });

  it("one thread's WSACleanup is not the last while others hold start-ups: every socket keeps working", () => {
    expect(reports[0]!.cleanup!.rc).toBe(0);
    for (const r of reports) expect(r.afterOthersCleanup).toBe(true);
    // The main thread's connection too: data both ways, no reset.
    expect(ok(W.send(mine.client, Buffer.from('main')))).toBe(4);
    expect(observe(mine.server)).toEqual({ bytes: 'main' });
    expect(ok(W.send(mine.server, Buffer.from('back')))).toBe(4);
    expect(observe(mine.client)).toEqual({ bytes: 'back' });
    expect(W.shutdown(mine.client, W.SD_SEND)).toBe(0);
    expect(drain(mine.server)).toEqual({ data: Buffer.alloc(0), end: 'eof' });
  });

  it("each thread's own handles are closed at its end", () => {
    for (const r of reports) expect(r.openAtEnd).toBe(0);
  });
});
