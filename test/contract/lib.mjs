// @ts-check
// Shared plumbing of the contract tests: Windows' own conformance expectations,
// re-expressed from Wine's dlls/ws2_32/tests/sock.c (whose tests run on real
// Windows: every ok() there is Windows' behaviour; a todo_wine one is Windows'
// behaviour that Wine itself still fails). Plain JavaScript, like
// test/conformance/scenarios.mjs: the same files run in Linux vitest (through
// the library), in Windows Node under Wine (through the library, and through
// ws2_32 called directly), so the lanes are compared on the same expectations.
//
// A contract has the shape of a conformance scenario (id, title, rule,
// checks, run(w, t)); `rule` names the sock.c function, each check's `cite`
// the ok() it re-expresses. `expect` is Windows' answer; `wine`, where
// present, is what Wine 8's ws2_32 was measured to answer instead.

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 23;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const SOL_SOCKET = 0xffff;
export const SO_DEBUG = 0x0001;
export const SO_REUSEADDR = 0x0004;
export const SO_KEEPALIVE = 0x0008;
export const SO_DONTROUTE = 0x0010;
export const SO_BROADCAST = 0x0020;
export const SO_LINGER = 0x0080;
export const SO_OOBINLINE = 0x0100;
export const SO_DONTLINGER = ~0x0080;
export const SO_EXCLUSIVEADDRUSE = ~0x0004;
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
export const SO_SNDTIMEO = 0x1005;
export const SO_RCVTIMEO = 0x1006;
export const SO_ERROR = 0x1007;
export const SO_TYPE = 0x1008;
export const TCP_NODELAY = 0x0001;
export const IPV6_V6ONLY = 27;
export const FIONBIO = 0x8004667e;
export const SD_RECEIVE = 0;
export const SD_SEND = 1;
export const MSG_OOB = 0x1;
export const POLLRDNORM = 0x0100;
export const POLLRDBAND = 0x0200;
export const POLLIN = POLLRDNORM | POLLRDBAND;
export const POLLPRI = 0x0400;
export const POLLWRNORM = 0x0010;
export const POLLWRBAND = 0x0020;
export const POLLERR = 0x0001;
export const POLLHUP = 0x0002;
export const POLLNVAL = 0x0004;
/** A handle value no call ever issued (sock.c uses 0xabacab the same way). */
export const NEVER_ISSUED = 0xabacab;
/** What sock.c stores in the last error before a call whose success must clear it. */
export const STALE = 0xdead;

export const LOOPBACK = { family: AF_INET, address: '127.0.0.1', port: 0 };
export const LOOPBACK6 = { family: AF_INET6, address: '::1', port: 0 };
export const ANY = { family: AF_INET, address: '0.0.0.0', port: 0 };
export const ANY6 = { family: AF_INET6, address: '::', port: 0 };

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {boolean} ok @param {string} what */
export function must(ok, what) {
  if (!ok) throw new Error(`setup failed: ${what}`);
}

/**
 * A call's outcome: `ret`, and `last`, WSAGetLastError() right after it, with a
 * stale code stored first, so an outcome shows both the failure code and
 * whether a success cleared the last error (sock.c's SetLastError(0xdeadbeef)
 * pattern). `wsa` is `last` when the call failed.
 * @param {any} w @param {() => number} fn
 */
export function call(w, fn) {
  w.WSASetLastError(STALE);
  const ret = fn();
  const last = w.WSAGetLastError();
  return { ret, wsa: ret === -1 ? last : 0, last };
}

/**
 * `check(name, fn, more?)` records outcome `name`: call(w, fn) plus what
 * `more(outcome)` reads right after (a value read back, revents...). A socket
 * returned by the call is reported as ret 0 (its number means nothing).
 * @param {any} w @param {{ observe: (name: string, o: any) => void }} t
 */
export function checker(w, t) {
  /** @param {string} name @param {() => number} fn @param {(o: any) => Record<string, unknown>} [more] */
  return (name, fn, more) => {
    const o = call(w, fn);
    t.observe(name, more ? { ...o, ...more(o) } : o);
  };
}

/** @param {any} w @param {number} s @param {number} level @param {number} name */
export function getInt(w, s, level, name) {
  const v = [0xdead];
  must(w.getsockopt(s, level, name, v) === 0, `getsockopt(${level}, ${name}) (${w.WSAGetLastError()})`);
  return v[0];
}

/** @param {any} w @param {number} af @param {number} type */
export function sock(w, af = AF_INET, type = SOCK_STREAM) {
  const s = w.socket(af, type, 0);
  must(s !== -1, `socket (${w.WSAGetLastError()})`);
  return s;
}

/** @param {any} w @param {...number} ss */
export function closeAll(w, ...ss) {
  for (const s of ss) if (s !== -1) w.closesocket(s);
}

/** @param {any} w @param {number} s */
export function nameOf(w, s) {
  const a = { family: 0, address: '', port: 0 };
  must(w.getsockname(s, a) === 0, `getsockname (${w.WSAGetLastError()})`);
  return a;
}

/** @param {any} w @param {number} s @param {boolean} on */
export function nonblocking(w, s, on = true) {
  must(w.ioctlsocket(s, FIONBIO, [on ? 1 : 0]) === 0, `FIONBIO (${w.WSAGetLastError()})`);
}

/** A TCP listener on loopback and its address. @param {any} w */
export function listener(w, family = AF_INET) {
  const l = sock(w, family);
  must(w.bind(l, family === AF_INET ? LOOPBACK : LOOPBACK6) === 0, `bind (${w.WSAGetLastError()})`);
  must(w.listen(l, 5) === 0, `listen (${w.WSAGetLastError()})`);
  return { l, addr: nameOf(w, l) };
}

/**
 * Wait, turning the event loop, until WSAPoll reports anything on `s` (any of
 * `events`, or what cannot be masked); returns revents, 0 on timeout.
 * @param {any} w @param {number} s @param {number} events
 */
export async function settle(w, s, events, ms = 2000) {
  const end = Date.now() + ms;
  for (;;) {
    const fds = [{ fd: s, events, revents: 0 }];
    const n = w.WSAPoll(fds, 0);
    if (n < 0) throw new Error(`WSAPoll failed with ${w.WSAGetLastError()}`);
    if (n > 0) return fds[0].revents;
    if (Date.now() >= end) return 0;
    await sleep(5);
  }
}

/**
 * A connected TCP pair (client, server accepted from a listener `l` the caller
 * keeps or closes). Blocking connect: a loopback connect completes in the backlog.
 * @param {any} w @param {{ l: number, addr: any }} lis
 */
export async function connectPair(w, lis) {
  const client = sock(w, lis.addr.family);
  must(w.connect(client, lis.addr) === 0, `connect (${w.WSAGetLastError()})`);
  nonblocking(w, lis.l);
  must((await settle(w, lis.l, POLLRDNORM)) !== 0, 'listener readable');
  const server = w.accept(lis.l);
  must(server !== -1, `accept (${w.WSAGetLastError()})`);
  nonblocking(w, lis.l, false);
  return { client, server };
}

/** A port no socket holds right now (bind to 0, read it, close). @param {any} w */
export function freePort(w, family = AF_INET) {
  const s = sock(w, family);
  must(w.bind(s, family === AF_INET ? LOOPBACK : LOOPBACK6) === 0, 'bind for a free port');
  const { port } = nameOf(w, s);
  w.closesocket(s);
  return port;
}
