// One churn cycle through the Winsock API, shared by the benchmark
// (bench/churn.ts) and the descriptor-leak test (test/fixtures/churn.ts) so
// both measure the same thing: connect, accept, send 64 B, shutdown(SD_SEND),
// server drains to EOF and closes, client drains to EOF and closes.
import * as W from '../src/index.js';

export function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

/** A listening socket on an ephemeral loopback port, and its address. */
export function loopbackListener(): { l: W.SOCKET; addr: W.SockAddr } {
  const l = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  check(W.listen(l, W.SOMAXCONN), 'listen');
  const addr = {} as W.SockAddr;
  check(W.getsockname(l, addr), 'getsockname');
  return { l, addr };
}

const payload = Buffer.alloc(64, 0x2a);
const buf = Buffer.alloc(256);

/** One cycle; throws on any failure. `whileOpen` runs while client and server are both open. */
export function churnCycle(l: W.SOCKET, addr: W.SockAddr, whileOpen?: () => void): void {
  const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.connect(c, addr), 'connect');
  const s = check(W.accept(l), 'accept');
  check(W.send(c, payload), 'send');
  check(W.shutdown(c, W.SD_SEND), 'shutdown');
  let got = 0;
  for (let n; (n = check(W.recv(s, buf), 'recv')) > 0;) got += n;
  if (got !== payload.length) throw new Error(`server read ${got} bytes, not ${payload.length}`);
  whileOpen?.();
  check(W.closesocket(s), 'closesocket server');
  if (check(W.recv(c, buf), 'recv client') !== 0) throw new Error('client expected EOF');
  check(W.closesocket(c), 'closesocket client');
}
