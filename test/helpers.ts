// Shared test plumbing: a started Winsock, connected loopback pairs, and a way
// to ask what the peer observes without blocking the test process forever.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import * as W from '../src/index.js';
import type { SockAddr, SOCKET } from '../src/index.js';

/** WSAStartup before the file's tests, WSACleanup after (resetting whatever a test left open). */
export function useWinsock(): void {
  beforeAll(() => {
    if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
  });
  afterAll(() => {
    W.WSACleanup();
  });
}

export const LOOPBACK4: SockAddr = { family: W.AF_INET, address: '127.0.0.1', port: 0 };
export const LOOPBACK6: SockAddr = { family: W.AF_INET6, address: '::1', port: 0 };

/** Throws when a Winsock call failed, naming the WSA code. */
export function ok(rc: number, what = 'call'): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what} failed: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

export function listener(af = W.AF_INET): { s: SOCKET; addr: SockAddr } {
  const s = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.bind(s, af === W.AF_INET ? LOOPBACK4 : LOOPBACK6), 'bind');
  ok(W.listen(s, W.SOMAXCONN), 'listen');
  const addr = {} as SockAddr;
  ok(W.getsockname(s, addr), 'getsockname');
  return { s, addr };
}

/** A connected TCP pair on loopback (blocking sockets; loopback connects complete at once). */
export function tcpPair(af = W.AF_INET): { client: SOCKET; server: SOCKET; listener: SOCKET; addr: SockAddr } {
  const l = listener(af);
  const client = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  ok(W.connect(client, l.addr), 'connect');
  const server = ok(W.accept(l.s), 'accept');
  return { client, server, listener: l.s, addr: l.addr };
}

/** Waits (bounded) until `s` is readable or reports an error/hang-up. */
export function waitReadable(s: SOCKET, timeoutMs = 5000): number {
  const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
  ok(W.WSAPoll(fds, timeoutMs), 'WSAPoll');
  return fds[0]!.revents;
}

export type PeerView = { bytes: string } | { eof: true } | { error: string };

/** What a recv on `s` observes next: data, EOF (recv 0) or a WSA error name. Never blocks past the timeout. */
export function observe(s: SOCKET, timeoutMs = 5000): PeerView {
  if (waitReadable(s, timeoutMs) === 0) return { error: 'TIMEOUT' };
  const buf = Buffer.alloc(65536);
  const n = W.recv(s, buf);
  if (n === W.SOCKET_ERROR) return { error: W.wsaErrorName(W.WSAGetLastError()) };
  return n === 0 ? { eof: true } : { bytes: buf.subarray(0, n).toString() };
}

/** Reads until EOF or error; returns everything read and how it ended. */
export function drain(s: SOCKET, timeoutMs = 5000): { data: Buffer; end: 'eof' | string } {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (waitReadable(s, Math.max(0, deadline - Date.now())) === 0) return { data: Buffer.concat(chunks), end: 'TIMEOUT' };
    const n = W.recv(s, buf);
    if (n === 0) return { data: Buffer.concat(chunks), end: 'eof' };
    if (n === W.SOCKET_ERROR) return { data: Buffer.concat(chunks), end: W.wsaErrorName(W.WSAGetLastError()) };
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** Expect a call to fail with a given WSA code: returns the code it actually set. */
export function lastErrorOf(rc: number): number | 'no error' {
  return rc === W.SOCKET_ERROR ? W.WSAGetLastError() : 'no error';
}

/**
 * Fills the connection's buffers so that data stays unsent: the receiver
 * never reads. Uses a nonblocking send until WSAEWOULDBLOCK, then restores
 * the sender's blocking mode. Returns the bytes accepted by send.
 */
export function fillUntilBlocked(sender: SOCKET, receiver: SOCKET): number {
  ok(W.setsockopt(receiver, W.SOL_SOCKET, W.SO_RCVBUF, 4096), 'SO_RCVBUF');
  ok(W.setsockopt(sender, W.SOL_SOCKET, W.SO_SNDBUF, 4096), 'SO_SNDBUF');
  ok(W.ioctlsocket(sender, W.FIONBIO, [1]), 'FIONBIO');
  const chunk = Buffer.alloc(16384, 0x61);
  let total = 0;
  for (let i = 0; i < 100_000; i++) {
    const n = W.send(sender, chunk);
    if (n === W.SOCKET_ERROR) {
      if (W.WSAGetLastError() !== W.WSA.WSAEWOULDBLOCK) throw new Error(`send: ${W.wsaErrorName(W.WSAGetLastError())}`);
      break;
    }
    total += n;
  }
  return total;
}

/** Reads (bounded waits) until `want` bytes arrived, EOF, or an error; returns the count read. */
export function readUpTo(s: SOCKET, want: number, timeoutMs = 5000): number {
  const buf = Buffer.alloc(1 << 20);
  let read = 0;
  while (read < want) {
    if (waitReadable(s, timeoutMs) === 0) break;
    const n = W.recv(s, buf);
    if (n <= 0) break;
    read += n;
  }
  return read;
}

const SOME_ADDR: SockAddr = { family: W.AF_INET, address: '127.0.0.1', port: 9 };

/**
 * Every handle-taking call of the API, as [name, thunk] with otherwise valid
 * arguments, so a test can check what each one answers for handle `s`.
 */
export function handleCalls(s: SOCKET): Array<[string, () => number]> {
  const buf = Buffer.alloc(16);
  return [
    ['bind', () => W.bind(s, SOME_ADDR)],
    ['listen', () => W.listen(s, 5)],
    ['accept', () => W.accept(s)],
    ['connect', () => W.connect(s, SOME_ADDR)],
    ['send', () => W.send(s, buf)],
    ['recv', () => W.recv(s, buf)],
    ['sendto', () => W.sendto(s, buf, buf.length, 0, SOME_ADDR)],
    ['recvfrom', () => W.recvfrom(s, buf, buf.length, 0, {} as SockAddr)],
    ['shutdown', () => W.shutdown(s, W.SD_BOTH)],
    ['WSASendDisconnect', () => W.WSASendDisconnect(s)],
    ['WSARecvDisconnect', () => W.WSARecvDisconnect(s)],
    ['setsockopt', () => W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 })],
    ['getsockopt', () => W.getsockopt(s, W.SOL_SOCKET, W.SO_TYPE, [])],
    ['ioctlsocket', () => W.ioctlsocket(s, W.FIONBIO, [1])],
    ['getsockname', () => W.getsockname(s, {} as SockAddr)],
    ['getpeername', () => W.getpeername(s, {} as SockAddr)],
    ['closesocket', () => W.closesocket(s)],
  ];
}

/** How many descriptors the process holds (without loading the harness, which observes closes). */
export const fdCount = (): number => readdirSync('/proc/self/fd').length;

/** Async pause that lets Node's loop run (watchers fire, the kernel delivers). */
export const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

/**
 * The file: URL of an ESM build of `entry` (default src/index.ts) for Worker threads: Node 20 does not
 * apply the main thread's TypeScript loader to workers. Built by tsup into a
 * temp directory (dist/ is left alone: other suites read it), removed after
 * the calling file's tests.
 */
export function workerBundle(entry = 'src/index.ts'): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tmp = mkdtempSync(join(tmpdir(), 'wsc-worker-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  copyFileSync(join(root, 'package.json'), join(tmp, 'package.json'));
  mkdirSync(join(tmp, 'node_modules'));
  symlinkSync(join(root, 'node_modules', 'koffi'), join(tmp, 'node_modules', 'koffi'));
  execFileSync(
    join(root, 'node_modules', '.bin', 'tsup'),
    [entry, '--format', 'esm', '--out-dir', join(tmp, 'dist'), '--no-config', '--silent', '--target', 'node20', '--platform', 'node'],
    { cwd: root, stdio: 'pipe', timeout: 120_000 },
  );
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '.js');
  return pathToFileURL(join(tmp, 'dist', name)).href;
}

/**
 * Runs an ES module script (its imports relative to this checkout's root, e.g.
 * './src/index.ts') in a child Node process, for behaviour that must be seen
 * from outside: a crash, or whether the process exits by itself. Bounded.
 */
export function runModuleScript(script: string, timeoutMs = 20_000): SpawnSyncReturns<string> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

/**
 * A win32 backend record for tests that drive win32.ts against a fake
 * ws2_32: a slot of the process-wide table (src/shared-table.ts) holding this
 * SOCKET, as socket() would make it.
 */
export async function win32Record(fd: bigint, type = 1, nonblocking = false) {
  const { reserve, setKind } = await import('../src/shared-table.js');
  const { Win32Sock } = await import('../src/backends/win32-sock.js');
  const slot = reserve()!;
  setKind(slot.base, 2, type, type === 1 ? 6 : 17);
  const r = new Win32Sock(slot.handle, slot.base);
  r.fd = fd;
  r.nonblocking = nonblocking;
  return r;
}
