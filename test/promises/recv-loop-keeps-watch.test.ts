// Rule: a socket whose queue empties keeps its readiness watch until the end
// of that turn of Node's loop, so a program that awaits one recv after another
// (a transfer's receiver) does not stop and restart the watch per message
// (libuv deletes the descriptor from its epoll set on stop and adds it again
// on start: two epoll_ctl calls a wait). Once a turn passes with nothing
// queued, the watch is gone; every wake-up still reaches the reader that
// came back. Observed in the kernel: the epoll sets of this process
// (/proc/self/fdinfo of each eventpoll descriptor) list the socket's
// descriptor armed for input or output, or not (the watch registers one-shot,
// src/backends/watch-epoll.ts: a registration that fired and was not armed
// again stays listed with no events until its descriptor closes).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';
import { promisePair, within } from './helpers.js';

useWinsock();

/** True when some epoll set of this process holds descriptor `fd` armed for input or output. */
function inEpoll(fd: number): boolean {
  for (const n of readdirSync('/proc/self/fd')) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${n}`);
    } catch {
      continue; // closed meanwhile
    }
    if (link !== 'anon_inode:[eventpoll]') continue;
    const info = readFileSync(`/proc/self/fdinfo/${n}`, 'utf8');
    const m = new RegExp(`^tfd:\\s+${fd}\\s+events:\\s*([0-9a-f]+)`, 'm').exec(info);
    if (m && (parseInt(m[1]!, 16) & 0x5) !== 0) return true; // EPOLLIN | EPOLLOUT
  }
  return false;
}

const nextTurn = () => new Promise((r) => setImmediate(r));
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.platform === 'linux')('the watch of a socket whose queue emptied', () => {
  it('stays in the epoll set while the reader asks again within the turn, and every message arrives', async () => {
    const { client, server } = await promisePair();
    const fd = W.nativeFd(server)!;
    const buf = Buffer.alloc(64);
    // The first recv waits: the watch is made.
    let pending = P.recv(server, buf);
    await later(20);
    expect(inEpoll(fd)).toBe(true);
    for (let i = 0; i < 3; i++) {
      ok(W.send(client, Buffer.from(`m${i}`)));
      const n = await within(pending, 5000, `recv ${i}`);
      expect(buf.subarray(0, n).toString()).toBe(`m${i}`);
      // Asked again within the same turn: the descriptor never left the set.
      pending = P.recv(server, buf);
      expect(inEpoll(fd)).toBe(true);
      // Nothing is lost: the next message, sent once this recv waits, wakes it.
      await later(10);
    }
    ok(W.shutdown(client, W.SD_SEND));
    expect(await within(pending, 5000, 'recv of the FIN')).toBe(0);
    W.closesocket(client);
    W.closesocket(server);
  });

  // With the one-shot epoll registration a watch that fired is disarmed by the
  // kernel itself and stays listed (fdinfo shows the registered events
  // either way), so "left the set" is no longer observable there: what stays
  // is that a wait after an idle turn is watched and woken again.
  it('a wait after a turn with nothing queued is watched again and woken', async () => {
    const { client, server } = await promisePair();
    const fd = W.nativeFd(server)!;
    const r = P.recv(server, Buffer.alloc(8));
    await later(20);
    expect(inEpoll(fd)).toBe(true);
    ok(W.send(client, Buffer.from('x')));
    expect(await within(r, 5000)).toBe(1);
    await nextTurn();
    await nextTurn();
    // A later wait watches again.
    const r2 = P.recv(server, Buffer.alloc(8));
    await later(20);
    expect(inEpoll(fd)).toBe(true);
    ok(W.send(client, Buffer.from('y')));
    expect(await within(r2, 5000)).toBe(1);
    W.closesocket(client);
    W.closesocket(server);
  });

  it('switching from a read to a write within the turn watches for the write', async () => {
    const { client, server } = await promisePair();
    const r = P.recv(server, Buffer.alloc(8));
    await later(20);
    ok(W.send(client, Buffer.from('x')));
    expect(await within(r, 5000)).toBe(1);
    // In the same turn: a send larger than the socket buffers, which must wait for the peer to drain.
    const big = Buffer.alloc(8 * 1024 * 1024, 0x2a);
    const sent = P.send(server, big);
    const sink = Buffer.alloc(256 * 1024);
    let got = 0;
    while (got < big.length) got += await within(P.recv(client, sink), 5000, 'drain');
    expect(await within(sent, 5000, 'send')).toBe(big.length);
    W.closesocket(client);
    W.closesocket(server);
  });
});
