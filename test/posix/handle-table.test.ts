// Contract: a handle never issued, or closed, answers WSAENOTSOCK, and a
// closed handle never reaches the descriptor Linux hands out next.
import { closeSync, openSync, readFileSync, readSync, writeFileSync, fstatSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { handleCalls, lastErrorOf, ok, tcpPair, useWinsock, workerBundle } from '../helpers.js';

useWinsock();

function expectNotSock(h: number) {
  for (const [name, call] of handleCalls(h)) {
    expect.soft(call(), name).toBe(-1);
    expect.soft(W.WSAGetLastError(), name).toBe(W.WSA.WSAENOTSOCK);
  }
}

describe('the handle table', () => {
  it('answers WSAENOTSOCK for handles never issued', () => {
    for (const h of [0, 1, 2, -5, 2 ** 40, NaN, Infinity, 0x1000 + 3]) expectNotSock(h);
  });

  it('answers WSAENOTSOCK for a closed handle, on every call', () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(W.closesocket(s)).toBe(0);
    expectNotSock(s);
  });

  it('never issues a handle twice', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const s = ok(W.socket(W.AF_INET, i % 2 ? W.SOCK_STREAM : W.SOCK_DGRAM, 0));
      expect(seen.has(s)).toBe(false);
      seen.add(s);
      expect(W.closesocket(s)).toBe(0);
    }
  });

  it('after closesocket, a file given the same fd number is untouched by calls on the old handle', () => {
    const { client, server } = tcpPair();
    const fd = W.nativeFd(client)!;
    expect(fd).toBeGreaterThan(2);
    expect(W.closesocket(client)).toBe(0);
    // Linux hands out the lowest free number: the file gets the socket's old fd.
    const path = join(tmpdir(), `wsc-recycled-${process.pid}.txt`);
    writeFileSync(path, 'precious');
    const file = openSync(path, 'r+');
    try {
      expect(file).toBe(fd);
      expectNotSock(client);
      // The file is open, at offset 0, unchanged, and not a socket.
      expect(fstatSync(file).isFile()).toBe(true);
      const b = Buffer.alloc(16);
      expect(readSync(file, b, 0, 16, null)).toBe(8);
      expect(b.subarray(0, 8).toString()).toBe('precious');
      expect(readFileSync(path, 'utf8')).toBe('precious');
      expect(readdirSync('/proc/self/fd')).toContain(String(fd));
    } finally {
      closeSync(file);
    }
    expect(W.closesocket(server)).toBe(0);
  });

  it('a failed call on a bad handle leaves an unrelated live socket working', () => {
    const { client, server } = tcpPair();
    expectNotSock(0x7ffff000);
    expect(W.send(client, Buffer.from('ok'))).toBe(2);
    expect(W.recv(server, Buffer.alloc(2))).toBe(2);
    expect(lastErrorOf(W.send(NaN, Buffer.from('x')))).toBe(W.WSA.WSAENOTSOCK);
  });
});

describe('handles across threads', () => {
  let bundle: string;
  beforeAll(() => {
    bundle = workerBundle();
  }, 150_000);

  it("a carried handle is the same socket in a Worker, and a Worker's new handles never equal a live or closed one of this thread", async () => {
    const { client, server } = tcpPair();
    const closed = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    expect(W.closesocket(closed)).toBe(0);
    // The worker sends on our client, then opens and closes sockets (reusing
    // the table's slots) and reports the handles it drew and what our closed one means there.
    const code = `
      import { parentPort, workerData } from 'node:worker_threads';
      const W = await import(workerData.src);
      const rc = W.send(workerData.theirs, Buffer.from('x'));
      const drawn = [];
      for (let i = 0; i < 2000; i++) { const h = W.socket(W.AF_INET, W.SOCK_STREAM, 0); drawn.push(h); W.closesocket(h); }
      const stale = W.send(workerData.closed, Buffer.from('x'));
      parentPort.postMessage({ rc, drawn, stale, err: W.WSAGetLastError() });`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
      workerData: { src: bundle, theirs: client, closed },
    });
    const msg = await new Promise<{ rc: number; drawn: number[]; stale: number; err: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(msg.rc).toBe(1);
    const got = Buffer.alloc(1);
    expect(W.recv(server, got, 1, 0)).toBe(1);
    expect(got.toString()).toBe('x');
    expect(new Set(msg.drawn).size).toBe(msg.drawn.length);
    for (const h of [client, server, closed]) expect(msg.drawn).not.toContain(h);
    expect([msg.stale, msg.err]).toEqual([W.SOCKET_ERROR, W.WSA.WSAENOTSOCK]);
    expect(lastErrorOf(W.send(msg.drawn[0]!, Buffer.from('x')))).toBe(W.WSA.WSAENOTSOCK);
  });
});
