// An echo server on the promise API serving many clients at once, in the
// same process as its clients (node:net): each connection is an async loop of
// await recv / await send, ended by the client's FIN (recv resolves 0) and a
// graceful close. Nothing blocks the event loop the clients run on.
// Run: node --import tsx examples/promise-echo-server.ts
import net from 'node:net';
import { once } from 'node:events';
import * as W from 'winsock-compat';
import * as P from 'winsock-compat/promises';

const CLIENTS = 50;

function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

check(W.WSAStartup(W.MAKEWORD(2, 2)) === 0 ? 0 : -1, 'WSAStartup');
const listener = check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
check(W.bind(listener, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
check(W.listen(listener, W.SOMAXCONN), 'listen');
const addr = {} as W.SockAddr;
check(W.getsockname(listener, addr), 'getsockname');

let served = 0;
let echoed = 0;
async function serve(s: W.SOCKET): Promise<void> {
  const buf = Buffer.alloc(4096);
  for (let n; (n = await P.recv(s, buf)) > 0;) {
    const sent = await P.send(s, buf, n); // all n bytes queued
    echoed += sent;
  }
  // recv resolved 0: the client's FIN. Ours follows; the client closed first.
  const r = await P.gracefulClose(s, { timeoutMs: 2000 });
  if (r.graceful) served++;
}

async function acceptLoop(): Promise<void> {
  const handlers: Promise<void>[] = [];
  for (let i = 0; i < CLIENTS; i++) handlers.push(serve(await P.accept(listener)));
  await Promise.all(handlers);
}

async function client(i: number): Promise<boolean> {
  const sock = net.connect(addr.port, addr.address);
  await once(sock, 'connect');
  const message = `hello from client ${i}`;
  const chunks: Buffer[] = [];
  sock.on('data', (d) => chunks.push(d));
  sock.end(message);
  await once(sock, 'close');
  return Buffer.concat(chunks).toString() === message;
}

const server = acceptLoop();
const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
await server;
console.log(`clients answered correctly: ${results.filter(Boolean).length}/${CLIENTS}`);
console.log(`connections closed gracefully: ${served}/${CLIENTS}, bytes echoed: ${echoed}`);
check(W.closesocket(listener), 'closesocket');
console.log('open handles after:', W.openHandles().length);
W.WSACleanup();
