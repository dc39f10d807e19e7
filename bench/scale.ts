// Workload 4: n concurrent connections served by this process, each with a
// receive pending, then one 64-byte message on each, then every connection
// closed gracefully. The clients are bench/scale-client.c in another process
// (the same for every contender), so this process's memory is the server's
// alone. Reports the wall time (client start to the last close), memory per
// connection (RSS with every receive pending, minus RSS before, over n; both
// after a GC), and whether descriptors and Node's active handles came back to
// where they started.
import net from 'node:net';
import { W, type SockAddr, type SOCKET } from './wsc.js';
import { check } from './cycle.js';
import { activeResources, cBinary, emit, fdCount, gc, now, nsSince, startHelper, type Helper } from './lib.js';
import type { PromiseApi } from './promises-hook.js';

const MSG = 64;

interface Baseline {
  rss: number;
  fds: number;
  handles: number;
}

function baseline(): Baseline {
  gc();
  return { rss: process.memoryUsage.rss(), fds: fdCount(), handles: activeResources() };
}

function startClients(port: number, n: number): Helper {
  return startHelper(cBinary('scale-client'), [String(port), String(n)]);
}

async function finish(b: Baseline, n: number, t0: bigint, peakRss: number, client: Helper): Promise<void> {
  const wallMs = nsSince(t0) / 1e6;
  await client.exited;
  // A closed handle leaves Node's list a turn or two of the loop after its
  // 'close' event: give them up to a second before counting.
  for (let i = 0; i < 100 && (fdCount() !== b.fds || activeResources() !== b.handles); i++) await new Promise((r) => setTimeout(r, 10));
  emit({
    wallMs,
    kibPerConn: (peakRss - b.rss) / 1024 / n,
    fdsBack: fdCount() === b.fds,
    handlesBack: activeResources() === b.handles,
  });
}

export async function netModule(n: number): Promise<void> {
  const b = baseline();
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 65535 }, r));
  const port = (server.address() as net.AddressInfo).port;
  const t0 = now();
  const client = startClients(port, n);
  let accepted = 0;
  let bytes = 0;
  let closed = 0;
  let peakRss = 0;
  const allClosed = new Promise<void>((resolve, reject) => {
    server.on('connection', (sock) => {
      accepted++;
      sock.on('data', (d) => (bytes += d.length));
      sock.on('end', () => sock.end());
      sock.on('error', reject);
      sock.on('close', () => ++closed === n && resolve());
    });
  });
  if ((await client.line()) !== 'connected') throw new Error('client failed');
  while (accepted < n) await new Promise((r) => setImmediate(r));
  // Every connection accepted and reading (net reads as soon as it accepts).
  gc();
  peakRss = process.memoryUsage.rss();
  client.proc.stdin.end('go\n');
  await allClosed;
  if (bytes !== n * MSG) throw new Error(`got ${bytes} bytes, not ${n * MSG}`);
  await new Promise((r) => server.close(r));
  await finish(b, n, t0, peakRss, client);
}

/** PROMISE-API CONTENDER (see promises-hook.ts): a pending P.recv on each accepted SOCKET. Not run yet. */
export async function promises(P: PromiseApi, n: number): Promise<void> {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const b = baseline();
  const l = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  check(W.listen(l, W.SOMAXCONN), 'listen');
  const addr = {} as SockAddr;
  check(W.getsockname(l, addr), 'getsockname');
  const t0 = now();
  const client = startClients(addr.port, n);
  const bufs = Buffer.alloc(MSG * n);
  const served: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const s = await P.accept(l);
    const buf = bufs.subarray(i * MSG, (i + 1) * MSG);
    served.push(
      (async () => {
        // The pending receive; TCP may deliver the message in pieces.
        let got = 0;
        for (let k; got < MSG && (k = await P.recv(s, buf.subarray(got), MSG - got)) > 0;) got += k;
        if (got !== MSG) throw new Error(`recv got ${got} bytes, not ${MSG}`);
        const r = await P.gracefulClose(s, { timeoutMs: 30_000 });
        if (!r.graceful) throw new Error('gracefulClose was not graceful');
      })(),
    );
  }
  if ((await client.line()) !== 'connected') throw new Error('client failed');
  gc();
  const peakRss = process.memoryUsage.rss();
  client.proc.stdin.end('go\n');
  await Promise.all(served);
  check(W.closesocket(l), 'closesocket');
  W.WSACleanup();
  await finish(b, n, t0, peakRss, client);
}
