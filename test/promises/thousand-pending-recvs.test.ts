// Rule: waiting never occupies libuv's thread pool. 1,000 connections, each
// with a recv pending, while an fs.readFile loop and dns.lookup keep
// completing; then every message is delivered, every connection closed
// gracefully, and the descriptors are back where they started.
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';
import { tcpListener, within } from './helpers.js';

useWinsock();

const N = 1000;
const fds = () => readdirSync('/proc/self/fd').length;

it(`${N} pending recvs leave the thread pool free; all data delivered, all closed, fds back to start`, async () => {
  const fdStart = fds();
  const l = tcpListener();
  const clients: number[] = [];
  const servers: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const [s] = await Promise.all([P.accept(l.s), P.connect(c, l.addr)]);
    clients.push(c);
    servers.push(s);
  }
  const bufs = servers.map(() => Buffer.alloc(16));
  let settled = 0;
  const pending = servers.map((s, i) => P.recv(s, bufs[i]!).finally(() => settled++));
  // With every recv waiting, file and name work still completes: more rounds than the pool has threads.
  let reads = 0;
  for (let i = 0; i < 20; i++) {
    await within(readFile(new URL(import.meta.url)), 2000, 'fs.readFile');
    reads++;
  }
  const addr = await within(lookup('localhost'), 2000, 'dns.lookup');
  expect(reads).toBe(20);
  expect(addr.address).toMatch(/^(127\.0\.0\.1|::1)$/);
  expect(settled).toBe(0);
  // Now one message each.
  clients.forEach((c, i) => ok(W.send(c, Buffer.from(`m${i}`))));
  const got = await within(Promise.all(pending), 10_000, 'the recvs');
  expect(got.every((n, i) => n === `m${i}`.length)).toBe(true);
  expect(bufs.every((b, i) => b.subarray(0, got[i]).toString() === `m${i}`)).toBe(true);
  // Both ends close gracefully at once.
  const results = await within(
    Promise.all([...clients, ...servers].map((s) => P.gracefulClose(s, { timeoutMs: 5000 }))),
    15_000,
    'the graceful closes',
  );
  expect(results.filter((r) => !r.graceful)).toEqual([]);
  ok(W.closesocket(l.s));
  expect(W.openHandles()).toEqual([]);
  expect(fds()).toBe(fdStart);
});
