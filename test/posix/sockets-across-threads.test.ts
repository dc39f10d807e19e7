// In Winsock a SOCKET is the process's: valid in every thread, with one
// WSAStartup count for all of them (Microsoft's WSAStartup and closesocket
// pages; the classic "Simples" server creates its sockets in one thread and
// hands each to another). Each worker_thread loads its own copy of the
// library (here: a bundle, beside the test's own copy from src/), and they
// share one table in native memory (src/shared-table.ts). What is checked:
// a Worker works a main-thread SOCKET without a WSAStartup of its own; the
// socket's Winsock state is one for all threads; the last WSACleanup, in any
// thread, resets every socket of the process; handles are never reused across
// threads; a closesocket in one thread cancels a blocking call in another
// (WSAEINTR) and settles a promise pending in another (995). WSAGetLastError
// stays per thread (test/posix/errors.test.ts).
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { lastErrorOf, ok, tcpPair, workerBundle } from '../helpers.js';

let bundle = '';
beforeAll(() => {
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  bundle = workerBundle();
}, 150_000);
afterAll(() => void W.WSACleanup());

/**
 * Runs `body` (the inside of an async function with `W` the library, `data`
 * the workerData, `say(m)` posting a message) in a Worker; resolves with what
 * it returns. `onMessage` sees what it says meanwhile. Bounded.
 */
function inWorker<T>(body: string, data: Record<string, unknown> = {}, onMessage?: (m: unknown) => void, timeoutMs = 15_000): Promise<T> {
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    const data = workerData.data;
    const say = (m) => parentPort.postMessage({ say: m });
    try {
      const result = await (async () => { ${body} })();
      parentPort.postMessage({ result });
    } catch (e) {
      parentPort.postMessage({ error: String(e && e.stack || e) });
    }`;
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: { bundle, data } });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error('worker timed out'));
    }, timeoutMs);
    w.on('message', (m: { say?: unknown; result?: T; error?: string }) => {
      if ('say' in m) return onMessage?.(m.say);
      clearTimeout(timer);
      void w.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m.result as T);
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** SO_RCVTIMEO on `s`, so that no blocking call of a failing test can hang. */
const bounded = (s: number, ms = 8000): number => ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVTIMEO, ms), 'SO_RCVTIMEO');

describe('a SOCKET made in one thread works in every thread', () => {
  it('Simples: the main thread accepts, each connection is served by a Worker of its own with blocking calls', async () => {
    const N = 3;
    const pairs = Array.from({ length: N }, () => tcpPair());
    for (const p of pairs) (bounded(p.server), bounded(p.client));
    // Each Worker echoes what it reads in upper case, then closes gracefully. No WSAStartup there.
    const served = pairs.map((p) =>
      inWorker<{ got: string; sent: number; eof: number; close: number }>(
        `const s = data.s;
         const buf = Buffer.alloc(64);
         const n = W.recv(s, buf, buf.length, 0);
         if (n <= 0) throw new Error('recv ' + n + ' ' + W.WSAGetLastError());
         const got = buf.toString('latin1', 0, n);
         const sent = W.send(s, Buffer.from(got.toUpperCase()));
         W.shutdown(s, W.SD_SEND);
         const eof = W.recv(s, buf, buf.length, 0);
         return { got, sent, eof, close: W.closesocket(s) };`,
        { s: p.server },
      ),
    );
    for (const [i, p] of pairs.entries()) expect(W.send(p.client, Buffer.from(`hello ${i}`))).toBe(7);
    for (const [i, p] of pairs.entries()) {
      const buf = Buffer.alloc(64);
      expect(W.recv(p.client, buf, buf.length, 0)).toBe(7);
      expect(buf.toString('latin1', 0, 7)).toBe(`HELLO ${i}`);
      // The Worker's shutdown(SD_SEND) reached us as a FIN.
      expect(W.recv(p.client, buf, buf.length, 0)).toBe(0);
      expect(W.shutdown(p.client, W.SD_SEND)).toBe(0);
    }
    const results = await Promise.all(served);
    results.forEach((r, i) => expect(r).toEqual({ got: `hello ${i}`, sent: 7, eof: 0, close: 0 }));
    for (const p of pairs) {
      // Closed by the Worker: the handle is gone in this thread too.
      expect(lastErrorOf(W.send(p.server, Buffer.from('x')))).toBe(W.WSA.WSAENOTSOCK);
      expect(W.closesocket(p.client)).toBe(0);
      expect(W.closesocket(p.listener)).toBe(0);
    }
  });

  it("the socket's Winsock state is one for all threads: shutdown, linger, FIONBIO, a remembered reset", async () => {
    const { client, server, listener } = tcpPair();
    bounded(server);
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    // The server side learns of a reset in the Worker (the peer's linger {1,0} close there).
    const seen = await inWorker<Record<string, number>>(
      `return {
         sendAfterMainShutdown: W.send(data.client, Buffer.from('x')) === -1 ? W.WSAGetLastError() : 0,
         linger: W.setsockopt(data.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 7 }),
         timeout: W.setsockopt(data.server, W.SOL_SOCKET, W.SO_RCVTIMEO, 1234),
       };`,
      { client, server },
    );
    expect(seen).toEqual({ sendAfterMainShutdown: W.WSA.WSAESHUTDOWN, linger: 0, timeout: 0 });
    const l = { l_onoff: 0, l_linger: 0 };
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_LINGER, l)).toBe(0);
    expect(l).toEqual({ l_onoff: 1, l_linger: 7 });
    const t = [0];
    expect(W.getsockopt(server, W.SOL_SOCKET, W.SO_RCVTIMEO, t)).toBe(0);
    expect(t[0]).toBe(1234);
    // A reset the Worker's recv saw is remembered for this thread's calls too.
    expect(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(0);
    expect(W.closesocket(client)).toBe(0);
    // The Worker reads the FIN, then the reset, then what Winsock repeats for it.
    const inWorkerRecv = await inWorker<number[]>(
      `const b = Buffer.alloc(8); const code = () => (W.recv(data.s, b, 8, 0) === -1 ? W.WSAGetLastError() : 0);
       while (W.recv(data.s, b, 8, 0) === 0 && W.WSAGetLastError() === 0) {
         const fds = [{ fd: data.s, events: W.POLLRDNORM, revents: 0 }];
         if (W.WSAPoll(fds, 2000) === 0) break;
         if (fds[0].revents & (W.POLLERR | W.POLLHUP)) break;
       }
       return [code(), code()];`,
      { s: server },
    );
    expect([W.WSA.WSAECONNRESET, W.WSA.WSAECONNABORTED]).toContain(inWorkerRecv[0]);
    expect(inWorkerRecv[1]).toBe(inWorkerRecv[0]);
    // This thread gets the same remembered failure.
    expect(lastErrorOf(W.recv(server, Buffer.alloc(8), 8, 0))).toBe(inWorkerRecv[1]);
    expect(W.closesocket(server)).toBe(0);
    expect(W.closesocket(listener)).toBe(0);
  });

  it('a nonblocking mode set in a Worker makes recv in this thread answer WSAEWOULDBLOCK', async () => {
    const { client, server, listener } = tcpPair();
    bounded(server);
    expect(await inWorker<number>('return W.ioctlsocket(data.s, W.FIONBIO, [1]);', { s: server })).toBe(0);
    expect(lastErrorOf(W.recv(server, Buffer.alloc(4), 4, 0))).toBe(W.WSA.WSAEWOULDBLOCK);
    for (const s of [server, client, listener]) expect(W.closesocket(s)).toBe(0);
  });

  it('handles are never reused across threads: three Workers and this thread draw distinct handles, and a closed one stays WSAENOTSOCK', async () => {
    const mine: number[] = [];
    const closed = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    expect(W.closesocket(closed)).toBe(0);
    const draw = `const hs = [];
      for (let i = 0; i < 300; i++) { const h = W.socket(W.AF_INET, W.SOCK_DGRAM, 0); hs.push(h); W.closesocket(h); }
      const stale = W.send(data.closed, Buffer.from('x')) === -1 ? W.WSAGetLastError() : 0;
      return { hs, stale };`;
    const work = [0, 1, 2].map(() => inWorker<{ hs: number[]; stale: number }>(draw, { closed }));
    for (let i = 0; i < 300; i++) {
      const h = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0), 'socket');
      mine.push(h);
      expect(W.closesocket(h)).toBe(0);
    }
    const theirs = await Promise.all(work);
    const all = [...mine, ...theirs.flatMap((t) => t.hs), closed];
    expect(all.every((h) => h !== W.INVALID_SOCKET && h % 4 === 0)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    for (const t of theirs) expect(t.stale).toBe(W.WSA.WSAENOTSOCK);
    expect(lastErrorOf(W.send(closed, Buffer.from('x')))).toBe(W.WSA.WSAENOTSOCK);
  });
});

describe('the start-up count is the process', () => {
  it("a Worker's WSAStartup/WSACleanup pair leaves this thread's sockets alone", async () => {
    const { client, server, listener } = tcpPair();
    bounded(server);
    // The Worker's pair takes the count from 1 (ours) to 2 and back: not the last WSACleanup.
    expect(await inWorker<number[]>('return [W.WSAStartup(0x202), W.WSACleanup()];')).toEqual([0, 0]);
    expect(W.send(client, Buffer.from('still'))).toBe(5);
    expect(W.recv(server, Buffer.alloc(8), 8, 0)).toBe(5);
    for (const s of [server, client, listener]) expect(W.closesocket(s)).toBe(0);
  });

  it("the last WSACleanup in a Worker resets this thread's connections: the peer sees a reset", async () => {
    const peerSaw = new Promise<string>((resolve) => {
      const srv = net.createServer((c) => {
        c.on('error', (e: NodeJS.ErrnoException) => (resolve(e.code ?? 'error'), srv.close()));
        c.on('end', () => (resolve('end'), srv.close()));
      });
      srv.listen(0, '127.0.0.1', () => {
        const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
        ok(W.connect(s, { family: W.AF_INET, address: '127.0.0.1', port: (srv.address() as net.AddressInfo).port }), 'connect');
        void inWorker<number>('return W.WSACleanup();').then((rc) => expect(rc).toBe(0));
      });
    });
    expect(await peerSaw).toBe('ECONNRESET');
    // The count is 0 now, for this thread too.
    expect(lastErrorOf(W.socket(W.AF_INET, W.SOCK_STREAM, 0))).toBe(W.WSA.WSANOTINITIALISED);
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  });
});

describe('a close in one thread ends what other threads wait for', () => {
  it('a blocking recv in a Worker fails with WSAEINTR when this thread closes the socket, and the peer gets the FIN', async () => {
    const { client, server, listener } = tcpPair();
    bounded(server, 10_000);
    bounded(client);
    let blocking!: () => void;
    const entered = new Promise<void>((r) => (blocking = r));
    const worker = inWorker<{ rc: number; err: number; ms: number }>(
      `say('blocking');
       const t = performance.now();
       const rc = W.recv(data.s, Buffer.alloc(8), 8, 0);
       return { rc, err: W.WSAGetLastError(), ms: performance.now() - t };`,
      { s: server },
      () => blocking(),
    );
    await entered;
    // Give the Worker time to be inside its wait (a close before its recv would be WSAENOTSOCK instead).
    await new Promise((r) => setTimeout(r, 300));
    expect(W.closesocket(server)).toBe(0);
    const r = await worker;
    expect(r.rc).toBe(W.SOCKET_ERROR);
    expect(r.err).toBe(W.WSA.WSAEINTR);
    expect(r.ms).toBeLessThan(8000); // woken, not its SO_RCVTIMEO
    // The close took effect on the wire once the wait let go: the peer reads the FIN.
    expect(W.recv(client, Buffer.alloc(8), 8, 0)).toBe(0);
    expect(W.closesocket(client)).toBe(0);
    expect(W.closesocket(listener)).toBe(0);
  });

  it('a promise recv pending in this thread settles with WSA_OPERATION_ABORTED when a Worker closes the socket', async () => {
    const { client, server, listener } = tcpPair();
    const pending = P.recv(server, Buffer.alloc(8)).then(
      () => 'resolved',
      (e: P.WinsockError) => e.errno,
    );
    expect(await inWorker<number>('return W.closesocket(data.s);', { s: server })).toBe(0);
    expect(await pending).toBe(W.WSA.WSA_OPERATION_ABORTED);
    expect(W.closesocket(client)).toBe(0);
    expect(W.closesocket(listener)).toBe(0);
  });
});
