// Contract: the program's last WSACleanup resets every socket still open and
// frees it; the handles then answer WSAENOTSOCK (after a new WSAStartup too).
import net from 'node:net';
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { fdCount, lastErrorOf, ok, tcpPair } from '../helpers.js';

it('only the last WSACleanup resets: a peer outside the library sees ECONNRESET', async () => {
  // The peer is Node's own net server: it lives outside the handle table, so
  // what it observes is what a remote program would.
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  let peerEnd!: Promise<string>;
  const accepted = new Promise<void>((ready) => {
    server.on('connection', (sock) => {
      peerEnd = new Promise<string>((resolve) => {
        sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        sock.on('end', () => resolve('EOF'));
      });
      sock.resume();
      ready();
    });
  });

  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  expect(W.connect(s, { family: W.AF_INET, address: '127.0.0.1', port })).toBe(0);
  await accepted;
  expect(W.WSACleanup()).toBe(0); // 2 -> 1: nothing happens
  // Still connected. (No data here: Node's reader reports data followed by
  // a RST as data then EOF, which would hide the reset from this peer.)
  expect(W.getpeername(s, {} as W.SockAddr)).toBe(0);
  expect(W.WSACleanup()).toBe(0); // 1 -> 0: every socket is reset
  expect(await peerEnd).toBe('ECONNRESET');
  server.close();
});

it('the last WSACleanup frees every handle and descriptor; the handles answer WSAENOTSOCK', () => {
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  const before = fdCount();
  const { client, server, listener } = tcpPair();
  const udp = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, 0));
  expect(fdCount()).toBe(before + 4);
  expect(W.WSACleanup()).toBe(0);
  expect(fdCount()).toBe(before);
  expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSANOTINITIALISED);
  expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  for (const h of [client, server, listener, udp]) {
    expect(lastErrorOf(W.send(h, Buffer.from('x')))).toBe(W.WSA.WSAENOTSOCK);
    expect(lastErrorOf(W.closesocket(h))).toBe(W.WSA.WSAENOTSOCK);
  }
  expect(W.openHandles()).toEqual([]);
  expect(W.WSACleanup()).toBe(0);
});
