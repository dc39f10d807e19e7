// @ts-check
// Contract: listen's codes (not a socket, UDP, unbound, a bound address another
// listener holds), SO_ACCEPTCONN before and after, listening twice;
// getsockname and bind's codes (unbound, bound to the wildcard, binding twice,
// an unknown family, an address not on this host); the options of
// test_extendedSocketOptions (bad levels, SO_LINGER on UDP, SO_LINGER and
// SO_DONTLINGER agreeing).
// Sources: sock.c test_listen, test_getsockname, test_bind, test_extendedSocketOptions.
import * as C from './lib.mjs';

const { SOL_SOCKET } = C;
const empty = () => ({ family: 0, address: '', port: 0 });

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-listen-and-names',
  title: "listen, bind and getsockname codes; SO_ACCEPTCONN; SO_LINGER's companions",
  rule: 'test_listen, test_getsockname, test_bind, test_extendedSocketOptions',
  checks: {
    'listen(0)': { call: 'listen(0, 0)', cite: 'test_listen: ok(ret == WSAENOTSOCK)', expect: { ret: -1, wsa: 10038 } },
    'listen(0xdeadbeef)': { call: 'listen(0xdeadbeef, 0)', cite: 'test_listen: ok(ret == WSAENOTSOCK)', expect: { ret: -1, wsa: 10038 } },
    'listen UDP': {
      call: 'listen(UDP socket, 1)',
      cite: 'test_listen: ok(ret == WSAEOPNOTSUPP)',
      expect: { ret: -1, wsa: 10045 },
      wine: {
        expect: { ret: -1, wsa: 10022 },
        reason: 'Wine 8 answers WSAEINVAL for listen on a UDP socket; sock.c expects WSAEOPNOTSUPP (not todo_wine)',
      },
    },
    'listen unbound, -2': { call: 'listen(unbound, -2)', cite: 'test_listen: ok(ret == WSAEINVAL)', expect: { ret: -1, wsa: 10022 } },
    'listen unbound, 1': { call: 'listen(unbound, 1)', cite: 'test_listen: ok(ret == WSAEINVAL)', expect: { ret: -1, wsa: 10022 } },
    'listen unbound, SOMAXCONN': {
      call: 'listen(unbound, SOMAXCONN)',
      cite: 'test_listen: ok(ret == WSAEINVAL)',
      expect: { ret: -1, wsa: 10022 },
    },
    'SO_ACCEPTCONN bound': {
      call: 'getsockopt(SO_ACCEPTCONN) bound, not listening',
      cite: 'test_listen: ok(acceptc == 0)',
      expect: { ret: 0, value: 0 },
    },
    'set SO_ACCEPTCONN': {
      call: 'setsockopt(SO_ACCEPTCONN, 1)',
      cite: 'test_listen: ok(WSAGetLastError() == WSAENOPROTOOPT)',
      expect: { ret: -1, wsa: 10042 },
    },
    'listen 0': { call: 'listen(bound, 0)', cite: 'test_listen: ok(!listen(fdA, 0))', expect: { ret: 0 } },
    'listen again': {
      call: 'listen(listening, SOMAXCONN)',
      cite: 'test_listen: ok(!listen(fdA, SOMAXCONN), "double listen failed")',
      expect: { ret: 0 },
    },
    'SO_ACCEPTCONN listening': {
      call: 'getsockopt(SO_ACCEPTCONN) listening',
      cite: 'test_listen: ok(acceptc == 1)',
      expect: { ret: 0, value: 1 },
    },
    'bind in use': {
      call: "bind(fresh socket, the listener's address)",
      cite: 'test_listen: ok(ret == WSAEADDRINUSE)',
      expect: { ret: -1, wsa: 10048 },
    },
    'getsockname unbound': {
      call: 'getsockname(unbound TCP socket)',
      cite: 'test_getsockname: ok(WSAGetLastError() == WSAEINVAL); address not changed',
      expect: { ret: -1, wsa: 10022, unchanged: true },
    },
    'bind unknown family': {
      call: 'bind({family 0xdead})',
      cite: 'test_bind: ok(WSAGetLastError() == WSAEAFNOSUPPORT)',
      expect: { ret: -1, wsa: 10047 },
    },
    'bind ANY': { call: 'bind(0.0.0.0:0)', cite: 'test_bind: ok(!ret); ok(!WSAGetLastError())', expect: { ret: 0, last: 0 } },
    'bind twice': { call: 'bind(bound socket)', cite: 'test_bind: ok(WSAGetLastError() == WSAEINVAL)', expect: { ret: -1, wsa: 10022 } },
    'getsockname ANY': {
      call: 'getsockname(bound to 0.0.0.0:0)',
      cite: 'test_getsockname: ok(!ret); !WSAGetLastError(); AF_INET; port != 0; INADDR_ANY',
      expect: { ret: 0, last: 0, family: C.AF_INET, address: '0.0.0.0', port: { min: 1 } },
    },
    'bind not local': {
      call: 'bind(UDP, 192.0.2.0)',
      cite: 'test_bind: ok(WSAGetLastError() == WSAEADDRNOTAVAIL)',
      expect: { ret: -1, wsa: 10049 },
      wine: {
        expect: { ret: 0 },
        reason: 'Wine 8 binds to an address that is not on this host; sock.c expects WSAEADDRNOTAVAIL (not todo_wine)',
      },
    },
    'getsockopt level 0xffffffff': {
      call: 'getsockopt(level 0xffffffff)',
      cite: 'test_extendedSocketOptions: SOCKET_ERROR with WSAEINVAL',
      expect: { ret: -1, wsa: 10022 },
    },
    'getsockopt level 0x1234ffff': {
      call: 'getsockopt(level 0x1234ffff)',
      cite: 'test_extendedSocketOptions: SOCKET_ERROR with WSAEINVAL',
      expect: { ret: -1, wsa: 10022 },
    },
    'getsockopt level 0x8000ffff': {
      call: 'getsockopt(level 0x8000ffff)',
      cite: 'test_extendedSocketOptions: SOCKET_ERROR with WSAEINVAL',
      expect: { ret: -1, wsa: 10022 },
    },
    'getsockopt level 0x8000': {
      call: 'getsockopt(level 0x8000)',
      cite: 'test_extendedSocketOptions: SOCKET_ERROR with WSAEINVAL',
      expect: { ret: -1, wsa: 10022 },
    },
    'getsockopt level 0x800': {
      call: 'getsockopt(level 0x800)',
      cite: 'test_extendedSocketOptions: SOCKET_ERROR with WSAEINVAL',
      expect: { ret: -1, wsa: 10022 },
    },
    'SO_LINGER on UDP': {
      call: 'getsockopt(UDP, SO_LINGER)',
      cite: 'test_extendedSocketOptions: SOCKET_ERROR with WSAENOPROTOOPT',
      expect: { ret: -1, wsa: 10042 },
    },
    'SO_LINGER and SO_DONTLINGER agree': {
      call: 'getsockopt(TCP, SO_LINGER) and (SO_DONTLINGER)',
      cite: 'test_extendedSocketOptions: (l_onoff && !dontlinger) || (!l_onoff && dontlinger)',
      expect: { ret: 0, agree: true },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    check('listen(0)', () => w.listen(0, 0));
    check('listen(0xdeadbeef)', () => w.listen(0xdeadbeef, 0));
    const u = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    check('listen UDP', () => w.listen(u, 1));
    w.closesocket(u);
    const a = C.sock(w);
    const b = C.sock(w);
    check('listen unbound, -2', () => w.listen(a, -2));
    check('listen unbound, 1', () => w.listen(a, 1));
    check('listen unbound, SOMAXCONN', () => w.listen(a, 0x7fffffff));
    const port = C.freePort(w);
    C.must(w.bind(a, { ...C.LOOPBACK, port }) === 0, 'bind a');
    const v = [0xdead];
    check(
      'SO_ACCEPTCONN bound',
      () => w.getsockopt(a, SOL_SOCKET, 0x0002, v),
      () => ({ value: v[0] }),
    );
    check('set SO_ACCEPTCONN', () => w.setsockopt(a, SOL_SOCKET, 0x0002, 1));
    check('listen 0', () => w.listen(a, 0));
    check('listen again', () => w.listen(a, 0x7fffffff));
    const v2 = [0xdead];
    check(
      'SO_ACCEPTCONN listening',
      () => w.getsockopt(a, SOL_SOCKET, 0x0002, v2),
      () => ({ value: v2[0] }),
    );
    check('bind in use', () => w.bind(b, { ...C.LOOPBACK, port }));
    C.closeAll(w, a, b);

    const s = C.sock(w);
    const before = { family: C.AF_INET, address: '0.0.0.0', port: 0 };
    const got = { ...before };
    check(
      'getsockname unbound',
      () => w.getsockname(s, got),
      () => ({ unchanged: JSON.stringify(got) === JSON.stringify(before) }),
    );
    check('bind unknown family', () => w.bind(s, { family: 0xdead, address: '', port: 0 }));
    check('bind ANY', () => w.bind(s, C.ANY));
    check('bind twice', () => w.bind(s, C.ANY));
    const n = empty();
    check(
      'getsockname ANY',
      () => w.getsockname(s, n),
      () => ({ family: n.family, address: n.address, port: n.port }),
    );
    w.closesocket(s);
    const d = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    check('bind not local', () => w.bind(d, { family: C.AF_INET, address: '192.0.2.0', port: 0 }));
    for (const [name, level] of /** @type {const} */ ([
      ['0xffffffff', 0xffffffff | 0],
      ['0x1234ffff', 0x1234ffff],
      ['0x8000ffff', 0x8000ffff | 0],
      ['0x8000', 0x8000],
      ['0x800', 0x800],
    ])) {
      check(`getsockopt level ${name}`, () => w.getsockopt(d, level, 0x2003 /* SO_MAX_MSG_SIZE */, [0]));
    }
    check('SO_LINGER on UDP', () => w.getsockopt(d, SOL_SOCKET, C.SO_LINGER, { l_onoff: 0, l_linger: 0 }));
    w.closesocket(d);
    const tcp = C.sock(w);
    C.must(w.bind(tcp, C.ANY) === 0, 'bind tcp');
    const lg = { l_onoff: 9, l_linger: 9 };
    const dl = [9];
    check(
      'SO_LINGER and SO_DONTLINGER agree',
      () => w.getsockopt(tcp, SOL_SOCKET, C.SO_LINGER, lg) || w.getsockopt(tcp, SOL_SOCKET, C.SO_DONTLINGER, dl),
      () => ({ agree: (!!lg.l_onoff && !dl[0]) || (!lg.l_onoff && !!dl[0]) }),
    );
    w.closesocket(tcp);
  },
};
