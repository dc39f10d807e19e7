// Workload 3: `bytes` over one loopback connection in 256 KiB sends to a
// receiver in another process (the same kind of contender: a flat receiver
// for the flat sender, a `net` one for `net`), then a graceful close: the
// sender shuts down its side, the receiver reads to EOF and closes, the sender
// reads that EOF and closes. Timed in the sender, from connect to its close.
// The C side is bench/bulk.c. Each prints MiB/s.
import net from 'node:net';
import { W } from './wsc.js';
import { check, loopbackListener } from './cycle.js';
import { emit, now, nsSince, startWorker } from './lib.js';
import type { PromiseApi } from './promises-hook.js';

const CHUNK = 256 * 1024;

/** Receiver role: listen, print the port, read to EOF, close, print the byte count. */
export function flatReceiver(): void {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const { l, addr } = loopbackListener();
  console.log(addr.port);
  const s = check(W.accept(l), 'accept');
  const buf = Buffer.alloc(CHUNK);
  let total = 0;
  for (let n; (n = check(W.recv(s, buf), 'recv')) > 0;) total += n;
  check(W.closesocket(s), 'closesocket');
  W.closesocket(l);
  console.log(total);
}

async function receiverPort(workload: string, role: string): Promise<[number, () => Promise<number>]> {
  const r = startWorker(workload, role, []);
  const port = Number(await r.line());
  return [port, async () => Number(await r.line())];
}

export async function flat(bytes: number): Promise<void> {
  const [port, received] = await receiverPort('bulk', 'flat-receiver');
  W.WSAStartup(W.MAKEWORD(2, 2));
  const buf = Buffer.alloc(CHUNK, 0x2a);
  const t0 = now();
  const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.connect(c, { family: W.AF_INET, address: '127.0.0.1', port }), 'connect');
  for (let left = bytes; left > 0;) left -= check(W.send(c, buf, Math.min(left, CHUNK)), 'send');
  check(W.shutdown(c, W.SD_SEND), 'shutdown');
  while (check(W.recv(c, buf), 'recv') > 0);
  check(W.closesocket(c), 'closesocket');
  const secs = nsSince(t0) / 1e9;
  W.WSACleanup();
  if ((await received()) !== bytes) throw new Error('receiver got the wrong byte count');
  emit({ mibps: bytes / 2 ** 20 / secs });
}

export function netReceiver(): void {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    let total = 0;
    sock.on('data', (d) => (total += d.length));
    sock.on('end', () => sock.end());
    sock.on('close', () => {
      console.log(total);
      server.close();
    });
  });
  server.listen(0, '127.0.0.1', () => console.log((server.address() as net.AddressInfo).port));
}

export async function netModule(bytes: number): Promise<void> {
  const [port, received] = await receiverPort('bulk', 'net-receiver');
  const buf = Buffer.alloc(CHUNK, 0x2a);
  const t0 = now();
  await new Promise<void>((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let left = bytes;
    // Write while the socket takes it; wait for 'drain' when it says stop.
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, CHUNK);
        left -= n;
        if (!c.write(n === CHUNK ? buf : buf.subarray(0, n))) return void c.once('drain', pump);
      }
      c.end();
    };
    c.on('connect', pump);
    c.on('data', () => {});
    c.on('end', () => c.destroy());
    c.on('close', () => resolve());
    c.on('error', reject);
  });
  const secs = nsSince(t0) / 1e9;
  if ((await received()) !== bytes) throw new Error('receiver got the wrong byte count');
  emit({ mibps: bytes / 2 ** 20 / secs });
}

/** PROMISE-API CONTENDER (see promises-hook.ts): sender and receiver both awaited. Not run yet. */
export async function promisesReceiver(P: PromiseApi): Promise<void> {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const { l, addr } = loopbackListener();
  console.log(addr.port);
  const s = await P.accept(l);
  const buf = Buffer.alloc(CHUNK);
  let total = 0;
  for (let n; (n = await P.recv(s, buf)) > 0;) total += n;
  await P.closesocket(s);
  W.closesocket(l);
  console.log(total);
}

export async function promises(P: PromiseApi, bytes: number): Promise<void> {
  const [port, received] = await receiverPort('bulk', 'promises-receiver');
  W.WSAStartup(W.MAKEWORD(2, 2));
  const buf = Buffer.alloc(CHUNK, 0x2a);
  const t0 = now();
  const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  await P.connect(c, { family: W.AF_INET, address: '127.0.0.1', port });
  // P.send resolves once all len bytes are queued.
  for (let left = bytes; left > 0; left -= CHUNK) await P.send(c, buf, Math.min(left, CHUNK));
  check(W.shutdown(c, W.SD_SEND), 'shutdown');
  while ((await P.recv(c, buf)) > 0);
  await P.closesocket(c);
  const secs = nsSince(t0) / 1e9;
  W.WSACleanup();
  if ((await received()) !== bytes) throw new Error('receiver got the wrong byte count');
  emit({ mibps: bytes / 2 ** 20 / secs });
}
