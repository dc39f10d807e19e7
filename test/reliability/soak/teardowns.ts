// The soak's connection cycles: connect, send a checksummed payload, then end
// the connection in one of Winsock's teardown kinds, and check what the other
// side observes (every byte of a graceful exchange, WSAECONNRESET for a reset).
// Run by scripts/soak.mts (100,000 cycles, in a network namespace of its own)
// and, shortly, by test/reliability/soak-resources-flat.test.ts.
//
// Hook for the promise API: a Teardown says which API it drives. Promise-API
// cycles are more entries of TEARDOWNS with `api: 'promises'` whose `run`
// awaits `winsock-compat/promises` calls on the same Ctx; the runner, the
// sampling and the report take them as they are.
import { createHash } from 'node:crypto';
import * as W from '../../../src/index.js';
import type { SockAddr, SOCKET } from '../../../src/index.js';
import { snapshot, type ResourceSnapshot } from '../resources.js';

export interface Ctx {
  listener: SOCKET;
  addr: SockAddr;
  /** This cycle's index (payloads differ per cycle). */
  cycle: number;
}

export interface Teardown {
  name: string;
  api: 'flat' | 'promises';
  /** What the peer is expected to observe, for the report. */
  expect: string;
  run(ctx: Ctx): Promise<void>;
}

function ok(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

const scratch = Buffer.alloc(1 << 16);

/** A bounded readiness wait that lets Node's loop run (the SD_RECEIVE watcher fires there). */
async function until(s: SOCKET, events: number, what: string, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
    ok(W.WSAPoll(fds, 0), 'WSAPoll');
    if (fds[0]!.revents & events) return fds[0]!.revents;
    if (Date.now() > deadline) throw new Error(`${what}: nothing within ${timeoutMs} ms`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** Reads until EOF (bounded waits); returns the bytes, or throws with the WSA code that ended it. */
function readToEof(s: SOCKET): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
    if (ok(W.WSAPoll(fds, 3000), 'WSAPoll') === 0) throw new Error('readToEof: no EOF within 3 s');
    const n = ok(W.recv(s, scratch), 'recv');
    if (n === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(scratch.subarray(0, n)));
  }
}

/** The peer's next recv must fail with WSAECONNRESET (data the reset discarded may come first on Linux). */
function expectReset(s: SOCKET, what: string): void {
  for (let i = 0; i < 64; i++) {
    const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
    if (ok(W.WSAPoll(fds, 3000), 'WSAPoll') === 0) throw new Error(`${what}: no reset within 3 s`);
    const n = W.recv(s, scratch);
    if (n === W.SOCKET_ERROR) {
      const e = W.WSAGetLastError();
      if (e === W.WSA.WSAECONNRESET) return;
      throw new Error(`${what}: recv failed with ${W.wsaErrorName(e)}, not WSAECONNRESET`);
    }
    if (n === 0) throw new Error(`${what}: a graceful EOF instead of a reset`);
  }
  throw new Error(`${what}: data kept coming, no reset`);
}

/** A payload that names its cycle, and its digest. */
function payload(cycle: number, size = 256): { bytes: Buffer; sum: string } {
  const bytes = Buffer.alloc(size, cycle & 0xff);
  bytes.writeUInt32LE(cycle >>> 0, 0);
  return { bytes, sum: createHash('sha1').update(bytes).digest('hex') };
}
const digest = (b: Buffer) => createHash('sha1').update(b).digest('hex');

function open(ctx: Ctx): { c: SOCKET; s: SOCKET } {
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.connect(c, ctx.addr), 'connect');
  return { c, s: ok(W.accept(ctx.listener), 'accept') };
}

function sendAll(s: SOCKET, b: Buffer): void {
  if (ok(W.send(s, b), 'send') !== b.length) throw new Error('short send');
}

/** The client sends its payload and ends in the way each teardown names; the server observes. */
export const TEARDOWNS: Teardown[] = [
  {
    name: 'graceful',
    api: 'flat',
    expect: 'every byte, then EOF both ways',
    async run(ctx) {
      const { c, s } = open(ctx);
      const p = payload(ctx.cycle);
      sendAll(c, p.bytes);
      ok(W.shutdown(c, W.SD_SEND), 'shutdown');
      if (digest(readToEof(s)) !== p.sum) throw new Error('graceful: payload corrupted');
      ok(W.closesocket(s), 'closesocket');
      if (readToEof(c).length !== 0) throw new Error('graceful: unexpected data');
      ok(W.closesocket(c), 'closesocket');
    },
  },
  {
    name: 'half-close-reply',
    api: 'flat',
    expect: 'request intact, reply intact after the half-close',
    async run(ctx) {
      const { c, s } = open(ctx);
      const req = payload(ctx.cycle, 300);
      sendAll(c, req.bytes);
      ok(W.shutdown(c, W.SD_SEND), 'shutdown');
      const got = readToEof(s);
      if (digest(got) !== req.sum) throw new Error('half-close: request corrupted');
      const reply = payload(ctx.cycle ^ 0x5a5a, 700);
      sendAll(s, reply.bytes);
      ok(W.closesocket(s), 'closesocket');
      if (digest(readToEof(c)) !== reply.sum) throw new Error('half-close: reply corrupted');
      ok(W.closesocket(c), 'closesocket');
    },
  },
  {
    name: 'WSASendDisconnect',
    api: 'flat',
    expect: 'every byte, then EOF; both sides disconnect',
    async run(ctx) {
      const { c, s } = open(ctx);
      const p = payload(ctx.cycle);
      sendAll(c, p.bytes);
      ok(W.WSASendDisconnect(c), 'WSASendDisconnect');
      if (digest(readToEof(s)) !== p.sum) throw new Error('WSASendDisconnect: payload corrupted');
      ok(W.WSASendDisconnect(s), 'WSASendDisconnect');
      if (readToEof(c).length !== 0) throw new Error('WSASendDisconnect: unexpected data');
      ok(W.closesocket(c), 'closesocket');
      ok(W.closesocket(s), 'closesocket');
    },
  },
  {
    name: 'abortive',
    api: 'flat',
    expect: 'WSAECONNRESET',
    async run(ctx) {
      const { c, s } = open(ctx);
      sendAll(c, payload(ctx.cycle).bytes);
      ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }), 'SO_LINGER');
      ok(W.closesocket(c), 'closesocket');
      expectReset(s, 'abortive');
      ok(W.closesocket(s), 'closesocket');
    },
  },
  {
    name: 'linger-nonblocking',
    api: 'flat',
    expect: 'closesocket WSAEWOULDBLOCK while data is unsent, 0 once the peer read it all; every byte, then EOF',
    async run(ctx) {
      const { c, s } = open(ctx);
      // Buffers of a few MSS: with buffers below loopback's 64 KiB MSS the
      // receiver never advertises a usable window and each refill waits for a
      // zero-window probe (200 ms and more); the default ones take long to fill.
      ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, 256 << 10), 'SO_RCVBUF');
      ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_SNDBUF, 256 << 10), 'SO_SNDBUF');
      ok(W.ioctlsocket(c, W.FIONBIO, [1]), 'FIONBIO');
      ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 5 }), 'SO_LINGER');
      const chunk = payload(ctx.cycle, 65536).bytes;
      let sent = 0;
      for (;;) {
        const n = W.send(c, chunk);
        if (n === W.SOCKET_ERROR) {
          if (W.WSAGetLastError() !== W.WSA.WSAEWOULDBLOCK) ok(n, 'send');
          break;
        }
        sent += n;
      }
      // Contract: nonblocking, linger {1,N}, unsent data: WSAEWOULDBLOCK, the handle stays valid.
      if (W.closesocket(c) !== W.SOCKET_ERROR || W.WSAGetLastError() !== W.WSA.WSAEWOULDBLOCK) {
        throw new Error('linger-nonblocking: closesocket did not answer WSAEWOULDBLOCK');
      }
      // The peer reads it all; closesocket, called again, then succeeds (a graceful close).
      let got = 0;
      while (got < sent) {
        const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
        if (ok(W.WSAPoll(fds, 3000), 'WSAPoll') === 0) throw new Error(`linger-nonblocking: stalled at ${got} of ${sent} bytes`);
        const n = ok(W.recv(s, scratch), 'recv');
        if (n === 0) throw new Error(`linger-nonblocking: EOF after ${got} of ${sent} bytes`);
        got += n;
      }
      let tries = 0;
      while (W.closesocket(c) !== 0) {
        if (W.WSAGetLastError() !== W.WSA.WSAEWOULDBLOCK || ++tries > 3000) ok(W.SOCKET_ERROR, 'closesocket');
        await new Promise<void>((r) => setImmediate(r));
      }
      if (readToEof(s).length !== 0) throw new Error('linger-nonblocking: data after the close');
      ok(W.closesocket(s), 'closesocket');
    },
  },
  {
    name: 'close-unread',
    api: 'flat',
    expect: 'WSAECONNRESET (closing with unread data resets)',
    async run(ctx) {
      const { c, s } = open(ctx);
      sendAll(s, payload(ctx.cycle).bytes);
      await until(c, W.POLLRDNORM, 'close-unread: data');
      ok(W.closesocket(c), 'closesocket');
      expectReset(s, 'close-unread');
      ok(W.closesocket(s), 'closesocket');
    },
  },
  {
    name: 'SD_RECEIVE-then-data',
    api: 'flat',
    expect: 'WSAECONNRESET, sent by the receiver while it makes no call',
    async run(ctx) {
      const { c, s } = open(ctx);
      ok(W.shutdown(c, W.SD_RECEIVE), 'shutdown');
      sendAll(s, payload(ctx.cycle, 64).bytes);
      // The client makes no call: the reset must come from its watcher.
      await until(s, W.POLLERR | W.POLLHUP, 'SD_RECEIVE-then-data: reset');
      expectReset(s, 'SD_RECEIVE-then-data');
      ok(W.closesocket(c), 'closesocket');
      ok(W.closesocket(s), 'closesocket');
    },
  },
];

/** The linger expiry: blocking, linger {1,1}, the peer never reads: closesocket waits ~1 s, then resets. Slow: run now and then. */
export const LINGER_EXPIRY: Teardown = {
  name: 'linger-expiry',
  api: 'flat',
  expect: 'closesocket returns after about 1 s; the peer sees WSAECONNRESET',
  async run(ctx) {
    const { c, s } = open(ctx);
    ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, 4096), 'SO_RCVBUF');
    ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_SNDBUF, 4096), 'SO_SNDBUF');
    ok(W.ioctlsocket(c, W.FIONBIO, [1]), 'FIONBIO');
    const chunk = Buffer.alloc(16384, 0x6c);
    while (W.send(c, chunk) !== W.SOCKET_ERROR);
    ok(W.ioctlsocket(c, W.FIONBIO, [0]), 'FIONBIO');
    ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 1 }), 'SO_LINGER');
    const t0 = Date.now();
    ok(W.closesocket(c), 'closesocket');
    const ms = Date.now() - t0;
    if (ms < 900 || ms > 3000) throw new Error(`linger-expiry: closesocket took ${ms} ms, not about 1 s`);
    expectReset(s, 'linger-expiry');
    ok(W.closesocket(s), 'closesocket');
  },
};

export interface Sample extends ResourceSnapshot {
  cycle: number;
  rss: number;
  heapUsed: number;
}

export interface SoakResult {
  cycles: number;
  ms: number;
  kinds: Record<string, { expect: string; runs: number; failures: number; ms: number; firstFailure?: string }>;
  samples: Sample[];
}

function sample(cycle: number): Sample {
  // With --expose-gc (the soak script passes it) the heap is measured after a
  // full collection: what is still reachable, not what awaits collection.
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { cycle, ...snapshot(), rss: m.rss, heapUsed: m.heapUsed };
}

/**
 * `cycles` connection cycles, round-robin over `kinds`, with the linger expiry
 * every `expiryEvery` cycles (0: never); samples every `sampleEvery` cycles.
 */
export async function soak(opts: { cycles: number; sampleEvery: number; expiryEvery: number; kinds?: Teardown[] }): Promise<SoakResult> {
  const kinds = opts.kinds ?? TEARDOWNS;
  if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup');
  const listener = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.bind(listener, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  ok(W.listen(listener, W.SOMAXCONN), 'listen');
  const addr = {} as SockAddr;
  ok(W.getsockname(listener, addr), 'getsockname');
  const result: SoakResult = { cycles: opts.cycles, ms: 0, kinds: {}, samples: [] };
  for (const k of [...kinds, LINGER_EXPIRY]) result.kinds[k.name] = { expect: k.expect, runs: 0, failures: 0, ms: 0 };
  const runOne = async (k: Teardown, cycle: number) => {
    const rec = result.kinds[k.name]!;
    rec.runs++;
    const before = new Set(W.openHandles());
    const t = performance.now();
    try {
      await k.run({ listener, addr, cycle });
      rec.ms += performance.now() - t;
    } catch (e) {
      rec.failures++;
      rec.firstFailure ??= `cycle ${cycle}: ${e instanceof Error ? e.message : String(e)}`;
      // A failed cycle must not leak into the next: close what it left.
      for (const h of W.openHandles())
        if (!before.has(h))
          W.closesocket(h) === 0 || (W.setsockopt(h, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }), W.closesocket(h));
    }
  };
  // Warm-up (not counted): lazily opened descriptors and JIT are not leaks.
  for (let i = 0; i < 2 * kinds.length; i++) await kinds[i % kinds.length]!.run({ listener, addr, cycle: -1 - i });
  const t0 = performance.now();
  result.samples.push(sample(0));
  for (let i = 0; i < opts.cycles; i++) {
    const k = opts.expiryEvery > 0 && i % opts.expiryEvery === opts.expiryEvery - 1 ? LINGER_EXPIRY : kinds[i % kinds.length]!;
    await runOne(k, i);
    if ((i + 1) % opts.sampleEvery === 0) {
      await new Promise<void>((r) => setImmediate(r));
      result.samples.push(sample(i + 1));
    }
  }
  result.ms = Math.round(performance.now() - t0);
  ok(W.closesocket(listener), 'closesocket');
  W.WSACleanup();
  return result;
}

/** Least-squares slope of `key` against the cycle number, per 10,000 cycles. */
export function slopePer10k(samples: Sample[], key: keyof Omit<Sample, 'cycle'>): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((a, s) => a + s.cycle, 0) / n;
  const my = samples.reduce((a, s) => a + s[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.cycle - mx) * (s[key] - my);
    den += (s.cycle - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 10_000;
}
