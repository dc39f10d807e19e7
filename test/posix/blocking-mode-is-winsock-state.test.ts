// Rule: FIONBIO is the library's own state. The descriptor is always
// O_NONBLOCK (libuv sets it anyway once a watch starts), and a flat call on a
// socket the program left blocking still blocks: after shutdown(SD_RECEIVE)
// (whose watch used to leave the descriptor nonblocking), after a promise
// operation watched the socket, and on a socket accepted by a promise accept.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import type { SockAddr } from '../../src/index.js';
import { lastErrorOf, ok, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

it('after shutdown(SD_RECEIVE) a blocking send of 8 MiB queues all 8 MiB (a reader in another process drains it)', async () => {
  // The reader must not depend on this thread: a blocking send blocks it.
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').createServer((c) => { let n = 0; c.on('data', (d) => (n += d.length)); c.on('end', () => { console.log('got ' + n); c.end(); s.close(); }); });
       s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const killer = setTimeout(() => child.kill(), 20_000);
  while (!/port \d+/.test(out)) await once(child.stdout, 'data');
  const port = Number(/port (\d+)/.exec(out)![1]);
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  ok(W.connect(s, { family: W.AF_INET, address: '127.0.0.1', port }));
  ok(W.shutdown(s, W.SD_RECEIVE));
  const big = Buffer.alloc(8 << 20, 1);
  expect(W.send(s, big)).toBe(big.length);
  ok(W.shutdown(s, W.SD_SEND));
  await once(child, 'exit');
  clearTimeout(killer);
  expect(out).toMatch(new RegExp(`got ${big.length}`));
  ok(W.closesocket(s));
});

it('a blocking recv waits (SO_RCVTIMEO then WSAETIMEDOUT) after a promise recv has watched the socket', async () => {
  const { client, server } = tcpPair();
  const p = P.recv(server, Buffer.alloc(4));
  ok(W.send(client, Buffer.from('1234')));
  expect(await p).toBe(4);
  ok(W.setsockopt(server, W.SOL_SOCKET, W.SO_RCVTIMEO, 100));
  const t0 = performance.now();
  expect(lastErrorOf(W.recv(server, Buffer.alloc(4)))).toBe(W.WSAETIMEDOUT);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  // A nonblocking one answers at once.
  ok(W.ioctlsocket(server, W.FIONBIO, [1]));
  expect(lastErrorOf(W.recv(server, Buffer.alloc(4)))).toBe(W.WSAEWOULDBLOCK);
});

it("a promise accept's socket inherits the listener's mode, not the attempt's", async () => {
  for (const mode of [0, 1]) {
    const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
    ok(W.listen(l, 5));
    ok(W.ioctlsocket(l, W.FIONBIO, [mode]));
    const addr = {} as SockAddr;
    ok(W.getsockname(l, addr));
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const [s] = await Promise.all([P.accept(l), P.connect(c, addr)]);
    ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVTIMEO, 50));
    expect(lastErrorOf(W.recv(s, Buffer.alloc(4))), `listener FIONBIO ${mode}`).toBe(mode ? W.WSAEWOULDBLOCK : W.WSAETIMEDOUT);
    for (const h of [s, c, l]) ok(W.closesocket(h));
  }
});

it('a blocking recv with MSG_WAITALL reads until len', () => {
  const { client, server } = tcpPair();
  ok(W.send(client, Buffer.from('ab')));
  ok(W.send(client, Buffer.from('cdef')));
  const buf = Buffer.alloc(6);
  expect(W.recv(server, buf, 6, W.MSG_WAITALL)).toBe(6);
  expect(buf.toString()).toBe('abcdef');
});

it('a blocking connect waits for the handshake and reports a refusal as WSAECONNREFUSED', () => {
  const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  ok(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
  const addr = {} as SockAddr;
  ok(W.getsockname(l, addr));
  ok(W.closesocket(l)); // nothing listens there now
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  expect(lastErrorOf(W.connect(c, addr))).toBe(W.WSAECONNREFUSED);
  ok(W.closesocket(c));
});
