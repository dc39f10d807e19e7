// Workload 1, flat side: the cost of one cheap call on a connected TCP socket
// through the library (ioctlsocket(FIONREAD), getsockopt(SO_ERROR), send of 1
// byte), n times each, against bench/callcost.c. The 1-byte sends go to
// bench/sink.c in another process, which drains them so send never blocks.
import { W } from './wsc.js';
import { check } from './cycle.js';
import { cBinary, emit, now, nsSince, startHelper } from './lib.js';

export async function flat(n: number): Promise<void> {
  W.WSAStartup(W.MAKEWORD(2, 2));
  const sink = startHelper(cBinary('sink'), []);
  const port = Number(await sink.line());
  const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.connect(c, { family: W.AF_INET, address: '127.0.0.1', port }), 'connect');
  const argp = [0];
  const out = [0];
  const one = Buffer.from('x');
  const fionread = () => check(W.ioctlsocket(c, W.FIONREAD, argp), 'ioctlsocket');
  const soError = () => check(W.getsockopt(c, W.SOL_SOCKET, W.SO_ERROR, out), 'getsockopt');
  const send1 = () => {
    if (W.send(c, one, 1, 0) !== 1) throw new Error(`send: ${W.wsaErrorName(W.WSAGetLastError())}`);
  };
  const result: Record<string, number> = {};
  for (const [key, call] of [
    ['fionread', fionread],
    ['so_error', soError],
    ['send1', send1],
  ] as const) {
    // Warm up first: the figure wanted is a long-running program's steady state.
    for (let i = 0; i < n / 20; i++) call();
    const t0 = now();
    for (let i = 0; i < n; i++) call();
    result[key] = nsSince(t0) / n;
  }
  check(W.shutdown(c, W.SD_SEND), 'shutdown');
  await sink.exited;
  check(W.closesocket(c), 'closesocket');
  W.WSACleanup();
  emit(result);
}
