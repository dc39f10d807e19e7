// Workload 2: connection churn, one cycle after another (bench/cycle.ts's
// cycle: connect, accept, send 64 B, shutdown(SD_SEND), drain to EOF, close
// both ends), through the flat API, through Node's own `net` module (the
// event loop), and through the promise API when it exists. The C side is
// bench/churn.c. Each prints cycles per second.
import net from 'node:net';
import { W } from './wsc.js';
import { check, churnCycle, loopbackListener } from './cycle.js';
import { emit, now, nsSince } from './lib.js';
import type { PromiseApi } from './promises-hook.js';

const payload = Buffer.alloc(64, 0x2a);

export function flat(n: number): void {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const { l, addr } = loopbackListener();
  for (let i = 0; i < Math.min(200, n / 10); i++) churnCycle(l, addr); // warm-up
  const t0 = now();
  for (let i = 0; i < n; i++) churnCycle(l, addr);
  const secs = nsSince(t0) / 1e9;
  W.closesocket(l);
  W.WSACleanup();
  emit({ cps: n / secs });
}

export async function netModule(n: number): Promise<void> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('data', () => {});
    sock.on('end', () => sock.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const cycle = () =>
    new Promise<void>((resolve, reject) => {
      const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => c.end(payload));
      c.on('data', () => {});
      c.on('end', () => c.destroy());
      c.on('close', () => resolve());
      c.on('error', reject);
    });
  for (let i = 0; i < Math.min(200, n / 10); i++) await cycle();
  const t0 = now();
  for (let i = 0; i < n; i++) await cycle();
  const secs = nsSince(t0) / 1e9;
  await new Promise((r) => server.close(r));
  emit({ cps: n / secs });
}

/** PROMISE-API CONTENDER (see promises-hook.ts): the same cycle, awaited. Not run yet. */
export async function promises(P: PromiseApi, n: number): Promise<void> {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const { l, addr } = loopbackListener();
  const buf = Buffer.alloc(256);
  const cycle = async () => {
    const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    const accepted = P.accept(l);
    await P.connect(c, addr);
    const s = await accepted;
    await P.send(c, payload);
    check(W.shutdown(c, W.SD_SEND), 'shutdown');
    let got = 0;
    for (let k; (k = await P.recv(s, buf)) > 0;) got += k;
    if (got !== payload.length) throw new Error(`server read ${got} bytes, not ${payload.length}`);
    await P.closesocket(s);
    if ((await P.recv(c, buf)) !== 0) throw new Error('client expected EOF');
    await P.closesocket(c);
  };
  for (let i = 0; i < Math.min(200, n / 10); i++) await cycle();
  const t0 = now();
  for (let i = 0; i < n; i++) await cycle();
  const secs = nsSince(t0) / 1e9;
  W.closesocket(l);
  W.WSACleanup();
  emit({ cps: n / secs });
}
