// @ts-check
// The contract scenarios of the registry (src/scenarios/index.ts): the list both backends are held to: the Linux translation (posix.ts)
// natively and ws2_32.dll (win32.ts) under Wine. Plain JavaScript on purpose: it runs
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

const AF_INET = 2;
const AF_INET6 = 23;
const SOCK_DGRAM = 2;
const IPPROTO_UDP = 17;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;
const SOL_SOCKET = 0xffff;
const SO_LINGER = 0x0080;
const SO_DONTLINGER = ~0x0080;
const FIONBIO = 0x8004667e;
const FIONREAD = 0x4004667f;
const POLLNVAL = 0x0004;
const POLLRDNORM = 0x0100;
const POLLWRNORM = 0x0010;
const SD_RECEIVE = 0;
const SD_SEND = 1;
const SD_BOTH = 2;
const LOOPBACK = '127.0.0.1';
const LOOPBACK6 = '::1';

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
function checker(w, t) {
  return (name, fn, more) => {
    const o = obs(w, fn);
    t.observe(name, more ? { ...o, ...more(o) } : o);
  };
}

/** @param {boolean} ok @param {string} what */
function must(ok, what) {
  if (!ok) throw new Error(`setup failed: ${what}`);
}

/** A SockAddr for a call to fill. */
const emptyAddr = () => ({ family: 0, address: '', port: 0 });

/** @param {Uint8Array} buf @param {number} n */
const text = (buf, n) => Buffer.from(buf.subarray(0, n)).toString();

/** getsockname(s), which setup needs. @param {any} w @param {number} s */
function nameOf(w, s, what = 'getsockname') {
  const a = emptyAddr();
  must(w.getsockname(s, a) === 0, what);
  return a;
}

/** closesocket(s), which setup or clean-up needs. @param {any} w @param {number} s @param {string} what */
function mustClose(w, s, what) {
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
function nonblocking(w, s, on = true) {
  must(w.ioctlsocket(s, FIONBIO, [on ? 1 : 0]) === 0, `FIONBIO (${w.WSAGetLastError()})`);
}

/** setsockopt(s, SO_LINGER, {l_onoff, l_linger}), which setup needs. @param {any} w @param {number} s @param {number} l_onoff @param {number} l_linger */
function linger(w, s, l_onoff, l_linger) {
  must(w.setsockopt(s, SOL_SOCKET, SO_LINGER, { l_onoff, l_linger }) === 0, `SO_LINGER {${l_onoff},${l_linger}}`);
}

/** Abortive close (linger {1,0}), unchecked: clean-up that must neither wait nor fail. @param {any} w @param {number} s */
function resetClose(w, s) {
  w.setsockopt(s, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 });
  w.closesocket(s);
}

/** A TCP listener on loopback (backlog 1, a port the system picks) and its address. @param {any} w */
function listener(w, family = AF_INET) {
  const address = family === AF_INET6 ? LOOPBACK6 : LOOPBACK;
  const l = w.socket(family, SOCK_STREAM, IPPROTO_TCP);
  must(l !== -1, `socket (${w.WSAGetLastError()})`);
  must(w.bind(l, { family, address, port: 0 }) === 0, `bind (${w.WSAGetLastError()})`);
  must(w.listen(l, 1) === 0, `listen (${w.WSAGetLastError()})`);
  return { l, la: nameOf(w, l), address };
}

/** A nonblocking UDP socket bound to loopback. @param {any} w */
function udpSocket(w) {
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
function onPair(body, { family = AF_INET, end = closeBoth } = {}) {
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
async function recvObs(w, s, waitMs = 1000) {
  await waitFor(w, s, POLLRDNORM, waitMs);
  const buf = new Uint8Array(64);
  const o = obs(w, () => w.recv(s, buf));
  return o.ret > 0 ? { ...o, data: text(buf, o.ret) } : o;
}

/** The peer sends `data` and the client waits until it has arrived. @param {any} w @param {Pair} p @param {string} data */
async function peerSends(w, p, data) {
  must(w.send(p.a, Buffer.from(data)) === data.length, 'peer send');
  must((await waitFor(w, p.c, POLLRDNORM)) !== 0, 'data arrived');
}

/** The peer's graceful end: wait for the client's FIN, drain, close. @param {any} w @param {Pair} p */
async function closePeer(w, p) {
  await waitFor(w, p.a, POLLRDNORM, 1000);
  const buf = new Uint8Array(64);
  while (w.recv(p.a, buf) > 0); // drain, so the peer's close is a FIN, not an RST
  mustClose(w, p.a, 'a');
}

/** Graceful end of a pair: close the client, wait for its FIN at the peer, close the peer. @param {any} w @param {Pair} p */
async function closeBoth(w, p) {
  mustClose(w, p.c, 'c');
  await closePeer(w, p);
}

/** The peer closes first; the client, which already sent its FIN, then sends nothing more. @param {any} w @param {Pair} p */
async function closePeerFirst(w, p) {
  mustClose(w, p.a, 'a');
  await waitFor(w, p.c, POLLRDNORM, 1000);
  mustClose(w, p.c, 'c');
}

/** closesocket(s) as check 'closesocket', with the milliseconds it took as `waited`. @param {any} w @param {Check_} check @param {number} s */
function timedClose(w, check, s) {
  const t0 = Date.now();
  check(
    'closesocket',
    () => w.closesocket(s),
    () => ({ waited: Date.now() - t0 }),
  );
}

/** Fill the connection until send answers WSAEWOULDBLOCK (the peer reads nothing). Returns bytes queued. */
/** @param {any} w @param {number} s */
function fillUntilWouldBlock(w, s) {
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

/** @type {Scenario[]} In run order: the first must run before any WSAStartup, the last ends it. */
export const scenarios = [
  {
    id: 'socket-before-WSAStartup',
    title: 'socket() before WSAStartup',
    rule: 'any call before WSAStartup answers WSANOTINITIALISED',
    checks: {
      socket: { call: 'socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)', expect: { ret: -1, wsa: 10093 } },
    },
    async run(w, t) {
      // In Windows Node, ws2_32 itself would succeed (libuv started it): api.ts's own count answers.
      checker(w, t)('socket', () => w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    },
  },
  {
    id: 'WSAStartup',
    title: 'WSAStartup(2.2)',
    rule: 'WSAStartup returns 0 and grants version 2.2',
    checks: {
      WSAStartup: { call: 'WSAStartup(MAKEWORD(2,2), data)', expect: { ret: 0, wVersion: 0x0202 } },
    },
    async run(w, t) {
      const data = /** @type {any} */ ({});
      const ret = w.WSAStartup(0x0202, data);
      t.observe('WSAStartup', { ret, wsa: 0, wVersion: data.wVersion });
    },
  },
  {
    id: 'tcp-connection',
    title: 'TCP connection to a peer, data both ways',
    rule: 'connect/accept/send/recv on loopback',
    checks: {
      send: { call: 'send(c, "hello")', expect: { ret: 5, wsa: 0 } },
      peerRecv: { call: 'recv(a) at the peer', expect: { ret: 5, wsa: 0, data: 'hello' } },
      reply: { call: 'send(a, "world") then recv(c)', expect: { ret: 5, wsa: 0, data: 'world' } },
      getpeername: { call: 'getpeername(a) is the client', expect: { ret: 0, wsa: 0, same: true } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check, t) => {
      check('send', () => w.send(p.c, Buffer.from('hello')));
      t.observe('peerRecv', await recvObs(w, p.a));
      must(w.send(p.a, Buffer.from('world')) === 5, 'reply');
      t.observe('reply', await recvObs(w, p.c));
      const peer = emptyAddr();
      check(
        'getpeername',
        () => w.getpeername(p.a, peer),
        () => ({ same: peer.address === LOOPBACK && peer.port === p.clientPort }),
      );
    }),
  },
  {
    id: 'WSASendDisconnect',
    title: 'WSASendDisconnect, then send',
    rule: 'WSASendDisconnect sends FIN; send afterwards fails WSAESHUTDOWN',
    checks: {
      WSASendDisconnect: { call: 'WSASendDisconnect(c, NULL)', expect: { ret: 0, wsa: 0 } },
      peerRecv: { call: 'recv(a) at the peer sees the FIN', expect: { ret: 0, wsa: 0 } },
      sendAfter: { call: 'send(c, "x") afterwards', expect: { ret: -1, wsa: 10058 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(
      async (w, p, check, t) => {
        check('WSASendDisconnect', () => w.WSASendDisconnect(p.c));
        t.observe('peerRecv', await recvObs(w, p.a));
        check('sendAfter', () => w.send(p.c, Buffer.from('x')));
      },
      { end: closePeerFirst },
    ),
  },
  {
    id: 'shutdown-SD_SEND-send',
    title: 'shutdown(SD_SEND), then send',
    rule: 'send after own SD_SEND fails WSAESHUTDOWN (Linux: EPIPE + SIGPIPE)',
    checks: {
      shutdown: { call: 'shutdown(c, SD_SEND)', expect: { ret: 0, wsa: 0 } },
      sendAfter: { call: 'send(c, "x") afterwards', expect: { ret: -1, wsa: 10058 } },
      again: { call: 'shutdown(c, SD_SEND) again', expect: { ret: 0, wsa: 0 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      check('shutdown', () => w.shutdown(p.c, SD_SEND));
      check('sendAfter', () => w.send(p.c, Buffer.from('x')));
      check('again', () => w.shutdown(p.c, SD_SEND));
    }),
  },
  {
    id: 'recv-after-SD_RECEIVE',
    title: 'shutdown(SD_RECEIVE), then recv',
    rule: 'recv after own SD_RECEIVE fails WSAESHUTDOWN; SD_RECEIVE sends nothing',
    checks: {
      shutdown: { call: 'shutdown(c, SD_RECEIVE)', expect: { ret: 0, wsa: 0 } },
      recvAfter: { call: 'recv(c) afterwards', expect: { ret: -1, wsa: 10058 } },
      sendStill: { call: 'send(c, "x") still works', expect: { ret: 1, wsa: 0 } },
    },
    // Only the clean-up's FINs: SD_RECEIVE itself puts nothing on the wire.
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      check('shutdown', () => w.shutdown(p.c, SD_RECEIVE));
      check('recvAfter', () => w.recv(p.c, new Uint8Array(16)));
      check('sendStill', () => w.send(p.c, Buffer.from('x')));
    }),
  },
  {
    id: 'linger-1-0-close',
    title: 'closesocket with linger {1,0}',
    rule: 'linger {1,0}: abortive close, RST, the peer sees WSAECONNRESET',
    checks: {
      setsockopt: { call: 'setsockopt(c, SOL_SOCKET, SO_LINGER, {1,0})', expect: { ret: 0, wsa: 0 } },
      getsockopt: { call: 'getsockopt(c, SO_LINGER) reads {1,0}', expect: { ret: 0, wsa: 0, l_onoff: 1, l_linger: 0 } },
      closesocket: { call: 'closesocket(c)', expect: { ret: 0, wsa: 0 } },
      peerRecv: {
        call: 'recv(a) at the peer',
        expect: { ret: -1, wsa: 10054 },
        wine: {
          expect: { ret: 0, wsa: 0 },
          reason: "Wine 8's recv reports the peer's reset as a graceful end (0); the RST is on the wire all the same",
        },
      },
    },
    packets: { client: ['RST'], server: [] },
    run: onPair(
      async (w, p, check, t) => {
        check('setsockopt', () => w.setsockopt(p.c, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }));
        const l = { l_onoff: -1, l_linger: -1 };
        check(
          'getsockopt',
          () => w.getsockopt(p.c, SOL_SOCKET, SO_LINGER, l),
          () => l,
        );
        check('closesocket', () => w.closesocket(p.c));
        t.observe('peerRecv', await recvObs(w, p.a));
      },
      { end: (w, p) => mustClose(w, p.a, 'a') },
    ),
  },
  {
    id: 'closesocket-twice',
    title: 'closesocket twice',
    rule: 'a closed handle answers WSAENOTSOCK',
    checks: {
      first: { call: 'closesocket(c)', expect: { ret: 0, wsa: 0 } },
      second: { call: 'closesocket(c) again', expect: { ret: -1, wsa: 10038 } },
      sendClosed: { call: 'send(c, "x") on the closed handle', expect: { ret: -1, wsa: 10038 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(
      async (w, p, check) => {
        check('first', () => w.closesocket(p.c));
        check('second', () => w.closesocket(p.c));
        check('sendClosed', () => w.send(p.c, Buffer.from('x')));
      },
      { end: closePeer },
    ),
  },
  {
    id: 'shutdown-bad-how',
    title: 'shutdown(s, 3)',
    rule: 'a `how` outside 0..2 answers WSAEINVAL, checked before the socket state',
    checks: {
      connected: { call: 'shutdown(c, 3) on a connection', expect: { ret: -1, wsa: 10022 } },
      unconnected: { call: 'shutdown(u, 3) on an unconnected socket', expect: { ret: -1, wsa: 10022 } },
      notconn: { call: 'shutdown(u, SD_SEND) on an unconnected socket', expect: { ret: -1, wsa: 10057 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      check('connected', () => w.shutdown(p.c, 3));
      const u = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      must(u !== -1, 'socket');
      check('unconnected', () => w.shutdown(u, 3));
      check('notconn', () => w.shutdown(u, SD_SEND));
      mustClose(w, u, 'u');
    }),
  },
  {
    id: 'WSASendDisconnect-with-data',
    title: 'WSASendDisconnect with disconnect data on TCP',
    rule: 'disconnect data on TCP answers WSAENOPROTOOPT',
    checks: {
      withData: { call: 'WSASendDisconnect(c, "bye")', expect: { ret: -1, wsa: 10042 } },
    },
    // Nothing was sent by the refused call: the clean-up's FINs only.
    packets: { client: ['FIN'], server: ['FIN'] },
    // Wine's ws2_32, called directly, returns 0 here; api.ts answers before any
    // backend is called, so both lanes give the documented code.
    run: onPair(async (w, p, check) => {
      check('withData', () => w.WSASendDisconnect(p.c, Buffer.from('bye')));
    }),
  },
  {
    id: 'data-after-SD_RECEIVE',
    title: 'data arriving after SD_RECEIVE',
    rule: 'TCP data arriving after SD_RECEIVE resets the connection',
    checks: {
      peerSend: { call: 'send(a, "late") by the peer', expect: { ret: 4, wsa: 0 } },
      peerRecv: {
        call: 'recv(a) at the peer, after the reset',
        expect: { ret: -1, wsa: 10054 },
        wine: {
          expect: { ret: -1, wsa: 10035 },
          reason: "Wine 8 does not reset: the data is buffered, so the peer's connection stays open (WSAEWOULDBLOCK)",
        },
      },
    },
    // Documented: the RST answers the data. Wine's client sends its RST only at
    // closesocket (closing with unread data), so the packet order alone cannot tell the
    // two apart here: the peer's recv does.
    packets: { client: ['RST'], server: [] },
    run: onPair(
      async (w, p, check) => {
        must(w.shutdown(p.c, SD_RECEIVE) === 0, 'shutdown(SD_RECEIVE)');
        check('peerSend', () => w.send(p.a, Buffer.from('late')));
        // Give the reset time to happen (the POSIX backend sees the data on Node's loop).
        await waitFor(w, p.a, POLLRDNORM, 500);
        check('peerRecv', () => w.recv(p.a, new Uint8Array(16)));
      },
      {
        async end(w, p) {
          w.closesocket(p.c);
          await waitFor(w, p.a, POLLRDNORM, 500);
          w.closesocket(p.a);
        },
      },
    ),
  },
  {
    id: 'SD_BOTH-unread-data',
    title: 'shutdown(SD_BOTH) with unread data',
    rule: 'SD_BOTH with received data unread resets the connection',
    checks: {
      shutdown: { call: 'shutdown(c, SD_BOTH) with 4 bytes unread', expect: { ret: 0, wsa: 0 } },
      peerRecv: {
        call: 'recv(a) at the peer',
        expect: { ret: -1, wsa: 10054 },
        wine: { expect: { ret: 0, wsa: 0 }, reason: 'Wine 8 sends FIN (a graceful end) instead of resetting' },
      },
    },
    packets: { client: ['RST'], server: [] },
    winePackets: {
      // The peer's FIN then completes the close (TIME_WAIT), so the client's later
      // closesocket finds nothing to reset although the 4 bytes were never read.
      packets: { client: ['FIN'], server: ['FIN'] },
      reason: 'Wine 8 shuts down with FIN (SHUT_RDWR), a graceful end, instead of resetting',
    },
    run: onPair(
      async (w, p, check) => {
        await peerSends(w, p, 'data');
        check('shutdown', () => w.shutdown(p.c, SD_BOTH));
        await waitFor(w, p.a, POLLRDNORM, 500);
        check('peerRecv', () => w.recv(p.a, new Uint8Array(16)));
      },
      {
        // The peer closes first, after seeing the client's end (a FIN under Wine).
        async end(w, p) {
          w.closesocket(p.a);
          await sleep(20);
          w.closesocket(p.c);
        },
      },
    ),
  },
  {
    id: 'nonblocking-linger-unsent',
    title: 'closesocket, nonblocking, linger {1,1}, unsent data',
    rule: 'a nonblocking socket with linger {1,N} and unsent data fails WSAEWOULDBLOCK and stays open',
    checks: {
      closesocket: {
        call: 'closesocket(c), returning at once',
        // "at once": well under the 1 s linger, so the thread was never parked.
        expect: { ret: -1, wsa: 10035, waited: { max: 300 } },
        wine: {
          expect: { ret: 0, wsa: 0, waited: { min: 800, max: 3000 } },
          reason: "Wine 8 has no WSAEWOULDBLOCK rule: Linux's close() with SO_LINGER blocks the thread for the linger time, then returns 0",
        },
      },
      stillOpen: {
        call: 'getsockopt(c, SO_LINGER) afterwards (handle still valid)',
        expect: { ret: 0, wsa: 0 },
        wine: { expect: { ret: -1, wsa: 10038 }, reason: 'The handle was freed by the close above' },
      },
    },
    run: onPair(
      async (w, p, check) => {
        fillUntilWouldBlock(w, p.c);
        linger(w, p.c, 1, 1);
        timedClose(w, check, p.c);
        check('stillOpen', () => w.getsockopt(p.c, SOL_SOCKET, SO_LINGER, { l_onoff: 0, l_linger: 0 }));
      },
      // Clean-up without waiting: abortive on both ends.
      { end: (w, p) => [p.c, p.a].forEach((s) => resetClose(w, s)) },
    ),
  },
  {
    id: 'blocking-linger-expiry',
    title: 'closesocket, blocking, linger {1,1}, unsent data',
    rule: 'a blocking linger {1,N} close waits at most N s, then resets',
    checks: {
      closesocket: { call: 'closesocket(c) (blocking)', expect: { ret: 0, wsa: 0, waited: { min: 800, max: 3000 } } },
    },
    packets: { client: ['RST'], server: [] },
    winePackets: {
      // The peer's RST is its own abortive clean-up, which on Windows finds the
      // connection already reset and sends nothing.
      packets: { client: [], server: ['RST'] },
      reason:
        "Wine 8 leaves the unsent data to Linux, which keeps it queued after close: no RST at expiry (nor a FIN: the peer's window is closed)",
    },
    run: onPair(
      async (w, p, check) => {
        fillUntilWouldBlock(w, p.c);
        nonblocking(w, p.c, false);
        linger(w, p.c, 1, 1);
        timedClose(w, check, p.c);
      },
      {
        // The peer ends abortively too: its RST is not the client's, and nothing waits.
        // (Under Wine the orphaned client connection then dies on the peer's RST.)
        async end(w, p) {
          await sleep(20);
          resetClose(w, p.a);
        },
      },
    ),
  },
  {
    id: 'tcp-connection-ipv6',
    title: 'TCP connection over IPv6 loopback',
    rule: 'AF_INET6 (23 on Windows, 10 on Linux) addresses round-trip',
    checks: {
      send: { call: 'send(c, "hello6") on [::1]', expect: { ret: 6, wsa: 0 } },
      peerRecv: { call: 'recv(a) at the peer', expect: { ret: 6, wsa: 0, data: 'hello6' } },
      getpeername: {
        call: 'getpeername(a) is the client',
        expect: { ret: 0, wsa: 0, family: AF_INET6, address: LOOPBACK6, same: true },
      },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(
      async (w, p, check, t) => {
        check('send', () => w.send(p.c, Buffer.from('hello6')));
        t.observe('peerRecv', await recvObs(w, p.a));
        const peer = emptyAddr();
        check(
          'getpeername',
          () => w.getpeername(p.a, peer),
          () => ({ family: peer.family, address: peer.address, same: peer.port === p.clientPort }),
        );
      },
      { family: AF_INET6 },
    ),
  },
  {
    id: 'udp-sendto-recvfrom',
    title: 'UDP sendto / recvfrom',
    rule: 'datagrams carry their sender address, a truncated one too',
    checks: {
      sendto: { call: 'sendto(u1, "dgram", addr of u2)', expect: { ret: 5, wsa: 0 } },
      recvfrom: { call: 'recvfrom(u2) fills the sender', expect: { ret: 5, wsa: 0, data: 'dgram', fromSender: true } },
      truncated: {
        call: 'recvfrom(u2) of 10 bytes into 4 fills the sender',
        expect: { ret: -1, wsa: 10040, data: '0123', fromSender: true },
      },
    },
    async run(w, t) {
      const check = checker(w, t);
      const [u1, u2] = [udpSocket(w), udpSocket(w)];
      const [a1, a2] = [nameOf(w, u1), nameOf(w, u2)];
      /** Check `name`: recvfrom(u2) into `len` bytes once a datagram is there. @param {string} name @param {number} len */
      const receive = async (name, len) => {
        await waitFor(w, u2, POLLRDNORM, 1000);
        const buf = new Uint8Array(len);
        const from = emptyAddr();
        check(
          name,
          () => w.recvfrom(u2, buf, len, 0, from),
          // WSAEMSGSIZE: the datagram was received, cut to `len` bytes.
          (o) => ({
            data: o.ret > 0 ? text(buf, o.ret) : o.wsa === 10040 ? text(buf, len) : undefined,
            fromSender: from.address === LOOPBACK && from.port === a1.port,
          }),
        );
      };
      check('sendto', () => w.sendto(u1, Buffer.from('dgram'), 5, 0, a2));
      await receive('recvfrom', 64);
      must(w.sendto(u1, Buffer.from('0123456789'), 10, 0, a2) === 10, 'sendto 10 bytes');
      await receive('truncated', 4);
      must(w.closesocket(u1) === 0 && w.closesocket(u2) === 0, 'close');
    },
  },
  {
    id: 'udp-shutdown',
    title: 'shutdown on an unconnected UDP socket',
    rule: 'UDP shutdown succeeds unconnected; later sends/receives fail WSAESHUTDOWN',
    checks: {
      shutdown: { call: 'shutdown(u, SD_BOTH) (not connected)', expect: { ret: 0, wsa: 0 } },
      sendto: { call: 'sendto(u, "x") afterwards', expect: { ret: -1, wsa: 10058 } },
      recvfrom: { call: 'recvfrom(u) afterwards', expect: { ret: -1, wsa: 10058 } },
    },
    async run(w, t) {
      const check = checker(w, t);
      const u = udpSocket(w);
      const self = nameOf(w, u);
      check('shutdown', () => w.shutdown(u, SD_BOTH));
      check('sendto', () => w.sendto(u, Buffer.from('x'), 1, 0, self));
      check('recvfrom', () => w.recvfrom(u, new Uint8Array(8), 8, 0));
      mustClose(w, u, 'u');
    },
  },
  {
    id: 'WSARecvDisconnect',
    title: 'WSARecvDisconnect, then recv',
    rule: 'WSARecvDisconnect is SD_RECEIVE: recv afterwards fails WSAESHUTDOWN',
    checks: {
      WSARecvDisconnect: { call: 'WSARecvDisconnect(c, NULL)', expect: { ret: 0, wsa: 0 } },
      recvAfter: { call: 'recv(c) afterwards', expect: { ret: -1, wsa: 10058 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      check('WSARecvDisconnect', () => w.WSARecvDisconnect(p.c));
      check('recvAfter', () => w.recv(p.c, new Uint8Array(16)));
    }),
  },
  {
    id: 'FIONREAD',
    title: 'ioctlsocket(FIONREAD)',
    rule: 'FIONREAD reports the bytes ready to read',
    checks: {
      FIONREAD: { call: 'ioctlsocket(c, FIONREAD) with 7 bytes queued', expect: { ret: 0, wsa: 0, argp: 7 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      await peerSends(w, p, '7 bytes');
      const argp = [0];
      check(
        'FIONREAD',
        () => w.ioctlsocket(p.c, FIONREAD, argp),
        () => ({ argp: argp[0] }),
      );
      must(w.recv(p.c, new Uint8Array(16)) === 7, 'read the data');
    }),
  },
  {
    id: 'WSAPoll-closed-handle',
    title: 'WSAPoll with a closed handle among live ones',
    rule: 'a closed SOCKET in WSAPoll gets POLLNVAL and counts as ready',
    checks: {
      WSAPoll: {
        call: 'WSAPoll([c: POLLWRNORM, closed: POLLRDNORM], 1000)',
        expect: { ret: 2, wsa: 0, live: POLLWRNORM, closed: POLLNVAL },
      },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      const gone = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      must(gone !== -1 && w.closesocket(gone) === 0, 'a closed handle');
      const fds = [
        { fd: p.c, events: POLLWRNORM, revents: 0 },
        { fd: gone, events: POLLRDNORM, revents: 0 },
      ];
      check(
        'WSAPoll',
        () => w.WSAPoll(fds, 1000),
        () => ({ live: fds[0].revents, closed: fds[1].revents }),
      );
    }),
  },
  {
    id: 'peer-reset-repeated',
    title: 'recv and send after the peer reset the connection',
    rule: 'after a peer reset, every recv/send answers WSAECONNRESET',
    checks: {
      recv1: {
        call: 'recv(c) after the peer closed with linger {1,0}',
        expect: { ret: -1, wsa: 10054 },
        wine: { expect: { ret: 0, wsa: 0 }, reason: "Wine 8's recv reports the reset as a graceful end (0)" },
      },
      recv2: {
        call: 'recv(c) again',
        expect: { ret: -1, wsa: 10054 },
        wine: { expect: { ret: 0, wsa: 0 }, reason: 'The same on every later recv' },
      },
      send: { call: 'send(c, "x")', expect: { ret: -1, wsa: 10054 } },
    },
    packets: { client: [], server: ['RST'] },
    run: onPair(
      async (w, p, check) => {
        linger(w, p.a, 1, 0);
        must(w.closesocket(p.a) === 0, 'peer abortive close');
        await waitFor(w, p.c, POLLRDNORM, 1000);
        check('recv1', () => w.recv(p.c, new Uint8Array(16)));
        check('recv2', () => w.recv(p.c, new Uint8Array(16)));
        check('send', () => w.send(p.c, Buffer.from('x')));
      },
      { end: (w, p) => mustClose(w, p.c, 'c') },
    ),
  },
  {
    id: 'listen-unbound',
    title: 'listen on an unbound socket',
    rule: 'listen before bind answers WSAEINVAL (Linux would bind a port itself)',
    checks: {
      listen: { call: 'listen(u, SOMAXCONN) before bind', expect: { ret: -1, wsa: 10022 } },
    },
    async run(w, t) {
      const u = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      must(u !== -1, 'socket');
      checker(w, t)('listen', () => w.listen(u, 0x7fffffff));
      mustClose(w, u, 'u');
    },
  },
  {
    id: 'nonblocking-connect',
    title: 'connect on a nonblocking socket',
    rule: 'a nonblocking connect in progress answers WSAEWOULDBLOCK (Linux: EINPROGRESS)',
    checks: {
      connect: { call: 'connect(c) nonblocking', expect: { ret: -1, wsa: 10035 } },
      writable: { call: 'WSAPoll(c, POLLWRNORM) once connected', expect: { ret: 1, wsa: 0, revents: POLLWRNORM } },
    },
    async run(w, t) {
      const check = checker(w, t);
      const { l, la } = listener(w);
      const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      nonblocking(w, c);
      check('connect', () => w.connect(c, { family: AF_INET, address: LOOPBACK, port: la.port }));
      await waitFor(w, c, POLLWRNORM, 1000);
      const fds = [{ fd: c, events: POLLWRNORM, revents: 0 }];
      check(
        'writable',
        () => w.WSAPoll(fds, 0),
        () => ({ revents: fds[0].revents }),
      );
      for (const s of [c, l]) resetClose(w, s);
    },
  },
  {
    id: 'SO_DONTLINGER',
    title: 'SO_DONTLINGER after linger {1,0}',
    rule: 'SO_DONTLINGER TRUE sets l_onoff = 0: closesocket is graceful again',
    checks: {
      setsockopt: { call: 'setsockopt(c, SO_DONTLINGER, TRUE)', expect: { ret: 0, wsa: 0 } },
      getsockopt: { call: 'getsockopt(c, SO_LINGER)', expect: { ret: 0, wsa: 0, l_onoff: 0 } },
      dontlinger: { call: 'getsockopt(c, SO_DONTLINGER)', expect: { ret: 0, wsa: 0, value: 1 } },
    },
    // A FIN, not the RST that linger {1,0} would have sent.
    packets: { client: ['FIN'], server: ['FIN'] },
    run: onPair(async (w, p, check) => {
      linger(w, p.c, 1, 0);
      check('setsockopt', () => w.setsockopt(p.c, SOL_SOCKET, SO_DONTLINGER, true));
      const l = { l_onoff: -1, l_linger: -1 };
      check(
        'getsockopt',
        () => w.getsockopt(p.c, SOL_SOCKET, SO_LINGER, l),
        () => ({ l_onoff: l.l_onoff }),
      );
      const v = [-1];
      check(
        'dontlinger',
        () => w.getsockopt(p.c, SOL_SOCKET, SO_DONTLINGER, v),
        () => ({ value: v[0] }),
      );
    }),
  },
  {
    id: 'WSACleanup',
    title: 'the last WSACleanup with a connection open',
    rule: 'the last WSACleanup resets every open socket; later calls answer WSANOTINITIALISED',
    checks: {
      WSACleanup: { call: 'WSACleanup() with c and a open', expect: { ret: 0, wsa: 0 } },
      afterCleanup: { call: 'send(c, "x") afterwards', expect: { ret: -1, wsa: 10093 } },
      restart: { call: 'WSAStartup again, then closesocket(c)', expect: { ret: -1, wsa: 10038 } },
      final: { call: 'WSACleanup()', expect: { ret: 0, wsa: 0 } },
    },
    packets: { client: ['RST'], server: [] },
    run: onPair(
      async (w, p, check) => {
        // Both are in the table and both are reset, the client first (the table keeps
        // creation order); its RST reaches the peer before the peer's own reset, which
        // then finds the connection gone and sends nothing.
        check('WSACleanup', () => w.WSACleanup());
        check('afterCleanup', () => w.send(p.c, Buffer.from('x')));
        must(w.WSAStartup(0x0202, {}) === 0, 'WSAStartup again');
        check('restart', () => w.closesocket(p.c));
        check('final', () => w.WSACleanup());
      },
      // The last WSACleanup is the clean-up.
      { end: null },
    ),
  },
];

/** @param {unknown} want @param {unknown} got */
function fieldMatches(want, got) {
  if (want !== null && typeof want === 'object' && ('min' in want || 'max' in want)) {
    const r = /** @type {{ min?: number, max?: number }} */ (want);
    return typeof got === 'number' && (r.min === undefined || got >= r.min) && (r.max === undefined || got <= r.max);
  }
  return JSON.stringify(want) === JSON.stringify(got);
}

/** Every field of `want` holds in `got` (`wsa` defaults to 0 when `ret` is not -1). */
/** @param {Outcome} want @param {Outcome | undefined} got */
export function outcomeMatches(want, got) {
  if (!got) return false;
  const w = { wsa: want.ret === -1 ? undefined : 0, ...want };
  return Object.entries(w).every(([k, v]) => v === undefined || fieldMatches(v, got[k]));
}

/**
 * 'pass' when the documented result holds; under Wine 'wine-deviation' when the
 * recorded Wine result holds instead; otherwise 'fail'.
 * @param {Check} check @param {Outcome | undefined} got @param {'linux' | 'wine'} lane
 */
export function judge(check, got, lane) {
  if (outcomeMatches(check.expect, got)) return 'pass';
  if (lane === 'wine' && check.wine && outcomeMatches(check.wine.expect, got)) return 'wine-deviation';
  return 'fail';
}
