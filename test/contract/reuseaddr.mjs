// @ts-check
// Contract: the codes for binding an address another socket holds, for each
// combination of SO_REUSEADDR and SO_EXCLUSIVEADDRUSE, IPv4 and IPv6.
// Source: sock.c test_reuseaddr (its tests[] loop and tests_exclusive table),
// test_ipv6only (both options on one socket).
import * as C from './lib.mjs';

const FAMILIES = /** @type {const} */ ([
  ['IPv4', C.AF_INET, C.LOOPBACK, C.ANY],
  ['IPv6', C.AF_INET6, C.LOOPBACK6, C.ANY6],
]);
/** tests_exclusive rows that stay within one family: [first addr, first exclusive, second addr, second exclusive, code]. */
const EXCLUSIVE = /** @type {const} */ ([
  ['any excl, loopback', 'any', true, 'loop', false, 10013],
  ['any excl, loopback excl', 'any', true, 'loop', true, 10013],
  ['loopback, any excl', 'loop', false, 'any', true, 10048],
  ['any, any excl', 'any', false, 'any', true, 10048],
  ['any, any', 'any', false, 'any', false, 10048],
  ['loopback excl, loopback', 'loop', true, 'loop', false, 10048],
  ['loopback, loopback excl', 'loop', false, 'loop', true, 10048],
]);

/** @type {Record<string, import('./index.mjs').Check>} */
const checks = {};
for (const [fam] of FAMILIES) {
  Object.assign(checks, {
    [`${fam}: reuse on second only`]: {
      call: "bind(s2 with SO_REUSEADDR) to s1's address",
      cite: 'ok(rc == SOCKET_ERROR); ok(WSAGetLastError() == WSAEACCES)',
      expect: { ret: -1, wsa: 10013 },
    },
    [`${fam}: fresh SO_REUSEADDR`]: {
      call: 'getsockopt(SO_REUSEADDR) on a fresh socket',
      cite: 'ok(!rc && !reuse)',
      expect: { ret: 0, value: 0 },
    },
    [`${fam}: reuse on first only`]: { call: 'bind(s2 without SO_REUSEADDR)', cite: 'ok(rc == SOCKET_ERROR)', expect: { ret: -1 } },
    [`${fam}: reuse on both`]: { call: 'bind(s2 with SO_REUSEADDR)', cite: 'ok(!rc)', expect: { ret: 0 } },
    [`${fam}: any twice`]: {
      call: 'bind two sockets to ANY:port',
      cite: 'ok(rc == SOCKET_ERROR && WSAGetLastError() == WSAEADDRINUSE)',
      expect: { ret: -1, wsa: 10048 },
    },
  });
}
for (const [name, , , , , code] of EXCLUSIVE) {
  checks[`IPv4: ${name}`] = { call: `bind second (${name})`, cite: `tests_exclusive: error ${code}`, expect: { ret: -1, wsa: code } };
}
checks['exclusive then reuse'] = {
  call: 'setsockopt(SO_REUSEADDR) after SO_EXCLUSIVEADDRUSE',
  cite: 'test_ipv6only: "the later setsockopt call always fails"',
  expect: { ret: -1 },
};
checks['reuse then exclusive'] = {
  call: 'setsockopt(SO_EXCLUSIVEADDRUSE) after SO_REUSEADDR',
  cite: 'test_ipv6only: "the later setsockopt call always fails"',
  expect: { ret: -1 },
};

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-reuseaddr',
  title: 'SO_REUSEADDR / SO_EXCLUSIVEADDRUSE: bind conflict codes',
  rule: 'test_reuseaddr',
  checks,
  async run(w, t) {
    const check = C.checker(w, t);
    /** @param {number} af @param {boolean} reuse */
    const mk = (af, reuse = false) => {
      const s = C.sock(w, af);
      if (reuse) C.must(w.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1) === 0, 'SO_REUSEADDR');
      return s;
    };
    for (const [fam, af, loop, any] of FAMILIES) {
      const port = C.freePort(w, af);
      const L = { ...loop, port };
      const A = { ...any, port };
      let s1 = mk(af);
      C.must(w.bind(s1, L) === 0, 'bind s1');
      let s2 = mk(af, true);
      check(`${fam}: reuse on second only`, () => w.bind(s2, L));
      C.closeAll(w, s1, s2);

      s1 = mk(af, true);
      C.must(w.bind(s1, L) === 0, `bind s1 (${w.WSAGetLastError()})`);
      s2 = mk(af);
      const v = [0x1234];
      check(
        `${fam}: fresh SO_REUSEADDR`,
        () => w.getsockopt(s2, C.SOL_SOCKET, C.SO_REUSEADDR, v),
        () => ({ value: v[0] }),
      );
      check(`${fam}: reuse on first only`, () => w.bind(s2, L));
      C.must(w.setsockopt(s2, C.SOL_SOCKET, C.SO_REUSEADDR, 1) === 0, 'SO_REUSEADDR s2');
      check(`${fam}: reuse on both`, () => w.bind(s2, L));
      C.closeAll(w, s1, s2);

      s1 = mk(af);
      C.must(w.bind(s1, A) === 0, 'bind any');
      s2 = mk(af);
      check(`${fam}: any twice`, () => w.bind(s2, A));
      C.closeAll(w, s1, s2);
    }
    for (const [name, a1, x1, a2, x2] of EXCLUSIVE) {
      const port = C.freePort(w);
      const at = (/** @type {string} */ a) => ({ ...(a === 'any' ? C.ANY : C.LOOPBACK), port });
      const s1 = C.sock(w);
      const s2 = C.sock(w);
      if (x1) C.must(w.setsockopt(s1, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) === 0, 'exclusive s1');
      if (x2) C.must(w.setsockopt(s2, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) === 0, 'exclusive s2');
      C.must(w.bind(s1, at(a1)) === 0, `bind s1 (${w.WSAGetLastError()})`);
      check(`IPv4: ${name}`, () => w.bind(s2, at(a2)));
      C.closeAll(w, s1, s2);
    }
    const s = C.sock(w);
    C.must(w.setsockopt(s, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) === 0, 'exclusive');
    check('exclusive then reuse', () => w.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1));
    const s3 = C.sock(w);
    C.must(w.setsockopt(s3, C.SOL_SOCKET, C.SO_REUSEADDR, 1) === 0, 'reuse');
    check('reuse then exclusive', () => w.setsockopt(s3, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1));
    C.closeAll(w, s, s3);
  },
};
