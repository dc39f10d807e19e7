// @ts-check
// Contract: what an accepted socket inherits from its listener: SO_REUSEADDR,
// SO_KEEPALIVE, SO_OOBINLINE, the buffer sizes and timeouts as set, TCP_NODELAY,
// and the linger pair.
// Source: sock.c test_accept_inheritance.
import * as C from './lib.mjs';

const { SOL_SOCKET, IPPROTO_TCP } = C;
/** [name, level, optname, value set on the listener] (sock.c's int_tests). */
const INT_TESTS = /** @type {const} */ ([
  ['SO_REUSEADDR', SOL_SOCKET, C.SO_REUSEADDR, 1],
  ['SO_KEEPALIVE', SOL_SOCKET, C.SO_KEEPALIVE, 1],
  ['SO_OOBINLINE', SOL_SOCKET, C.SO_OOBINLINE, 1],
  ['SO_SNDBUF', SOL_SOCKET, C.SO_SNDBUF, 0x123],
  ['SO_RCVBUF', SOL_SOCKET, C.SO_RCVBUF, 0x123],
  ['SO_SNDTIMEO', SOL_SOCKET, C.SO_SNDTIMEO, 0x123],
  ['SO_RCVTIMEO', SOL_SOCKET, C.SO_RCVTIMEO, 0x123],
  ['TCP_NODELAY', IPPROTO_TCP, C.TCP_NODELAY, 1],
]);

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-accept-inheritance',
  title: 'accept(): the options an accepted socket inherits',
  rule: 'test_accept_inheritance',
  checks: {
    ...Object.fromEntries(
      INT_TESTS.map(([name, , , v]) => [
        name,
        { call: `getsockopt(accepted, ${name})`, cite: 'ok(value == int_tests[i].value)', expect: { ret: 0, value: v } },
      ]),
    ),
    SO_LINGER: {
      call: 'getsockopt(accepted, SO_LINGER)',
      cite: 'ok(linger.l_onoff == 1); ok(linger.l_linger == 555)',
      expect: { ret: 0, l_onoff: 1, l_linger: 555 },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    const l = C.sock(w);
    for (const [name, level, opt, v] of INT_TESTS) C.must(w.setsockopt(l, level, opt, v) === 0, `set ${name} (${w.WSAGetLastError()})`);
    C.must(w.setsockopt(l, SOL_SOCKET, C.SO_LINGER, { l_onoff: 1, l_linger: 555 }) === 0, 'set SO_LINGER');
    C.must(w.bind(l, C.LOOPBACK) === 0 && w.listen(l, 1) === 0, 'bind + listen');
    const addr = C.nameOf(w, l);
    const client = C.sock(w);
    C.must(w.connect(client, addr) === 0, `connect (${w.WSAGetLastError()})`);
    const server = w.accept(l);
    C.must(server !== -1, `accept (${w.WSAGetLastError()})`);
    for (const [name, level, opt] of INT_TESTS) {
      const v = [0];
      check(
        name,
        () => w.getsockopt(server, level, opt, v),
        () => ({ value: v[0] }),
      );
    }
    const lg = { l_onoff: 0, l_linger: 0 };
    check(
      'SO_LINGER',
      () => w.getsockopt(server, SOL_SOCKET, C.SO_LINGER, lg),
      () => ({ ...lg }),
    );
    C.closeAll(w, server, client, l);
  },
};
