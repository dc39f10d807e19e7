// @ts-check
// The contract scenarios' shared kit: Winsock numbers, the outcome recorder and the
// connection helpers every contract scenario (one file each in this folder) uses.
// The contract scenarios (listed in ../contract.js, part of the registry
// src/scenarios/index.ts) are what both backends are held to: the Linux translation
// (posix.ts) natively and ws2_32.dll (win32.ts) under Wine. Plain JavaScript on purpose: it runs
// in Windows Node under Wine, where neither vitest nor a TypeScript loader starts
// (DESIGN.md), and it drives the BUILT library (dist/) exactly as a user would.
//
// A scenario has:
// - `checks`: the calls whose outcome is the point, each with the documented Winsock
//   result (`expect`: return value `ret`, WSAGetLastError() `wsa` when ret is -1, and
//   any other observed field such as the bytes received). A check may carry `wine`:
//   the measured result of Wine 8's ws2_32 where it deviates from Microsoft's
//   documentation, with the reason. Under Wine a match with `wine` is reported as
//   'wine-deviation', never as a pass; the Linux backend must match `expect`.
// - `packets`: per side, the exact order of FIN/RST-bearing segments that side sends
//   over the scenario's whole life, its stated clean-up included (`client` is the side
//   under test, `server` its peer, accepted in the same process). `winePackets`: the
//   Wine deviation, when there is one. Checked by test/windows/ on a Linux loopback
//   capture (Wine's sockets are Linux sockets, so the same capture sees both lanes).
// - `run(w, t)`: the steps. `w` is the library's namespace; `t.observe(name, obs)`
//   records a check's outcome, `t.conn(pair)` the ports the packet check filters on.
//   Setup failures throw (the scenario then fails with the message).
//
// Every socket that waits is nonblocking and waited on with WSAPoll(timeout 0) plus a
// short sleep, so the event loop turns (the POSIX backend watches some sockets on it,
// as ws2_32 does in the kernel) and a missing event fails a check instead of hanging.

export const AF_INET = 2;
export const AF_INET6 = 23;
export const SOCK_DGRAM = 2;
export const IPPROTO_UDP = 17;
export const SOCK_STREAM = 1;
export const IPPROTO_TCP = 6;
export const SOL_SOCKET = 0xffff;
export const SO_LINGER = 0x0080;
export const SO_DONTLINGER = ~0x0080;
export const FIONBIO = 0x8004667e;
export const FIONREAD = 0x4004667f;
export const POLLNVAL = 0x0004;
export const POLLRDNORM = 0x0100;
export const POLLWRNORM = 0x0010;
export const SD_RECEIVE = 0;
export const SD_SEND = 1;
export const SD_BOTH = 2;
export const LOOPBACK = '127.0.0.1';
export const LOOPBACK6 = '::1';

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A call's outcome: its return value, and WSAGetLastError() when it returned -1
 * (SOCKET_ERROR and INVALID_SOCKET are both -1). The error slot is cleared first so a
 * stale code cannot pass for this call's.
 * @param {any} w @param {() => number} fn
 */
export function obs(w, fn) {
  w.WSASetLastError(0);
  const ret = fn();
  return { ret, wsa: ret === -1 ? w.WSAGetLastError() : 0 };
}

/**
 * `check(name, fn, more?)` records check `name` as obs(w, fn), plus the fields `more(outcome)`
 * reads right after the call (bytes received, revents, the time it took...).
 * @param {any} w @param {{ observe: (name: string, o: Outcome) => void }} t
 * @returns {Check_}
 */
export function checker(w, t) {
  return (name, fn, more) => {
    const o = obs(w, fn);
    t.observe(name, more ? { ...o, ...more(o) } : o);
  };
}

/** @param {boolean} ok @param {string} what */
export function must(ok, what) {
  if (!ok) throw new Error(`setup failed: ${what}`);
}

/** A SockAddr for a call to fill. */
export const emptyAddr = () => ({ family: 0, address: '', port: 0 });

/** @param {Uint8Array} buf @param {number} n */
export const text = (buf, n) => Buffer.from(buf.subarray(0, n)).toString();

/** getsockname(s), which setup needs. @param {any} w @param {number} s */
export function nameOf(w, s, what = 'getsockname') {
  const a = emptyAddr();
  must(w.getsockname(s, a) === 0, what);
  return a;
}

/** closesocket(s), which setup or clean-up needs. @param {any} w @param {number} s @param {string} what */
export function mustClose(w, s, what) {
  must(w.closesocket(s) === 0, `closesocket(${what}) (${w.WSAGetLastError()})`);
}

/**
 * Wait (turning the event loop) until WSAPoll reports any of `events` or an error on
 * `s`; returns revents, 0 on timeout.
 * @param {any} w @param {number} s @param {number} events @param {number} ms
 */
export async function waitFor(w, s, events, ms = 2000) {
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

/** @param {any} w @param {number} s @param {boolean} on */
export function nonblocking(w, s, on = true) {
  must(w.ioctlsocket(s, FIONBIO, [on ? 1 : 0]) === 0, `FIONBIO (${w.WSAGetLastError()})`);
}

/** setsockopt(s, SO_LINGER, {l_onoff, l_linger}), which setup needs. @param {any} w @param {number} s @param {number} l_onoff @param {number} l_linger */
export function linger(w, s, l_onoff, l_linger) {
  must(w.setsockopt(s, SOL_SOCKET, SO_LINGER, { l_onoff, l_linger }) === 0, `SO_LINGER {${l_onoff},${l_linger}}`);
}

/** Abortive close (linger {1,0}), unchecked: clean-up that must neither wait nor fail. @param {any} w @param {number} s */
export function resetClose(w, s) {
  w.setsockopt(s, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 });
  w.closesocket(s);
}

/** A TCP listener on loopback (backlog 1, a port the system picks) and its address. @param {any} w */
export function listener(w, family = AF_INET) {
  const address = family === AF_INET6 ? LOOPBACK6 : LOOPBACK;
  const l = w.socket(family, SOCK_STREAM, IPPROTO_TCP);
  must(l !== -1, `socket (${w.WSAGetLastError()})`);
  must(w.bind(l, { family, address, port: 0 }) === 0, `bind (${w.WSAGetLastError()})`);
  must(w.listen(l, 1) === 0, `listen (${w.WSAGetLastError()})`);
  return { l, la: nameOf(w, l), address };
}

/** A nonblocking UDP socket bound to loopback. @param {any} w */
export function udpSocket(w) {
  const u = w.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  must(u !== -1 && w.bind(u, { family: AF_INET, address: LOOPBACK, port: 0 }) === 0, 'udp socket');
  nonblocking(w, u);
  return u;
}

/**
 * A connected TCP pair on loopback: `c` connected to a listener, `a` its accepted peer
 * (the listener is closed at once). Both are left nonblocking.
 * @param {any} w
 */
export async function tcpPair(w, family = AF_INET) {
  const { l, la, address } = listener(w, family);
  const c = w.socket(family, SOCK_STREAM, IPPROTO_TCP);
  must(c !== -1, 'socket');
  // A blocking connect to a listening loopback socket completes in the kernel's
  // backlog without the accept; the accept then returns at once.
  must(w.connect(c, { family, address, port: la.port }) === 0, `connect (${w.WSAGetLastError()})`);
  nonblocking(w, l);
  must((await waitFor(w, l, POLLRDNORM)) !== 0, 'listener readable');
  const a = w.accept(l);
  must(a !== -1, `accept (${w.WSAGetLastError()})`);
  mustClose(w, l, 'listener');
  nonblocking(w, c);
  nonblocking(w, a);
  return { c, a, address, clientPort: nameOf(w, c, 'getsockname(c)').port, serverPort: la.port };
}

/**
 * A scenario's run on one connection: a fresh tcpPair (its ports go to the packet
 * check), then `body(w, p, check, t)`, then `end(w, p)`: the graceful closeBoth unless
 * the scenario names another clean-up (null: the body ends everything itself).
 * @param {(w: any, p: Pair, check: Check_, t: Ctx) => Promise<void>} body
 * @param {{ family?: number, end?: ((w: any, p: Pair) => unknown) | null }} [opts]
 */
export function onPair(body, { family = AF_INET, end = closeBoth } = {}) {
  /** @param {any} w @param {Ctx} t */
  return async (w, t) => {
    const p = await tcpPair(w, family);
    t.conn(p);
    await body(w, p, checker(w, t), t);
    if (end) await end(w, p);
  };
}

/** Receive once (after waiting for readability) and report ret/wsa plus the bytes as text. */
/** @param {any} w @param {number} s */
export async function recvObs(w, s, waitMs = 1000) {
  await waitFor(w, s, POLLRDNORM, waitMs);
  const buf = new Uint8Array(64);
  const o = obs(w, () => w.recv(s, buf));
  return o.ret > 0 ? { ...o, data: text(buf, o.ret) } : o;
}

/** The peer sends `data` and the client waits until it has arrived. @param {any} w @param {Pair} p @param {string} data */
export async function peerSends(w, p, data) {
  must(w.send(p.a, Buffer.from(data)) === data.length, 'peer send');
  must((await waitFor(w, p.c, POLLRDNORM)) !== 0, 'data arrived');
}

/** The peer's graceful end: wait for the client's FIN, drain, close. @param {any} w @param {Pair} p */
export async function closePeer(w, p) {
  await waitFor(w, p.a, POLLRDNORM, 1000);
  const buf = new Uint8Array(64);
  while (w.recv(p.a, buf) > 0); // drain, so the peer's close is a FIN, not an RST
  mustClose(w, p.a, 'a');
}

/** Graceful end of a pair: close the client, wait for its FIN at the peer, close the peer. @param {any} w @param {Pair} p */
export async function closeBoth(w, p) {
  mustClose(w, p.c, 'c');
  await closePeer(w, p);
}

/** The peer closes first; the client, which already sent its FIN, then sends nothing more. @param {any} w @param {Pair} p */
export async function closePeerFirst(w, p) {
  mustClose(w, p.a, 'a');
  await waitFor(w, p.c, POLLRDNORM, 1000);
  mustClose(w, p.c, 'c');
}

/** closesocket(s) as check 'closesocket', with the milliseconds it took as `waited`. @param {any} w @param {Check_} check @param {number} s */
export function timedClose(w, check, s) {
  const t0 = Date.now();
  check(
    'closesocket',
    () => w.closesocket(s),
    () => ({ waited: Date.now() - t0 }),
  );
}

/** Fill the connection until send answers WSAEWOULDBLOCK (the peer reads nothing). Returns bytes queued. */
/** @param {any} w @param {number} s */
export function fillUntilWouldBlock(w, s) {
  const chunk = new Uint8Array(65536).fill(0x61);
  let total = 0;
  for (let i = 0; i < 4096; i++) {
    const n = w.send(s, chunk);
    if (n === -1) {
      const e = w.WSAGetLastError();
      must(e === 10035, `filling the connection: send failed with ${e}`);
      return total;
    }
    total += n;
  }
  throw new Error('setup failed: the connection never filled');
}

/** @typedef {{ ret: number, wsa?: number, [k: string]: unknown }} Outcome */
/** @typedef {{ call: string, expect: Outcome, wine?: { expect: Outcome, reason: string } }} Check */
/** @typedef {{ client: string[], server: string[] }} Packets */
/** @typedef {{ c: number, a: number, address: string, clientPort: number, serverPort: number }} Pair */
/** @typedef {{ observe: (name: string, o: Outcome) => void, conn: (p: { address: string, clientPort: number, serverPort: number }) => void }} Ctx */
/** @typedef {(name: string, fn: () => number, more?: (o: Outcome) => Record<string, unknown>) => void} Check_ */
/**
 * @typedef {{
 *   id: string, title: string, rule: string,
 *   checks: Record<string, Check>,
 *   packets?: Packets, winePackets?: { packets: Packets, reason: string },
 *   run: (w: any, t: Ctx) => Promise<void>
 * }} Scenario
 */
