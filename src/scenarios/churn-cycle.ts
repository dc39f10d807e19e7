// The project's one churn cycle (see churn.ts), over the API it is given: the
// sources (the lab, the descriptor-leak test) or the built package (bench/,
// which must not load the harness: its close observer records every closed
// socket, a readlink and two name lookups per close that users do not pay).
import type * as Api from '../index.js';

export function churnKit(W: typeof Api) {
  /** The call's result, or a throw naming the call and its WSA code. */
  function check(rc: number, what: string): number {
    if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
    return rc;
  }

  /** A listening socket on an ephemeral loopback port, and its address. */
  function loopbackListener(): { l: Api.SOCKET; addr: Api.SockAddr } {
    const l = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    check(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
    check(W.listen(l, W.SOMAXCONN), 'listen');
    const addr = {} as Api.SockAddr;
    check(W.getsockname(l, addr), 'getsockname');
    return { l, addr };
  }

  const payload = Buffer.alloc(64, 0x2a);
  const cycleBuf = Buffer.alloc(256);

  /**
   * One cycle: connect, accept, send 64 B, shutdown(SD_SEND), the server drains
   * to EOF and closes, the client reads EOF and closes. Throws on any failure
   * (after closing what it opened). `whileOpen` runs while both ends are open.
   */
  function churnCycle(l: Api.SOCKET, addr: Api.SockAddr, whileOpen?: () => void): void {
    const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
    let s: Api.SOCKET | undefined;
    try {
      check(W.connect(c, addr), 'connect');
      s = check(W.accept(l), 'accept');
      check(W.send(c, payload), 'send');
      check(W.shutdown(c, W.SD_SEND), 'shutdown');
      let got = 0;
      for (let n; (n = check(W.recv(s, cycleBuf), 'recv')) > 0;) got += n;
      if (got !== payload.length) throw new Error(`server read ${got} bytes, not ${payload.length}`);
      whileOpen?.();
      const server = s;
      s = undefined;
      check(W.closesocket(server), 'closesocket server');
      if (check(W.recv(c, cycleBuf), 'recv client') !== 0) throw new Error('client expected EOF');
    } finally {
      if (s !== undefined) W.closesocket(s);
    }
    check(W.closesocket(c), 'closesocket client');
  }

  return { check, loopbackListener, churnCycle };
}
