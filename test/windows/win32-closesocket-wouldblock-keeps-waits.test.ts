// win32.ts's closesocket when ws2_32 answers WSAEWOULDBLOCK (a nonblocking
// SOCKET, or a promise attempt, with linger {1,N} and unsent data): the SOCKET
// stays open, so the operations waiting on it must keep waiting. Wine never gives
// this answer (docs/windows.md), so the path is run here with a scripted ws2_32
// and a real Linux descriptor (a FIFO) standing in for the SOCKET under the
// uv_poll watch: the watch must be closed before ws2_32's closesocket runs
// (libuv forbids closing a watched SOCKET), then made again with the same
// interests, which still fire.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  calls: [] as { fn: string; args: unknown[] }[],
  impl: {} as Record<string, (...args: any[]) => unknown>,
}));

vi.mock('../../native-bindings/ws2_32.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../native-bindings/ws2_32.js')>();
  const W = new Proxy(
    {},
    {
      get:
        (_, fn: string) =>
        (...args: unknown[]) => {
          fake.calls.push({ fn, args });
          const f = fake.impl[fn];
          if (!f) throw new Error(`unexpected ws2_32 call ${fn}`);
          return f(...args);
        },
    },
  );
  return { ...real, W };
});

const win32 = await import('../../src/backends/win32.js');
const { WSAGetLastError, WSASetLastError } = await import('../../src/errors.js');
type Win32Sock = import('../../src/backends/win32.js').Win32Sock;

const FIONBIO = 0x8004667e;
let dir: string;
let fd: number;
let rec: Win32Sock;

/** The FIONBIO values ws2_32 was given, in order (read at the call: win32.ts reuses one argument buffer). */
let modes: number[] = [];

beforeEach(async () => {
  fake.calls.length = 0;
  modes = [];
  fake.impl = {
    getsockopt: () => 0,
    ioctlsocket: (_s, cmd: number, arg: Uint32Array) => (cmd === FIONBIO && modes.push(arg[0]!), 0),
  };
  WSASetLastError(0);
  dir = mkdtempSync(join(tmpdir(), 'wsc-fifo-'));
  execFileSync('mkfifo', [join(dir, 'f')]);
  // O_RDWR: a FIFO opened for both ends never reports a hang-up; readable once written.
  fd = openSync(join(dir, 'f'), constants.O_RDWR | constants.O_NONBLOCK);
  rec = await (await import('../helpers.js')).win32Record(BigInt(fd));
});

afterEach(() => {
  rec.watch?.close();
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

describe('win32.ts closesocket answered WSAEWOULDBLOCK (scripted ws2_32, a FIFO under the watch)', () => {
  it('keeps the SOCKET watched: the watch is closed before ws2_32 is called, made again after, and its interest still fires', async () => {
    let fired = 0;
    expect(win32.watch(rec, { readable: true, ref: true, fn: () => fired++ })).toBe(true);
    const first = rec.watch;
    let watchedDuringClose: unknown = 'not called';
    fake.impl.closesocket = () => ((watchedDuringClose = rec.watch), -1);
    fake.impl.WSAGetLastError = () => 10035;
    fake.calls.length = 0;
    modes = [];

    expect(win32.closesocket(rec, true)).toBe(-1);
    expect(WSAGetLastError()).toBe(10035);
    // No watch while ws2_32 closed; the attempt borrowed FIONBIO 1 for the one call, gave it back,
    // and the new watch's start (libuv makes the SOCKET nonblocking) put blocking back once more.
    expect(watchedDuringClose).toBeNull();
    expect(modes).toEqual([1, 0, 0]);
    expect(rec.watch).not.toBeNull();
    expect(rec.watch).not.toBe(first);
    expect(rec.watch!.size).toBe(1);

    writeSync(fd, 'x');
    for (let i = 0; i < 100 && fired === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBeGreaterThan(0);
  });

  it('a nonblocking SOCKET is not switched around the call; on success nothing is watched again', () => {
    rec.nonblocking = true;
    expect(win32.watch(rec, { readable: true, ref: true, fn: () => {} })).toBe(true);
    fake.impl.closesocket = () => 0;
    fake.calls.length = 0;
    expect(win32.closesocket(rec, true)).toBe(0);
    expect(fake.calls.map((c) => c.fn)).toEqual(['closesocket']);
    expect(rec.watch).toBeNull();
  });
});
