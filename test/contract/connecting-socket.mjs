// @ts-check
// Contract: a TCP socket whose nonblocking connect is still in progress: a second
// connect is WSAEALREADY, and it already has both names.
// Source: sock.c test_connecting_socket. (sock.c connects to 192.0.2.0, which
// never answers; here the SYN goes to a loopback listener whose accept queue is
// full, which drops it: the same SYN_SENT state without leaving the host.)
import * as C from './lib.mjs';

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-connecting-socket',
  title: 'a socket whose connect is in progress',
  rule: 'test_connecting_socket',
  checks: {
    'bind ANY': { call: 'bind(nonblocking socket, 0.0.0.0:0)', cite: 'ok(!ret); ok(!WSAGetLastError())', expect: { ret: 0, last: 0 } },
    connect: {
      call: 'connect (nonblocking), SYN unanswered',
      cite: 'ok(ret == -1); ok(WSAGetLastError() == WSAEWOULDBLOCK)',
      expect: { ret: -1, wsa: 10035 },
    },
    'connect again': {
      call: 'connect to the same address again',
      cite: 'ok(ret == -1); ok(WSAGetLastError() == WSAEALREADY)',
      expect: { ret: -1, wsa: 10037 },
    },
    getsockname: {
      call: 'getsockname while connecting',
      cite: 'ok(!ret); AF_INET; sin_port != 0',
      expect: { ret: 0, family: C.AF_INET, port: { min: 1 } },
    },
    getpeername: {
      call: 'getpeername while connecting',
      cite: 'ok(!ret)',
      expect: { ret: 0, same: true },
      wine: {
        expect: { ret: -1, wsa: 10057 },
        reason: 'Wine 8 answers WSAENOTCONN for getpeername while the connect is in progress; sock.c expects success (not todo_wine)',
      },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    // A listener with backlog 0 holds one connection not yet accepted; after that
    // Linux (under Wine too) drops further SYNs, so the next connect stays in SYN_SENT.
    const l = C.sock(w);
    C.must(w.bind(l, C.LOOPBACK) === 0 && w.listen(l, 0) === 0, 'listener');
    const to = C.nameOf(w, l);
    const first = C.sock(w);
    C.must(w.connect(first, to) === 0, `first connect (${w.WSAGetLastError()})`);
    await C.sleep(20);
    const client = C.sock(w);
    C.nonblocking(w, client);
    check('bind ANY', () => w.bind(client, C.ANY));
    check('connect', () => w.connect(client, to));
    await C.sleep(20);
    check('connect again', () => w.connect(client, to));
    const n = { family: 0, address: '', port: 0 };
    check(
      'getsockname',
      () => w.getsockname(client, n),
      () => ({ family: n.family, port: n.port }),
    );
    const p = { family: 0, address: '', port: 0 };
    check(
      'getpeername',
      () => w.getpeername(client, p),
      (o) => (o.ret === 0 ? { same: p.family === to.family && p.address === to.address && p.port === to.port } : {}),
    );
    C.closeAll(w, client, first, l);
  },
};
