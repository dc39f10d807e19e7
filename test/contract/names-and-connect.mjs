// @ts-check
// Contract: getsockname of an unbound socket and after sendto's implicit bind;
// connect on a listening or an already connected socket; IPV6_V6ONLY's
// default and its answer on an IPv4 socket.
// Sources: sock.c test_WSASendTo and test_WSASendMsg (getsockname), test_connect
// (connect's codes), test_ipv6only.
import * as C from './lib.mjs';

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-names-and-connect',
  title: 'getsockname before and after an implicit bind; connect on a listener or a connection; IPV6_V6ONLY',
  rule: 'test_WSASendTo, test_connect, test_ipv6only',
  checks: {
    'getsockname unbound': {
      call: 'getsockname(fresh UDP socket)',
      cite: 'test_WSASendTo: ok(ret == -1); ok(WSAGetLastError() == WSAEINVAL)',
      expect: { ret: -1, wsa: 10022 },
    },
    'sendto binds': { call: 'sendto(fresh UDP socket, 127.0.0.1)', cite: 'test_WSASendTo: ok(!ret)', expect: { ret: 12 } },
    'getsockname after sendto': {
      call: 'getsockname after sendto',
      cite: 'test_WSASendTo: ok(!ret); sin_family == AF_INET; sin_port != 0',
      expect: { ret: 0, family: C.AF_INET, port: { min: 1 } },
    },
    'connect on listener': {
      call: 'connect(listener, its own address)',
      cite: 'test_connect: ok(iret == -1); ok(WSAGetLastError() == WSAEINVAL)',
      expect: { ret: -1, wsa: 10022 },
    },
    'connect connected': {
      call: 'connect(connected client) again',
      cite: 'test_connect: ok(WSAGetLastError() == WSAEISCONN)',
      expect: { ret: -1, wsa: 10056 },
    },
    'connect accepted': {
      call: 'connect(accepted socket)',
      cite: 'test_connect: ok(WSAGetLastError() == WSAEISCONN)',
      expect: { ret: -1, wsa: 10056 },
    },
    'IPV6_V6ONLY default': {
      call: 'getsockopt(IPv6 socket, IPV6_V6ONLY)',
      cite: 'test_ipv6only: ok(!ret); ok(enabled == 1)',
      expect: { ret: 0, value: 1 },
    },
    'IPV6_V6ONLY on IPv4': {
      call: 'getsockopt(IPv4 socket, IPV6_V6ONLY)',
      cite: 'test_ipv6only: todo_wine { ok(!ret); ok(enabled == 1) }',
      expect: { ret: 0, value: 1 },
      wine: { expect: { ret: -1 }, reason: 'todo_wine in sock.c: Wine refuses IPV6_V6ONLY on an IPv4 socket' },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    const u = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    const r = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    C.must(w.bind(r, C.LOOPBACK) === 0, 'bind receiver');
    const to = C.nameOf(w, r);
    check('getsockname unbound', () => w.getsockname(u, { family: 0, address: '', port: 0 }));
    check('sendto binds', () => w.sendto(u, Buffer.from('hello world\0'), 12, 0, to));
    const a = { family: 0, address: '', port: 0 };
    check(
      'getsockname after sendto',
      () => w.getsockname(u, a),
      () => ({ family: a.family, port: a.port }),
    );
    C.closeAll(w, u, r);

    const lis = C.listener(w);
    check('connect on listener', () => w.connect(lis.l, lis.addr));
    const { client, server } = await C.connectPair(w, lis);
    check('connect connected', () => w.connect(client, lis.addr));
    check('connect accepted', () => w.connect(server, lis.addr));
    C.closeAll(w, client, server, lis.l);

    const v6 = C.sock(w, C.AF_INET6);
    const v = [2];
    check(
      'IPV6_V6ONLY default',
      () => w.getsockopt(v6, C.IPPROTO_IPV6, C.IPV6_V6ONLY, v),
      () => ({ value: v[0] }),
    );
    const v4 = C.sock(w);
    const v2 = [2];
    check(
      'IPV6_V6ONLY on IPv4',
      () => w.getsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, v2),
      () => ({ value: v2[0] }),
    );
    C.closeAll(w, v6, v4);
  },
};
