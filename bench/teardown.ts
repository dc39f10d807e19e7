// Workload 6, flat side (bench/teardown.c is the C side): closing n idle
// connections, with the default close (FIN) and with linger {1,0} (RST). The
// far ends live in a bench/holder.c process started here, which closes each
// when the FIN or RST arrives. Only the closes are timed; closes/s.
import { W, type SockAddr, type SOCKET } from './wsc.js';
import { check } from './cycle.js';
import { cBinary, emit, now, nsSince, startHelper } from './lib.js';

function teardown(addr: SockAddr, n: number, abortive: boolean): number {
  const cli: SOCKET[] = [];
  for (let i = 0; i < n; i++) {
    const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    check(W.connect(c, addr), 'connect');
    cli.push(c);
  }
  if (abortive) for (const c of cli) check(W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }), 'setsockopt');
  const t0 = now();
  for (let i = 0; i < n; i++) check(W.closesocket(cli[i]!), 'closesocket');
  return n / (nsSince(t0) / 1e9);
}

export async function flat(n: number): Promise<void> {
  const holder = startHelper(cBinary('holder'), []);
  const port = Number(await holder.line());
  W.WSAStartup(W.MAKEWORD(2, 2));
  const addr = { family: W.AF_INET, address: '127.0.0.1', port };
  const graceful = teardown(addr, n, false);
  const abortive = teardown(addr, n, true);
  W.WSACleanup();
  holder.proc.stdin.end();
  await holder.exited;
  emit({ default: graceful, linger0: abortive });
}
