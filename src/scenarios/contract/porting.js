// @ts-check
// Conformance scenarios for the porting surface (issue 9): getaddrinfo /
// getnameinfo and select, held to Windows' documented results on both lanes
// (Linux: posix-names.ts / posix-select.ts; Wine: ws2_32's own calls).
// contract.js runs them before its final WSACleanup scenario. Same
// conventions as the other contract scenarios (plain JS: it runs in Windows
// Node under Wine); no wire claims here, so no `packets`.

const AF_INET = 2;
const AF_INET6 = 23;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const SOL_SOCKET = 0xffff;
const SO_ERROR = 0x1007;
const FIONBIO = 0x8004667e;
const MSG_OOB = 0x1;
const AI_NUMERICHOST = 0x04;
const NI_NUMERICHOST = 0x02;
const NI_NUMERICSERV = 0x08;

/** @param {boolean} ok @param {string} what */
function must(ok, what) {
  if (!ok) throw new Error(`setup failed: ${what}`);
}

/** getaddrinfo's outcome: the code it returned, WSAGetLastError after it, and the first result's shape. @param {any} w */
function gai(w, node, service, hints) {
  w.WSASetLastError(12345);
  const res = [];
  const ret = w.getaddrinfo(node, service, hints, res);
  const a = res[0];
  return {
    ret,
    wsa: 0, // getaddrinfo returns its code rather than -1
    last: w.WSAGetLastError(),
    ...(a
      ? { family: a.ai_family, socktype: a.ai_socktype, protocol: a.ai_protocol, address: a.ai_addr.address, port: a.ai_addr.port }
      : {}),
  };
}

/** A set holding `s`. @param {any} w @param {number[]} ss */
function set(w, ...ss) {
  const f = w.fd_set();
  for (const s of ss) w.FD_SET(s, f);
  return f;
}

/** select's outcome: ret, the error when -1, and each set's count afterwards. @param {any} w */
function sel(w, r, wr, e, tv) {
  w.WSASetLastError(0);
  const ret = w.select(0, r, wr, e, tv);
  return { ret, wsa: ret === -1 ? w.WSAGetLastError() : 0, counts: [r, wr, e].map((x) => (x ? x.fd_count : null)) };
}

/** A blocking loopback pair (c connected, a accepted) and its listener. @param {any} w */
function pair(w) {
  const l = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  must(l !== -1 && w.bind(l, { family: AF_INET, address: '127.0.0.1', port: 0 }) === 0 && w.listen(l, 4) === 0, 'listener');
  const la = { family: 0, address: '', port: 0 };
  must(w.getsockname(l, la) === 0, 'getsockname');
  const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  must(w.connect(c, la) === 0, `connect (${w.WSAGetLastError()})`);
  const a = w.accept(l);
  must(a !== -1, 'accept');
  return { l, la, c, a };
}

/** @param {any} w @param {number[]} ss */
function closeAll(w, ...ss) {
  for (const s of ss) w.closesocket(s);
}

const TV = { tv_sec: 1, tv_usec: 0 };
const ZERO = { tv_sec: 0, tv_usec: 0 };

/** @type {import('./kit.js').Scenario[]} */
export const portingScenarios = [
  {
    id: 'getaddrinfo',
    title: 'getaddrinfo: results and Winsock codes',
    rule: "getaddrinfo returns the WSA code and sets WSAGetLastError to it (0 on success); results echo the hints' socktype/protocol (protocol.c test_getaddrinfo)",
    checks: {
      localhost: {
        call: 'getaddrinfo("localhost", "80", {AF_INET, SOCK_STREAM, IPPROTO_TCP})',
        expect: { ret: 0, last: 0, family: AF_INET, socktype: SOCK_STREAM, protocol: IPPROTO_TCP, address: '127.0.0.1', port: 80 },
      },
      echo: {
        call: 'getaddrinfo("127.0.0.1", NULL, {AF_INET, SOCK_STREAM, IPPROTO_UDP})',
        expect: { ret: 0, last: 0, family: AF_INET, socktype: SOCK_STREAM, protocol: IPPROTO_UDP, address: '127.0.0.1', port: 0 },
      },
      ipv6: {
        call: 'getaddrinfo("::1", "443", {AI_NUMERICHOST})',
        expect: { ret: 0, last: 0, family: AF_INET6, address: '::1', port: 443 },
      },
      bracketed: {
        call: 'getaddrinfo("[beef::cafe]", NULL, NULL)',
        expect: { ret: 0, last: 0, family: AF_INET6, address: 'beef::cafe', port: 0 },
      },
      emptyNode: { call: 'getaddrinfo("", NULL, NULL)', expect: { ret: 0, last: 0 } },
      nullNull: { call: 'getaddrinfo(NULL, NULL, NULL)', expect: { ret: 11001, last: 11001 } },
      numericHost: { call: 'getaddrinfo("localhost", "80", {AI_NUMERICHOST})', expect: { ret: 11001, last: 11001 } },
      badService: { call: 'getaddrinfo(NULL, "nonexistentservice", {})', expect: { ret: 10109, last: 10109 } },
      badSocktype: { call: 'getaddrinfo("localhost", NULL, {ai_socktype: 999})', expect: { ret: 10044, last: 10044 } },
      async: {
        call: 'await getaddrinfoAsync("127.0.0.1", "7", {AF_INET, SOCK_DGRAM})',
        expect: { ret: 0, address: '127.0.0.1', port: 7, socktype: SOCK_DGRAM },
      },
    },
    async run(w, t) {
      t.observe('localhost', gai(w, 'localhost', '80', { ai_family: AF_INET, ai_socktype: SOCK_STREAM, ai_protocol: IPPROTO_TCP }));
      t.observe('echo', gai(w, '127.0.0.1', null, { ai_family: AF_INET, ai_socktype: SOCK_STREAM, ai_protocol: IPPROTO_UDP }));
      t.observe('ipv6', gai(w, '::1', '443', { ai_flags: AI_NUMERICHOST }));
      t.observe('bracketed', gai(w, '[beef::cafe]', null, null));
      const empty = gai(w, '', null, null);
      t.observe('emptyNode', { ret: empty.ret, wsa: 0, last: empty.last });
      t.observe('nullNull', gai(w, null, null, null));
      t.observe('numericHost', gai(w, 'localhost', '80', { ai_flags: AI_NUMERICHOST }));
      t.observe('badService', gai(w, null, 'nonexistentservice', {}));
      t.observe('badSocktype', gai(w, 'localhost', null, { ai_socktype: 999 }));
      try {
        const list = await w.getaddrinfoAsync('127.0.0.1', '7', { ai_family: AF_INET, ai_socktype: SOCK_DGRAM });
        t.observe('async', {
          ret: 0,
          wsa: 0,
          address: list[0]?.ai_addr.address,
          port: list[0]?.ai_addr.port,
          socktype: list[0]?.ai_socktype,
        });
      } catch (e) {
        t.observe('async', { ret: -1, wsa: /** @type {any} */ (e).errno });
      }
    },
  },
  {
    id: 'getnameinfo',
    title: 'getnameinfo: numeric host and service, a zero-length buffer',
    rule: "getnameinfo takes Winsock's NI_* bits and returns 0 or the WSA code (Microsoft's getnameinfo page)",
    checks: {
      numeric: {
        call: 'getnameinfo(127.0.0.1:80, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST | NI_NUMERICSERV)',
        expect: { ret: 0, host: '127.0.0.1', serv: '80' },
      },
      numeric6: { call: 'getnameinfo([::1]:8080, ..., NI_NUMERICHOST | NI_NUMERICSERV)', expect: { ret: 0, host: '::1', serv: '8080' } },
      zeroLen: { call: 'getnameinfo(127.0.0.1:80, host buffer with hostlen 0, NULL, 0, NI_NUMERICHOST)', expect: { ret: 10022 } },
    },
    async run(w, t) {
      const ni = (addr, hostlen, servlen, flags) => {
        const host = [];
        const serv = [];
        const ret = w.getnameinfo(addr, host, hostlen, servlen ? serv : null, servlen, flags);
        return { ret, wsa: 0, ...(ret === 0 ? { host: host[0], serv: serv[0] } : {}) };
      };
      t.observe('numeric', ni({ family: AF_INET, address: '127.0.0.1', port: 80 }, 1025, 32, NI_NUMERICHOST | NI_NUMERICSERV));
      t.observe('numeric6', ni({ family: AF_INET6, address: '::1', port: 8080 }, 1025, 32, NI_NUMERICHOST | NI_NUMERICSERV));
      // (A buffer too small has no documented code; Wine 8 returns glibc's raw -12 there.)
      t.observe('zeroLen', ni({ family: AF_INET, address: '127.0.0.1', port: 80 }, 0, 0, NI_NUMERICHOST));
    },
  },
  {
    id: 'select',
    title: "select: Winsock's argument rules and readiness per set",
    rule: 'sock.c test_select: empty sets WSAEINVAL, a closed handle WSAENOTSOCK; pending connection readable; connected writable; data readable; OOB exceptional; refused connect exceptional',
    checks: {
      empty: { call: 'select(0, {}, {}, {}, {0,0})', expect: { ret: -1, wsa: 10022 } },
      notsock: { call: 'select with a closed handle in readfds', expect: { ret: -1, wsa: 10038, counts: [1, null, null] } },
      fresh: { call: 'select on an unconnected TCP socket in all sets, {0,0}', expect: { ret: 0, counts: [0, 0, 0] } },
      pending: { call: 'select(listener in all sets) with a connection pending', expect: { ret: 1, counts: [1, 0, 0] } },
      connected: { call: 'select(c, a in all sets) on a fresh pair', expect: { ret: 2, counts: [0, 2, 0] } },
      data: { call: 'select(a in read and except) after send(c, "1234")', expect: { ret: 1, counts: [1, null, 0] } },
      oob: { call: 'select(a in read and except) after send(c, "A", MSG_OOB)', expect: { ret: 1, counts: [0, null, 1] } },
      refused: {
        call: 'select(write, except) after a nonblocking connect to a closed port; SO_ERROR after',
        expect: { ret: 1, counts: [null, 0, 1], soError: 10061 },
      },
      udp: { call: 'select on an unbound UDP socket in all sets', expect: { ret: 1, counts: [0, 1, 0] } },
      peerClosed: { call: 'select(c in read) after closesocket(a) at the peer', expect: { ret: 1, counts: [1, null, null] } },
      peerReset: { call: 'select(c in read) after the peer closed with linger {1,0}', expect: { ret: 1, counts: [1, null, null] } },
      overlap: { call: 'select(0, set, set, NULL) with set = {c, a}, data waiting at a', expect: { ret: 2, counts: [2, 2, null] } },
    },
    async run(w, t) {
      t.observe('empty', sel(w, w.fd_set(), w.fd_set(), w.fd_set(), ZERO));
      const dead = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      w.closesocket(dead);
      t.observe('notsock', sel(w, set(w, dead), null, null, ZERO));
      const fresh = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      t.observe('fresh', sel(w, set(w, fresh), set(w, fresh), set(w, fresh), ZERO));
      closeAll(w, fresh);

      const p = pair(w);
      const c2 = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      must(w.connect(c2, p.la) === 0, 'second connect');
      t.observe('pending', sel(w, set(w, p.l), set(w, p.l), set(w, p.l), TV));
      const a2 = w.accept(p.l);
      t.observe('connected', sel(w, set(w, p.c, p.a), set(w, p.c, p.a), set(w, p.c, p.a), TV));
      must(w.send(p.c, Buffer.from('1234')) === 4, 'send');
      t.observe('data', sel(w, set(w, p.a), null, set(w, p.a), TV));
      must(w.recv(p.a, Buffer.alloc(8)) === 4, 'recv');
      must(w.send(p.c, Buffer.from('A'), 1, MSG_OOB) === 1, 'send OOB');
      t.observe('oob', sel(w, set(w, p.a), null, set(w, p.a), TV));
      closeAll(w, p.c, p.a, c2, a2, p.l);

      // A port nothing listens on any more.
      const probe = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      must(w.bind(probe, { family: AF_INET, address: '127.0.0.1', port: 0 }) === 0, 'probe bind');
      const pa = { family: 0, address: '', port: 0 };
      must(w.getsockname(probe, pa) === 0, 'probe name');
      w.closesocket(probe);
      const nb = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      must(w.ioctlsocket(nb, FIONBIO, [1]) === 0, 'FIONBIO');
      w.connect(nb, pa);
      const r = sel(w, null, set(w, nb), set(w, nb), { tv_sec: 3, tv_usec: 0 });
      const err = [];
      w.getsockopt(nb, SOL_SOCKET, SO_ERROR, err);
      t.observe('refused', { ...r, soError: err[0] });
      closeAll(w, nb);

      const g = pair(w);
      w.closesocket(g.a);
      t.observe('peerClosed', sel(w, set(w, g.c), null, null, TV));
      closeAll(w, g.c, g.l);
      const rs = pair(w);
      must(w.setsockopt(rs.a, SOL_SOCKET, 0x0080, { l_onoff: 1, l_linger: 0 }) === 0, 'SO_LINGER');
      w.closesocket(rs.a);
      t.observe('peerReset', sel(w, set(w, rs.c), null, null, TV));
      closeAll(w, rs.c, rs.l);
      // The same set for readfds and writefds: it ends up holding each ready socket once.
      const o = pair(w);
      must(w.send(o.c, Buffer.from('x')) === 1, 'send');
      must(sel(w, set(w, o.a), null, null, TV).ret === 1, 'data arrived');
      const both = set(w, o.c, o.a);
      const ob = sel(w, both, both, null, ZERO);
      t.observe('overlap', ob);
      closeAll(w, o.c, o.a, o.l);

      const u = w.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
      t.observe('udp', sel(w, set(w, u), set(w, u), set(w, u), { tv_sec: 0, tv_usec: 250000 }));
      closeAll(w, u);
    },
  },
];
