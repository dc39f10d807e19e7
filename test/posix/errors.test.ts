// Rule: WSA error codes are Winsock's (WSAE* = 10000 + the BSD errno), each
// with its name and one-line message; WSASetLastError/WSAGetLastError keep a
// per-thread last error: a Worker has its own, untouched by the main thread's
// and not touching it.
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import { lastErrorOf, ok, useWinsock, workerBundle } from '../helpers.js';

useWinsock();

describe('the code table', () => {
  it('WSAE* = 10000 + the BSD errno (a sample)', () => {
    // BSD errno values (not Linux's: EWOULDBLOCK is 35 on BSD, 11 on Linux).
    const bsd: Array<[keyof typeof W.WSA, number]> = [
      ['WSAEINTR', 4],
      ['WSAEBADF', 9],
      ['WSAEACCES', 13],
      ['WSAEFAULT', 14],
      ['WSAEINVAL', 22],
      ['WSAEMFILE', 24],
      ['WSAEWOULDBLOCK', 35],
      ['WSAEINPROGRESS', 36],
      ['WSAEALREADY', 37],
      ['WSAENOTSOCK', 38],
      ['WSAEMSGSIZE', 40],
      ['WSAENOPROTOOPT', 42],
      ['WSAEPROTONOSUPPORT', 43],
      ['WSAESOCKTNOSUPPORT', 44],
      ['WSAEOPNOTSUPP', 45],
      ['WSAEAFNOSUPPORT', 47],
      ['WSAEADDRINUSE', 48],
      ['WSAEADDRNOTAVAIL', 49],
      ['WSAENETUNREACH', 51],
      ['WSAECONNABORTED', 53],
      ['WSAECONNRESET', 54],
      ['WSAENOBUFS', 55],
      ['WSAEISCONN', 56],
      ['WSAENOTCONN', 57],
      ['WSAESHUTDOWN', 58],
      ['WSAETIMEDOUT', 60],
      ['WSAECONNREFUSED', 61],
      ['WSAEHOSTUNREACH', 65],
    ];
    for (const [name, errno] of bsd) expect(W.WSA[name], name).toBe(10000 + errno);
  });

  it('the non-errno codes: WSASYSNOTREADY 10091, WSAVERNOTSUPPORTED 10092, WSANOTINITIALISED 10093, WSAEDISCON 10101, WSAHOST_NOT_FOUND 11001', () => {
    expect(W.WSA.WSASYSNOTREADY).toBe(10091);
    expect(W.WSA.WSAVERNOTSUPPORTED).toBe(10092);
    expect(W.WSA.WSANOTINITIALISED).toBe(10093);
    expect(W.WSA.WSAEDISCON).toBe(10101);
    expect(W.WSA.WSAHOST_NOT_FOUND).toBe(11001);
  });

  it('every code has its own name and a one-line message; wsaErrorName inverts WSA', () => {
    const seen = new Set<number>();
    for (const [name, code] of Object.entries(W.WSA)) {
      expect(seen.has(code), `duplicate code ${code}`).toBe(false);
      seen.add(code);
      expect(W.wsaErrorName(code)).toBe(name);
      const msg = W.wsaErrorMessage(code);
      expect(msg.length, name).toBeGreaterThan(5);
      expect(msg, name).not.toMatch(/\n/);
      expect(msg, name).not.toBe('Unknown error.');
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  it("messages follow Microsoft's wording for a sample", () => {
    expect(W.wsaErrorMessage(10038)).toBe('Socket operation on nonsocket.');
    expect(W.wsaErrorMessage(10054)).toBe('Connection reset by peer.');
    expect(W.wsaErrorMessage(10058)).toBe('Cannot send after socket shutdown.');
    expect(W.wsaErrorMessage(10093)).toBe('Successful WSAStartup not yet performed.');
    expect(W.wsaErrorMessage(10035)).toBe('Resource temporarily unavailable.');
  });

  it('0 is NO_ERROR; an unknown code gets a generic name and message', () => {
    expect(W.wsaErrorName(0)).toBe('NO_ERROR');
    expect(W.wsaErrorMessage(0)).toMatch(/success/i);
    expect(W.wsaErrorName(12345)).toBe('WSA error 12345');
    expect(W.wsaErrorMessage(12345)).toBe('Unknown error.');
  });

  it('the WSA table is frozen', () => {
    expect(Object.isFrozen(W.WSA)).toBe(true);
  });

  it('a real failure reports a Winsock code, never a Linux errno', () => {
    // Linux: ECONNREFUSED 111, ENOTSOCK 88, EINVAL 22. Winsock: 10061, 10038, 10022.
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    const tmp = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.bind(tmp, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
    const dead = {} as SockAddr;
    ok(W.getsockname(tmp, dead));
    ok(W.closesocket(tmp));
    expect(lastErrorOf(W.connect(s, dead))).toBe(10061);
    expect(lastErrorOf(W.closesocket(tmp))).toBe(10038);
    // EADDRINUSE: bind a second socket to a listening port.
    const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
    ok(W.listen(l, 1));
    const la = {} as SockAddr;
    ok(W.getsockname(l, la));
    const s2 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(lastErrorOf(W.bind(s2, la))).toBe(W.WSA.WSAEADDRINUSE);
    // A non-local address: WSAEADDRNOTAVAIL.
    expect(lastErrorOf(W.bind(s2, { family: W.AF_INET, address: '192.0.2.1', port: 0 }))).toBe(W.WSA.WSAEADDRNOTAVAIL);
    for (const h of [s, l, s2]) ok(W.closesocket(h));
  });
});

describe('WSASetLastError / WSAGetLastError', () => {
  it('set then get returns the code; a success does not clear it (Winsock leaves it alone)', () => {
    W.WSASetLastError(W.WSA.WSAEINTR);
    expect(W.WSAGetLastError()).toBe(10004);
    const s = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0));
    expect(W.WSAGetLastError()).toBe(10004);
    ok(W.closesocket(s));
    W.WSASetLastError(0);
    expect(W.WSAGetLastError()).toBe(0);
  });

  it('any integer is stored, even one that is not a WSA code', () => {
    W.WSASetLastError(42);
    expect(W.WSAGetLastError()).toBe(42);
    W.WSASetLastError(0);
  });

  it('a non-integer is a TypeError and leaves the last error as it was', () => {
    W.WSASetLastError(W.WSA.WSAEINVAL);
    expect(() => W.WSASetLastError('10054' as never)).toThrow(TypeError);
    expect(() => W.WSASetLastError(1.5)).toThrow(TypeError);
    expect(() => W.WSASetLastError(NaN)).toThrow(TypeError);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
  });

  it('a failing call overwrites it with its own code', () => {
    W.WSASetLastError(W.WSA.WSAEINTR);
    expect(W.closesocket(0)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAENOTSOCK);
  });
});

// --- per thread: a Worker loads its own copy of the library -----------------
// Node 20 does not apply the main thread's TypeScript loader to workers, so
// the worker imports an ESM build of src/ made by tsup into a temp directory
// (dist/ is left alone: other suites read it).
let bundle: string;
beforeAll(() => {
  bundle = workerBundle();
}, 150_000);

type WorkerReport = { initial: number; afterSet: number; afterFail: number; failRc: number; afterMainWait: number };

/**
 * Runs a worker that: reports its initial last error, sets `code`, reports it,
 * makes a call fail (WSAENOTSOCK: no such handle; the start-up count is the
 * process's, so the main thread's WSAStartup holds there too), waits for
 * the main thread to change its own last error, then reports again.
 */
function runWorker(code: number, onReady: () => void): Promise<WorkerReport> {
  const src = `
    import { parentPort, workerData } from 'node:worker_threads';
    const W = await import(workerData.bundle);
    const r = { initial: W.WSAGetLastError() };
    W.WSASetLastError(workerData.code);
    r.afterSet = W.WSAGetLastError();
    parentPort.postMessage({ ready: true });
    await new Promise((res) => parentPort.once('message', res));
    r.afterMainWait = W.WSAGetLastError();
    r.failRc = W.closesocket(0x7ffffff0);
    r.afterFail = W.WSAGetLastError();
    parentPort.postMessage(r);
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: { bundle, code } });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error('worker timed out'));
    }, 20_000);
    w.on('message', (m: { ready?: boolean } & WorkerReport) => {
      if (m.ready) {
        onReady();
        w.postMessage('go');
        return;
      }
      clearTimeout(timer);
      resolve(m);
      void w.terminate();
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('per-thread last error', () => {
  it("a Worker starts at 0, keeps its own code, and neither thread sees the other's", async () => {
    W.WSASetLastError(W.WSA.WSAECONNRESET);
    let mainWhileWorkerSet = -1;
    const report = await runWorker(W.WSA.WSAEMSGSIZE, () => {
      mainWhileWorkerSet = W.WSAGetLastError();
      W.WSASetLastError(W.WSA.WSAEADDRINUSE);
    });
    // The worker had set WSAEMSGSIZE; the main thread still had its own.
    expect(mainWhileWorkerSet).toBe(W.WSA.WSAECONNRESET);
    expect(report).toEqual({
      initial: 0,
      afterSet: W.WSA.WSAEMSGSIZE,
      // The main thread's WSASetLastError(WSAEADDRINUSE) did not reach the worker.
      afterMainWait: W.WSA.WSAEMSGSIZE,
      failRc: W.SOCKET_ERROR,
      afterFail: W.WSA.WSAENOTSOCK,
    });
    // The worker's failure did not reach the main thread.
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEADDRINUSE);
    W.WSASetLastError(0);
  });

  it('two Workers at once keep two different codes', async () => {
    const [a, b] = await Promise.all([runWorker(W.WSA.WSAETIMEDOUT, () => {}), runWorker(W.WSA.WSAEHOSTUNREACH, () => {})]);
    expect(a.afterSet).toBe(W.WSA.WSAETIMEDOUT);
    expect(a.afterMainWait).toBe(W.WSA.WSAETIMEDOUT);
    expect(b.afterSet).toBe(W.WSA.WSAEHOSTUNREACH);
    expect(b.afterMainWait).toBe(W.WSA.WSAEHOSTUNREACH);
  });
});
