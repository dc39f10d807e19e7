// Plumbing for the promise API's tests: bounded waits (no test can hang on a
// promise that never settles), connected pairs made with the promise calls,
// and every promise call with otherwise valid arguments.
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';
import * as P from '../../src/promises.js';
import { LOOPBACK4, ok } from '../helpers.js';

/** Rejects if `p` has not settled within `ms`: a hung promise fails its test instead of the suite. */
export function within<T>(p: Promise<T>, ms = 5000, what = 'operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** How a promise settled: its value, or the rejection's name/code/syscall. */
export async function outcome(p: Promise<unknown>, ms = 5000): Promise<unknown> {
  try {
    return { value: await within(p, ms) };
  } catch (e) {
    if (e instanceof W.WinsockError) return { code: e.code, syscall: e.syscall };
    if (e instanceof Error && e.name === 'AbortError') return { abort: true };
    return { error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) };
  }
}

export function tcpListener(af = W.AF_INET): { s: SOCKET; addr: SockAddr } {
  const s = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.bind(s, af === W.AF_INET ? LOOPBACK4 : { family: W.AF_INET6, address: '::1', port: 0 }), 'bind');
  ok(W.listen(s, W.SOMAXCONN), 'listen');
  const addr = {} as SockAddr;
  ok(W.getsockname(s, addr), 'getsockname');
  return { s, addr };
}

/** A connected pair made entirely with the promise calls. */
export async function promisePair(af = W.AF_INET): Promise<{ client: SOCKET; server: SOCKET; listener: SOCKET; addr: SockAddr }> {
  const l = tcpListener(af);
  const client = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  const [server] = await within(Promise.all([P.accept(l.s), P.connect(client, l.addr)]));
  return { client, server, listener: l.s, addr: l.addr };
}

const SOME_ADDR: SockAddr = { family: W.AF_INET, address: '127.0.0.1', port: 9 };

/** Every promise call that takes a handle, with otherwise valid arguments. */
export function promiseCalls(s: SOCKET): Array<[string, () => Promise<unknown>]> {
  const buf = Buffer.alloc(16);
  return [
    ['connect', () => P.connect(s, SOME_ADDR)],
    ['accept', () => P.accept(s)],
    ['send', () => P.send(s, buf)],
    ['recv', () => P.recv(s, buf)],
    ['sendto', () => P.sendto(s, buf, buf.length, 0, SOME_ADDR)],
    ['recvfrom', () => P.recvfrom(s, buf, buf.length, 0, {} as SockAddr)],
    ['closesocket', () => P.closesocket(s)],
    ['gracefulClose', () => P.gracefulClose(s, { timeoutMs: 100 })],
  ];
}
