// Rule: the promise API talks to servers and clients running in its own
// process (node:net), and to itself, without blocking the loop they run on.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';
import { promisePair, tcpListener, within } from './helpers.js';

useWinsock();

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function echoServer(): Promise<number> {
  const srv = net.createServer((c) => {
    c.on('data', (d) => c.write(d));
    c.on('end', () => c.end());
    c.on('error', () => undefined);
  });
  servers.push(srv);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return (srv.address() as net.AddressInfo).port;
}

it('a client: connect, send, recv the echo, graceful close against a node:net server', async () => {
  const port = await echoServer();
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
  await within(P.connect(s, { family: W.AF_INET, address: '127.0.0.1', port }));
  expect(await within(P.send(s, Buffer.from('hello, net')))).toBe(10);
  const buf = Buffer.alloc(64);
  const n = await within(P.recv(s, buf));
  expect(buf.subarray(0, n).toString()).toBe('hello, net');
  const r = await within(P.gracefulClose(s, { timeoutMs: 2000 }));
  expect(r).toEqual({ graceful: true, timedOut: false, bytesDrained: 0 });
  expect(W.openHandles()).not.toContain(s);
});

it('a server: accept node:net clients, echo each, see each FIN as recv 0', async () => {
  const l = tcpListener();
  const serve = async () => {
    const c = await P.accept(l.s);
    const buf = Buffer.alloc(1024);
    for (;;) {
      const n = await P.recv(c, buf);
      if (n === 0) break;
      await P.send(c, buf, n);
    }
    await P.closesocket(c);
  };
  const clients = Array.from({ length: 5 }, async (_, i) => {
    const sock = net.connect(l.addr.port, '127.0.0.1');
    await once(sock, 'connect');
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.end(`client ${i}`);
    await once(sock, 'close');
    return Buffer.concat(chunks).toString();
  });
  const handlers = Array.from({ length: 5 }, serve);
  const got = await within(Promise.all(clients));
  await within(Promise.all(handlers));
  expect(got.sort()).toEqual(['client 0', 'client 1', 'client 2', 'client 3', 'client 4']);
  ok(W.closesocket(l.s));
});

it('talks to itself: accept and connect awaited together, data both ways, half-close', async () => {
  const { client, server, listener } = await promisePair();
  const big = Buffer.alloc(4 << 20, 7); // more than the socket buffers hold: send must wait for the reader
  const reader = (async () => {
    const buf = Buffer.alloc(65536);
    let total = 0;
    for (;;) {
      const n = await P.recv(server, buf);
      if (n === 0) return total;
      total += n;
    }
  })();
  expect(await within(P.send(client, big))).toBe(big.length);
  ok(W.shutdown(client, W.SD_SEND));
  expect(await within(reader)).toBe(big.length);
  expect(await within(P.send(server, Buffer.from('bye')))).toBe(3);
  const buf = Buffer.alloc(8);
  expect(await within(P.recv(client, buf))).toBe(3);
  for (const s of [client, server, listener]) await within(P.closesocket(s));
});

it('MSG_WAITALL resolves once len bytes arrived, however they were split', async () => {
  const { client, server, listener } = await promisePair();
  const buf = Buffer.alloc(10);
  const p = P.recv(server, buf, 10, W.MSG_WAITALL);
  for (const part of ['ab', 'cdef', 'ghij']) {
    ok(W.send(client, Buffer.from(part)));
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await within(p)).toBe(10);
  expect(buf.toString()).toBe('abcdefghij');
  for (const s of [client, server, listener]) ok(W.closesocket(s));
});

it('UDP: sendto / recvfrom with the sender filled in', async () => {
  const a = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
  const b = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
  ok(W.bind(a, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
  ok(W.bind(b, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
  const aAddr = {} as W.SockAddr;
  const bAddr = {} as W.SockAddr;
  ok(W.getsockname(a, aAddr));
  ok(W.getsockname(b, bAddr));
  const buf = Buffer.alloc(32);
  const from = {} as W.SockAddr;
  const p = P.recvfrom(b, buf, buf.length, 0, from);
  expect(await within(P.sendto(a, Buffer.from('datagram'), 8, 0, bAddr))).toBe(8);
  expect(await within(p)).toBe(8);
  expect(buf.subarray(0, 8).toString()).toBe('datagram');
  expect(from).toEqual(aAddr);
  ok(W.closesocket(a));
  ok(W.closesocket(b));
});

it('connect to a port nobody listens on rejects with WSAECONNREFUSED', async () => {
  const l = tcpListener();
  ok(W.closesocket(l.s)); // the port is free again: nothing listens there
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  await expect(within(P.connect(s, l.addr))).rejects.toMatchObject({ code: 'WSAECONNREFUSED', syscall: 'connect' });
  ok(W.closesocket(s));
});
