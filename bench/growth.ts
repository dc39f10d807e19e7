// Workload 5, flat side (bench/growth.c is the C side, the same steps): does
// a call cost more when many sockets are open? At 10, 1,000 and 10,000 open
// sockets (half as many connected pairs, both ends here: RLIMIT_NOFILE's hard
// limit on this machine is 20,000): recv of 1 byte (data already queued) on 10
// sockets spread over the whole set, and closesocket of freshly made
// connections, 10 at a time; then WSAPoll with 1, 100 and 1,000 entries, every
// entry writable. Prints ns per recv, per close, per poll entry.
import { W, type SockAddr, type SOCKET } from './wsc.js';
import { check, loopbackListener } from './cycle.js';
import { emit, now, nsSince } from './lib.js';

const SAMPLES = 10;

function pairs(l: SOCKET, addr: SockAddr, cli: SOCKET[], srv: SOCKET[], n: number): void {
  for (let i = 0; i < n; i++) {
    const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    check(W.connect(c, addr), 'connect');
    cli.push(c);
    srv.push(check(W.accept(l), 'accept'));
  }
}

export function flat(recvs: number, closes: number, entries: number): void {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const { l, addr } = loopbackListener();
  const cli: SOCKET[] = [];
  const srv: SOCKET[] = [];
  const buf = Buffer.alloc(65536);
  const result: Record<string, number> = {};
  const measureAt = (size: number, into: Record<string, number>) => {
    pairs(l, addr, cli, srv, size / 2 - cli.length);
    const open = cli.length;
    const per = Math.floor(recvs / SAMPLES);
    const idx = Array.from({ length: SAMPLES }, (_, j) => Math.floor((j * open) / SAMPLES));
    for (const i of idx) if (W.send(cli[i]!, buf, per) !== per) throw new Error('send');
    const sample = idx.map((i) => srv[i]!);
    const t0 = now();
    for (let r = 0; r < per; r++) for (let j = 0; j < SAMPLES; j++) if (W.recv(sample[j]!, buf, 1) !== 1) throw new Error('recv');
    into[`recv_${size}`] = nsSince(t0) / (per * SAMPLES);
    let closeNs = 0;
    for (let done = 0; done < closes; done += 10) {
      const c2: SOCKET[] = [];
      const s2: SOCKET[] = [];
      pairs(l, addr, c2, s2, 10);
      const t1 = now();
      for (let j = 0; j < 10; j++) check(W.closesocket(c2[j]!), 'closesocket');
      closeNs += nsSince(t1);
      for (const s of s2) check(W.closesocket(s), 'closesocket');
    }
    into[`close_${size}`] = closeNs / closes;
  };
  // One untimed pass first, so the first size is not the one that pays for the JIT.
  measureAt(10, {});
  for (const size of [10, 1000, 10000]) measureAt(size, result);
  for (const e of [1, 100, 1000]) {
    const fds = cli.slice(0, e).map((fd) => ({ fd, events: W.POLLRDNORM | W.POLLWRNORM, revents: 0 }));
    const calls = Math.max(1, Math.floor(entries / e));
    for (let r = 0; r < calls / 10; r++) W.WSAPoll(fds, 0); // warm-up
    const t0 = now();
    for (let r = 0; r < calls; r++) if (W.WSAPoll(fds, 0) !== e) throw new Error(`WSAPoll: ${W.WSAGetLastError()}`);
    result[`poll_${e}`] = nsSince(t0) / (calls * e);
  }
  W.WSACleanup();
  emit(result);
}
