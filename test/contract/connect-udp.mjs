// @ts-check
// Contract: a UDP socket's association: send unconnected, recv unbound, the
// names once connected, reconnecting, and dissolving it with AF_UNSPEC.
// Source: sock.c test_connect_udp.
import * as C from './lib.mjs';

const same = (/** @type {any} */ a, /** @type {any} */ b) => a.family === b.family && a.address === b.address && a.port === b.port;

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-connect-udp',
  title: 'UDP connect: association, names, dissolving it',
  rule: 'test_connect_udp',
  checks: {
    'send unconnected': {
      call: 'send(client) before connect',
      cite: 'ok(ret == -1); ok(GetLastError() == WSAENOTCONN)',
      expect: { ret: -1, wsa: 10057 },
      wine: {
        expect: { ret: -1, wsa: 10022 },
        reason: 'Wine 8 answers WSAEINVAL for send on an unconnected UDP socket; sock.c expects WSAENOTCONN (not todo_wine)',
      },
    },
    'recv unbound': {
      call: 'recv(server) before bind',
      cite: 'ok(ret == -1); todo_wine ok(GetLastError() == WSAEINVAL)',
      expect: { ret: -1, wsa: 10022 },
      wine: { expect: { ret: -1, wsa: 10035 }, reason: 'todo_wine in sock.c: Wine answers as if bound' },
    },
    'recv bound, nothing': {
      call: 'recv(server) after bind',
      cite: 'ok(ret == -1); ok(GetLastError() == WSAEWOULDBLOCK)',
      expect: { ret: -1, wsa: 10035 },
    },
    connect: { call: 'connect(client, server)', cite: 'ok(!ret)', expect: { ret: 0 } },
    'getpeername(client)': { call: 'getpeername(client)', cite: 'ok(!ret); addresses match', expect: { ret: 0, matches: true } },
    'getsockname(client)': { call: 'getsockname(client)', cite: 'ok(!ret)', expect: { ret: 0 } },
    'getpeername(server)': {
      call: 'getpeername(server), never connected',
      cite: 'ok(ret == -1); ok(GetLastError() == WSAENOTCONN)',
      expect: { ret: -1, wsa: 10057 },
    },
    'send connected': { call: 'send(client, "data")', cite: 'ok(ret == 4)', expect: { ret: 4 } },
    'recv datagram': { call: 'recv(server)', cite: 'ok(ret == 4); data', expect: { ret: 4, data: 'data' } },
    'recv again': { call: 'recv(server)', cite: 'ok(ret == -1); ok(GetLastError() == WSAEWOULDBLOCK)', expect: { ret: -1, wsa: 10035 } },
    'send from unconnected': {
      call: 'send(server)',
      cite: 'ok(ret == -1); ok(GetLastError() == WSAENOTCONN)',
      expect: { ret: -1, wsa: 10057 },
      wine: {
        expect: { ret: -1, wsa: 10022 },
        reason: 'Wine 8 answers WSAEINVAL for send on an unconnected UDP socket; sock.c expects WSAENOTCONN (not todo_wine)',
      },
    },
    reconnect: { call: 'connect(client, server) again', cite: 'ok(!ret)', expect: { ret: 0 } },
    'connect elsewhere': { call: 'connect(client, port + 1)', cite: 'ok(!ret)', expect: { ret: 0 } },
    'connect AF_UNSPEC': { call: 'connect(client, {AF_UNSPEC})', cite: 'ok(!ret)', expect: { ret: 0 } },
    'getpeername dissolved': {
      call: 'getpeername(client) after AF_UNSPEC',
      cite: 'ok(ret == -1); ok(GetLastError() == WSAENOTCONN)',
      expect: { ret: -1, wsa: 10057 },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    const client = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    const server = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    C.nonblocking(w, client);
    C.nonblocking(w, server);
    const buf = new Uint8Array(5);
    check('send unconnected', () => w.send(client, Buffer.from('data'), 4));
    check('recv unbound', () => w.recv(server, buf));
    C.must(w.bind(server, C.LOOPBACK) === 0, 'bind');
    const addr = C.nameOf(w, server);
    check('recv bound, nothing', () => w.recv(server, buf));
    check('connect', () => w.connect(client, addr));
    const peer = { family: 0, address: '', port: 0 };
    check(
      'getpeername(client)',
      () => w.getpeername(client, peer),
      () => ({ matches: same(peer, addr) }),
    );
    check('getsockname(client)', () => w.getsockname(client, { family: 0, address: '', port: 0 }));
    check('getpeername(server)', () => w.getpeername(server, { family: 0, address: '', port: 0 }));
    check('send connected', () => w.send(client, Buffer.from('data'), 4));
    await C.settle(w, server, C.POLLRDNORM);
    check(
      'recv datagram',
      () => w.recv(server, buf),
      (o) => (o.ret > 0 ? { data: Buffer.from(buf.subarray(0, o.ret)).toString() } : {}),
    );
    check('recv again', () => w.recv(server, buf));
    check('send from unconnected', () => w.send(server, Buffer.from('data'), 4));
    check('reconnect', () => w.connect(client, addr));
    check('connect elsewhere', () => w.connect(client, { ...addr, port: addr.port + 1 }));
    check('connect AF_UNSPEC', () => w.connect(client, { family: C.AF_UNSPEC, address: '', port: 0 }));
    check('getpeername dissolved', () => w.getpeername(client, { family: 0, address: '', port: 0 }));
    C.closeAll(w, client, server);
  },
};
