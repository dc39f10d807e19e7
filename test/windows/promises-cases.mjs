// @ts-check
// The promise API (winsock-compat/promises) on real loopback sockets, as plain
// Node cases that run unchanged in Linux Node (posix backend) and in Windows Node
// under Wine (win32 backend over Wine's ws2_32.dll), where vitest does not load.
// test/windows/promises-lane.mjs runs them; test/windows/promises-wine.test.ts runs
// both lanes under a loopback capture and checks each case's FIN/RST per side.
//
// A case has:
// - `checks`: what is observed, each with the documented (Windows) result in `expect`.
//   An outcome is a flat call's `{ ret, wsa }` or a promise's settlement
//   (`settled()`: `{ ok: true, value }` or `{ ok: false, code, errno, syscall }`,
//   `{ ok: false, abort: true }`, `{ ok: false, hung: true }`), plus any field the case
//   measures (bytes, data, ms, ticks). A field may be `{ min, max }`. A check may carry
//   `wine`: the measured Wine 8 result where it deviates, with the reason; under Wine
//   a match with it is a 'wine-deviation', never a pass.
// - `packets` (and `winePackets`): the FIN/RST-bearing segments each side of the
//   connection named with `t.conn()` sends over the case's whole life, in order.
// - `run(w, P, t)`: `w` the flat API (dist/index.js), `P` the promise API
//   (dist/promises.js), `t.observe(name, outcome)`, `t.conn(pair)`.
//
// Every wait is bounded: a promise that does not settle within its bound is
// observed as `{ hung: true }` and fails its check; nothing here can hang the run.

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const SOL_SOCKET = 0xffff;
const SO_LINGER = 0x0080;
const SO_RCVTIMEO = 0x1006;
const FIONBIO = 0x8004667e;
const MSG_WAITALL = 0x8;
const POLLRDNORM = 0x0100;
const POLLNVAL = 0x0004;
const LOOPBACK = '127.0.0.1';

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {boolean} ok @param {string} what */
function must(ok, what) {
  if (!ok) throw new Error(`setup failed: ${what}`);
}

/**
 * How a promise settled within `ms`: `{ ok: true, value }`, or the rejection's shape.
 * @param {Promise<unknown>} p @param {number} [ms]
 * @returns {Promise<Record<string, unknown>>}
 */
export async function settled(p, ms = 5000) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const hung = new Promise((r) => (timer = setTimeout(() => r({ ok: false, hung: true }), ms)));
  try {
    return /** @type {Record<string, unknown>} */ (
      await Promise.race([p.then((value) => ({ ok: true, value: value === undefined ? null : value })), hung])
    );
  } catch (e) {
    const x = /** @type {any} */ (e);
    if (x && x.name === 'AbortError') return { ok: false, abort: true };
    if (x && typeof x.errno === 'number' && typeof x.code === 'string')
      return { ok: false, code: x.code, errno: x.errno, syscall: x.syscall };
    return { ok: false, error: x instanceof Error ? `${x.constructor.name}: ${x.message}` : String(x) };
  } finally {
    clearTimeout(timer);
  }
}

/** A flat call's outcome: its return value and, when it returned -1, WSAGetLastError(). @param {any} w @param {() => number} fn */
function flat(w, fn) {
  w.WSASetLastError(0);
  const ret = fn();
  return { ret, wsa: ret === -1 ? w.WSAGetLastError() : 0 };
}

/** Counts timer ticks (10 ms) until stopped: the event loop turned meanwhile. */
function ticker() {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 10);
  return () => (clearInterval(iv), ticks);
}

/** @param {any} w @param {number} s */
function nameOf(w, s) {
  const a = { family: 0, address: '', port: 0 };
  must(w.getsockname(s, a) === 0, 'getsockname');
  return a;
}

/** @param {any} w @param {number} s @param {boolean} on */
function mode(w, s, on) {
  must(w.ioctlsocket(s, FIONBIO, [on ? 1 : 0]) === 0, `FIONBIO ${on ? 1 : 0}`);
}

/** A TCP listener on loopback; blocking unless told. @param {any} w */
function listener(w, nonblocking = false) {
  const l = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  must(l !== -1, 'socket');
  must(w.bind(l, { family: AF_INET, address: LOOPBACK, port: 0 }) === 0, 'bind');
  must(w.listen(l, 16) === 0, 'listen');
  if (nonblocking) mode(w, l, true);
  return { l, addr: nameOf(w, l) };
}

/**
 * A connected pair made with the promise calls: the accept is pending before the
 * connect starts, so both wait on the sockets' watches. Both are left blocking (the
 * program's default mode); the listener is closed.
 * @param {any} w @param {any} P
 */
async function promisePair(w, P) {
  const { l, addr } = listener(w);
  const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  must(c !== -1, 'socket');
  const [acc, con] = await Promise.all([settled(P.accept(l)), settled(P.connect(c, addr))]);
  must(acc.ok === true && con.ok === true, `accept/connect: ${JSON.stringify([acc, con])}`);
  must(w.closesocket(l) === 0, 'closesocket(listener)');
  const a = /** @type {number} */ (acc.value);
  return { c, a, address: LOOPBACK, clientPort: nameOf(w, c).port, serverPort: addr.port };
}

/** Fill the connection with nonblocking sends until WSAEWOULDBLOCK (the peer reads nothing); back to blocking. @param {any} w @param {number} s */
function fill(w, s) {
  mode(w, s, true);
  const chunk = new Uint8Array(65536).fill(0x61);
  let total = 0;
  for (let i = 0; i < 4096; i++) {
    const n = w.send(s, chunk);
    if (n === -1) {
      must(w.WSAGetLastError() === 10035, `fill: send failed with ${w.WSAGetLastError()}`);
      mode(w, s, false);
      return total;
    }
    total += n;
  }
  throw new Error('setup failed: the connection never filled');
}

/** Reads until 0 or an error (bounded), counting bytes: the peer's view of an ending. @param {any} P @param {number} s */
async function readToEnd(P, s, ms = 4000) {
  const buf = new Uint8Array(65536);
  const end = Date.now() + ms;
  let bytes = 0;
  for (;;) {
    const r = await settled(P.recv(s, buf, buf.length, 0), Math.max(1, end - Date.now()));
    if (!r.ok || r.value === 0) return { ...r, bytes };
    bytes += /** @type {number} */ (r.value);
  }
}

/**
 * A function counting this process's threads: /proc/self/task on Linux; on Windows
 * kernel32's thread snapshot (under Wine, /proc/self names the wineserver, not this
 * process). Loaded only where it runs.
 * @returns {Promise<() => number>}
 */
async function threadCounter() {
  if (process.platform !== 'win32') {
    const { readdirSync } = await import('node:fs');
    return () => readdirSync('/proc/self/task').length;
  }
  const { createRequire } = await import('node:module');
  const koffi = createRequire(import.meta.url)('koffi');
  const k32 = koffi.load('kernel32.dll');
  const snapshot = k32.func('void * __stdcall CreateToolhelp32Snapshot(uint32_t dwFlags, uint32_t th32ProcessID)');
  const first = k32.func('int __stdcall Thread32First(void *hSnapshot, void *lpte)');
  const next = k32.func('int __stdcall Thread32Next(void *hSnapshot, void *lpte)');
  const close = k32.func('int __stdcall CloseHandle(void *h)');
  const pid = k32.func('uint32_t __stdcall GetCurrentProcessId()')();
  const TH32CS_SNAPTHREAD = 0x4;
  // THREADENTRY32: dwSize, cntUsage, th32ThreadID, th32OwnerProcessID, tpBasePri, tpDeltaPri, dwFlags.
  const entry = Buffer.alloc(28);
  return () => {
    const h = snapshot(TH32CS_SNAPTHREAD, 0);
    let n = 0;
    entry.writeUInt32LE(entry.length, 0);
    for (let ok = first(h, entry); ok; ok = next(h, entry)) if (entry.readUInt32LE(12) === pid) n++;
    close(h);
    return n;
  };
}

/** @param {Uint8Array} b @param {number} n */
const text = (b, n) => Buffer.from(b.subarray(0, n)).toString();

/** @type {import('./promises-cases.d.mts').PromiseCase[]} */
export const cases = [
  {
    id: 'library-pair',
    title: 'connect/accept/send/recv between two library sockets',
    rule: 'the promise calls connect, accept, exchange bytes and wait for writability',
    checks: {
      send: { call: "await send(c, 'hello winsock')", expect: { ok: true, value: 13 } },
      recv: { call: 'await recv(a)', expect: { ok: true, value: 13, data: 'hello winsock' } },
      bulk: {
        call: 'await send(a, 4 MiB) while c reads it with await recv',
        // More than both socket buffers: the send must wait for writability.
        expect: { ok: true, value: 4194304, received: 4194304, sum: 4194304 * 0x5a },
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      t.observe('send', await settled(P.send(p.c, Buffer.from('hello winsock'))));
      const buf = new Uint8Array(64);
      const r = await settled(P.recv(p.a, buf));
      t.observe('recv', r.ok ? { ...r, data: text(buf, /** @type {number} */ (r.value)) } : r);
      const big = new Uint8Array(4 << 20).fill(0x5a);
      const sending = settled(P.send(p.a, big), 10000);
      let received = 0;
      let sum = 0;
      const chunk = new Uint8Array(65536);
      while (received < big.length) {
        const n = await settled(P.recv(p.c, chunk, chunk.length, 0));
        if (!n.ok || n.value === 0) break;
        for (let i = 0; i < /** @type {number} */ (n.value); i++) sum += chunk[i];
        received += /** @type {number} */ (n.value);
      }
      t.observe('bulk', { ...(await sending), received, sum });
      w.closesocket(p.c);
      w.closesocket(p.a);
    },
  },
  {
    id: 'node-net-in-process',
    title: 'the promise API against node:net in the same process',
    rule: 'a node:net server and client on the same loop keep working while the library waits',
    checks: {
      echo: { call: "connect to a node:net echo server, send 'ping', await recv", expect: { ok: true, value: 4, data: 'ping' } },
      serve: {
        call: "accept a node:net client, await recv its 'hi', await send 'reply'",
        expect: { ok: true, value: 2, data: 'hi', reply: 'reply' },
      },
    },
    async run(w, P, t) {
      const net = await import('node:net');
      const server = net.createServer((sock) => sock.on('data', (d) => sock.write(d)).on('error', () => {}));
      await new Promise((r) => server.listen(0, LOOPBACK, () => r(undefined)));
      const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
      try {
        const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        const con = await settled(P.connect(c, { family: AF_INET, address: LOOPBACK, port }));
        must(con.ok === true, `connect: ${JSON.stringify(con)}`);
        must((await settled(P.send(c, Buffer.from('ping')))).ok === true, 'send ping');
        const buf = new Uint8Array(16);
        const r = await settled(P.recv(c, buf));
        t.observe('echo', r.ok ? { ...r, data: text(buf, /** @type {number} */ (r.value)) } : r);
        w.closesocket(c);
      } finally {
        await new Promise((r) => server.close(() => r(undefined)));
      }
      const { l, addr } = listener(w);
      const accepted = P.accept(l);
      const client = net.connect(addr.port, LOOPBACK);
      client.on('error', () => {});
      let reply = '';
      client.on('data', (d) => (reply += d.toString()));
      client.on('connect', () => client.write('hi'));
      const acc = await settled(accepted);
      must(acc.ok === true, `accept: ${JSON.stringify(acc)}`);
      const a = /** @type {number} */ (acc.value);
      const buf = new Uint8Array(16);
      const r = await settled(P.recv(a, buf));
      must((await settled(P.send(a, Buffer.from('reply')))).ok === true, 'send reply');
      for (let i = 0; i < 200 && reply.length < 5; i++) await sleep(10);
      t.observe('serve', r.ok ? { ...r, data: text(buf, /** @type {number} */ (r.value)), reply } : r);
      client.destroy();
      w.closesocket(a);
      w.closesocket(l);
    },
  },
  {
    id: 'loop-ticks-during-recv',
    title: 'the event loop keeps ticking during a pending recv',
    rule: 'waiting is on the loop (uv_poll), never a blocked thread',
    checks: {
      recv: {
        call: 'await recv(a) while a 10 ms timer counts; the data comes 300 ms later',
        expect: { ok: true, value: 5, ms: { min: 250, max: 3000 }, ticks: { min: 10 } },
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      const stop = ticker();
      const t0 = Date.now();
      setTimeout(() => w.send(p.c, Buffer.from('later')), 300);
      const r = await settled(P.recv(p.a, new Uint8Array(16)));
      t.observe('recv', { ...r, ms: Date.now() - t0, ticks: stop() });
      w.closesocket(p.c);
      w.closesocket(p.a);
    },
  },
  {
    id: 'msg-waitall',
    title: 'recv with MSG_WAITALL',
    rule: 'MSG_WAITALL resolves once len bytes arrived, across several segments',
    checks: {
      recv: {
        call: "await recv(a, buf, 12, MSG_WAITALL); 'abcd', 'efgh', 'ijkl' sent 50 ms apart",
        expect: { ok: true, value: 12, data: 'abcdefghijkl' },
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      const buf = new Uint8Array(12);
      const pending = settled(P.recv(p.a, buf, 12, MSG_WAITALL));
      for (const part of ['abcd', 'efgh', 'ijkl']) {
        w.send(p.c, Buffer.from(part));
        await sleep(50);
      }
      const r = await pending;
      t.observe('recv', r.ok ? { ...r, data: text(buf, /** @type {number} */ (r.value)) } : r);
      w.closesocket(p.c);
      w.closesocket(p.a);
    },
  },
  {
    id: 'udp-sendto-recvfrom',
    title: 'UDP sendto/recvfrom',
    rule: 'a pending recvfrom resolves with the datagram and fills its sender',
    checks: {
      sendto: { call: "await sendto(u1, 'dgram', 5, 0, u2)", expect: { ok: true, value: 5 } },
      recvfrom: { call: 'await recvfrom(u2) (pending first)', expect: { ok: true, value: 5, data: 'dgram', fromSender: true } },
    },
    async run(w, P, t) {
      const udp = () => {
        const u = w.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        must(u !== -1 && w.bind(u, { family: AF_INET, address: LOOPBACK, port: 0 }) === 0, 'udp socket');
        return u;
      };
      const u1 = udp();
      const u2 = udp();
      const buf = new Uint8Array(64);
      const from = { family: 0, address: '', port: 0 };
      const pending = settled(P.recvfrom(u2, buf, buf.length, 0, from));
      await sleep(20);
      t.observe('sendto', await settled(P.sendto(u1, Buffer.from('dgram'), 5, 0, nameOf(w, u2))));
      const r = await pending;
      const me = nameOf(w, u1);
      t.observe(
        'recvfrom',
        r.ok
          ? { ...r, data: text(buf, /** @type {number} */ (r.value)), fromSender: from.port === me.port && from.address === LOOPBACK }
          : r,
      );
      w.closesocket(u1);
      w.closesocket(u2);
    },
  },
  {
    id: 'graceful-close',
    title: 'gracefulClose against a peer that finishes',
    rule: "Microsoft's sequence: SD_SEND (FIN), recv until 0 (the peer's FIN), closesocket",
    checks: {
      gracefulClose: {
        call: 'await gracefulClose(c, { timeoutMs: 3000 }); the peer reads to 0, sends 3 bytes, closes',
        expect: { ok: true, graceful: true, timedOut: false, bytesDrained: 3 },
      },
      peer: { call: 'the peer: await recv(a) until 0', expect: { ok: true, value: 0, bytes: 0 } },
    },
    packets: { client: ['FIN'], server: ['FIN'] },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      t.conn(p);
      const closing = settled(P.gracefulClose(p.c, { timeoutMs: 3000 }));
      const peer = await readToEnd(P, p.a);
      must((await settled(P.send(p.a, Buffer.from('bye')))).ok === true, 'peer send');
      w.closesocket(p.a);
      t.observe('peer', peer);
      const r = await closing;
      const v = /** @type {any} */ (r.value);
      t.observe('gracefulClose', r.ok ? { ok: true, graceful: v.graceful, timedOut: v.timedOut, bytesDrained: v.bytesDrained } : r);
    },
  },
  {
    id: 'closesocket-linger-1-0',
    title: 'promise closesocket with linger {1,0}',
    rule: 'linger {1,0}: an abortive close (RST, no FIN); the peer sees WSAECONNRESET',
    checks: {
      closesocket: { call: 'await closesocket(c) with linger {1,0}', expect: { ok: true, value: null } },
      peer: {
        call: 'the peer: await recv(a), pending before the close',
        expect: { ok: false, code: 'WSAECONNRESET', syscall: 'recv' },
        wine: {
          expect: { ok: true, value: 0 },
          reason: "Wine 8's recv reports the peer's reset as a graceful end (0); the RST is on the wire all the same",
        },
      },
      peerAgain: {
        call: 'the peer: await recv(a) again (a reset is remembered)',
        expect: { ok: false, code: 'WSAECONNRESET', syscall: 'recv' },
        wine: { expect: { ok: true, value: 0 }, reason: 'The same on every later recv' },
      },
    },
    packets: { client: ['RST'], server: [] },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      t.conn(p);
      const pending = settled(P.recv(p.a, new Uint8Array(16)));
      await sleep(20);
      must(w.setsockopt(p.c, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }) === 0, 'SO_LINGER {1,0}');
      t.observe('closesocket', await settled(P.closesocket(p.c)));
      t.observe('peer', await pending);
      t.observe('peerAgain', await settled(P.recv(p.a, new Uint8Array(16))));
      w.closesocket(p.a);
    },
  },
  {
    id: 'closesocket-linger-1-1-unsent',
    title: 'promise closesocket with linger {1,1} and data the peer never reads',
    rule: 'the blocking column of the linger table without blocking the loop: wait up to 1 s, then RST',
    checks: {
      closesocket: {
        call: 'await closesocket(c) (blocking socket, linger {1,1}, send queue full)',
        expect: { ok: true, value: null, ms: { min: 900, max: 3000 }, ticks: { min: 30 } },
        wine: {
          expect: { ok: true, value: null, ms: { min: 800, max: 3000 }, ticks: { max: 5 } },
          reason:
            "Wine 8's closesocket has no WSAEWOULDBLOCK rule for a nonblocking socket with linger {1,N} and unsent data: the one attempt runs Linux's close() with SO_LINGER, which parks the thread (and Node's loop) for the linger time, then returns 0",
        },
      },
      peer: {
        call: 'the peer, reading only after the close: recv until 0 or an error',
        expect: { ok: false, code: 'WSAECONNRESET', syscall: 'recv' },
        wine: {
          expect: { ok: true, value: 0, complete: true },
          reason:
            'Wine 8 leaves the unsent data to Linux, which keeps sending it after close and ends with a FIN: the peer reads every byte, then 0',
        },
      },
    },
    packets: { client: ['RST'], server: [] },
    winePackets: {
      packets: { client: ['FIN'], server: ['FIN'] },
      reason: "no RST at the linger expiry: the orphaned connection delivers its data and a FIN, and the peer's own close is a FIN",
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      t.conn(p);
      const queued = fill(w, p.c);
      must(w.setsockopt(p.c, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 1 }) === 0, 'SO_LINGER {1,1}');
      const stop = ticker();
      const t0 = Date.now();
      const r = await settled(P.closesocket(p.c), 4000);
      t.observe('closesocket', { ...r, ms: Date.now() - t0, ticks: stop() });
      const peer = await readToEnd(P, p.a);
      t.observe('peer', { ...peer, complete: peer.bytes === queued });
      w.closesocket(p.a);
    },
  },
  {
    id: 'connect-refused',
    title: 'connect to a loopback port nobody listens on',
    rule: "a failed handshake rejects with the connect's own error (SO_ERROR once the socket reports it)",
    checks: {
      connect: {
        call: 'await connect(c, a closed port)',
        expect: { ok: false, code: 'WSAECONNREFUSED', errno: 10061, syscall: 'connect' },
      },
    },
    async run(w, P, t) {
      // A port that was just free: bind, read it, close.
      const { l, addr } = listener(w);
      w.closesocket(l);
      const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      t.observe('connect', await settled(P.connect(c, addr)));
      w.closesocket(c);
    },
  },
  {
    id: 'ipv6-pair',
    title: 'the promise calls over IPv6 loopback',
    rule: 'AF_INET6 (23) addresses work through connect/accept/send/recv',
    checks: {
      recv: {
        call: "await accept/connect on [::1], await send(c, 'six'), await recv(a)",
        expect: { ok: true, value: 3, data: 'six', peer: '::1' },
      },
    },
    async run(w, P, t) {
      const AF_INET6 = 23;
      const l = w.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
      must(l !== -1 && w.bind(l, { family: AF_INET6, address: '::1', port: 0 }) === 0 && w.listen(l, 4) === 0, 'IPv6 listener');
      const c = w.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
      const from = { family: 0, address: '', port: 0 };
      const [acc, con] = await Promise.all([settled(P.accept(l, from)), settled(P.connect(c, nameOf(w, l)))]);
      must(acc.ok === true && con.ok === true, `accept/connect: ${JSON.stringify([acc, con])}`);
      const a = /** @type {number} */ (acc.value);
      must((await settled(P.send(c, Buffer.from('six')))).ok === true, 'send');
      const buf = new Uint8Array(16);
      const r = await settled(P.recv(a, buf));
      t.observe('recv', r.ok ? { ...r, data: text(buf, /** @type {number} */ (r.value)), peer: from.address } : r);
      for (const s of [c, a, l]) w.closesocket(s);
    },
  },
  {
    id: 'pending-in-order',
    title: 'several pending operations on one socket',
    rule: 'operations pending in one direction complete in the order they were made',
    checks: {
      recvs: { call: "three pending await recv(a, 3-byte buffers); then send(c, 'abcdefghi')", expect: { data: ['abc', 'def', 'ghi'] } },
      sends: {
        call: 'three await send(c, 1 MiB of 1s, 2s, 3s) made at once; a reads everything',
        expect: { values: [1048576, 1048576, 1048576], inOrder: true, received: 3145728 },
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      const bufs = [0, 1, 2].map(() => new Uint8Array(3));
      const recvs = bufs.map((b) => settled(P.recv(p.a, b, 3, 0)));
      await sleep(20);
      w.send(p.c, Buffer.from('abcdefghi'));
      const got = await Promise.all(recvs);
      t.observe('recvs', { data: got.map((r, i) => (r.ok ? text(bufs[i], /** @type {number} */ (r.value)) : JSON.stringify(r))) });
      const MiB = 1 << 20;
      const sends = [1, 2, 3].map((v) => settled(P.send(p.c, new Uint8Array(MiB).fill(v)), 10000));
      // The bytes arrive as 1 MiB of 1s, then 2s, then 3s: no send overtook another.
      const chunk = new Uint8Array(65536);
      let inOrder = true;
      let received = 0;
      while (received < 3 * MiB) {
        const r = await settled(P.recv(p.a, chunk, chunk.length, 0));
        if (!r.ok || r.value === 0) break;
        const n = /** @type {number} */ (r.value);
        for (let i = 0; i < n; i++) inOrder &&= chunk[i] === Math.floor((received + i) / MiB) + 1;
        received += n;
      }
      const done = await Promise.all(sends);
      t.observe('sends', { values: done.map((r) => (r.ok ? r.value : JSON.stringify(r))), inOrder, received });
      w.closesocket(p.c);
      w.closesocket(p.a);
    },
  },
  {
    id: 'no-thread-per-wait',
    title: '200 pending recvs hold no thread',
    rule: "waiting is a uv_poll on Node's own loop: no thread per pending operation, and libuv's thread pool stays free for fs",
    checks: {
      threads: {
        call: "the process's thread count with 200 pending await recv, against before them",
        // libuv's slow (non-AFD) poll on Windows would queue one work item, a thread, per waiting socket.
        expect: { extra: { max: 4 }, allDelivered: true },
      },
      fs: { call: 'fs.readFile completions during 200 ms of those 200 pending recvs', expect: { reads: { min: 5 } } },
    },
    async run(w, P, t) {
      const count = await threadCounter();
      const { l, addr } = listener(w);
      /** @type {Array<[number, number]>} */
      const pairs = [];
      for (let i = 0; i < 200; i++) {
        const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        const [acc, con] = await Promise.all([settled(P.accept(l)), settled(P.connect(c, addr))]);
        must(acc.ok === true && con.ok === true, `pair ${i}: ${JSON.stringify([acc, con])}`);
        pairs.push([c, /** @type {number} */ (acc.value)]);
      }
      const before = count();
      const pending = pairs.map(([, a]) => settled(P.recv(a, new Uint8Array(8)), 10000));
      const { readFile } = await import('node:fs/promises');
      const me = new URL(import.meta.url);
      let reads = 0;
      const end = Date.now() + 200;
      while (Date.now() < end) {
        await readFile(me);
        reads++;
      }
      const during = count();
      for (const [c] of pairs) w.send(c, Buffer.from('x'));
      const got = await Promise.all(pending);
      t.observe('threads', { before, during, extra: during - before, allDelivered: got.every((r) => r.ok && r.value === 1) });
      t.observe('fs', { reads });
      for (const [c, a] of pairs) {
        w.closesocket(c);
        w.closesocket(a);
      }
      w.closesocket(l);
    },
  },
  {
    id: 'close-aborts-pending',
    title: 'flat closesocket with operations pending',
    rule: 'closesocket rejects every operation pending on the socket with WSA_OPERATION_ABORTED (995)',
    checks: {
      recv1: {
        call: 'await recv(a), pending when closesocket(a) ran',
        expect: { ok: false, code: 'WSA_OPERATION_ABORTED', errno: 995, syscall: 'recv' },
      },
      recv2: { call: 'a second pending recv(a)', expect: { ok: false, code: 'WSA_OPERATION_ABORTED', errno: 995, syscall: 'recv' } },
      closesocket: { call: 'closesocket(a) (flat)', expect: { ret: 0, wsa: 0 } },
      accept: {
        call: 'await accept(l), pending when closesocket(l) ran',
        expect: { ok: false, code: 'WSA_OPERATION_ABORTED', errno: 995, syscall: 'accept' },
      },
      send: {
        call: 'await send(c, 1 MiB) pending on a full connection when closesocket(c) ran',
        expect: { ok: false, code: 'WSA_OPERATION_ABORTED', errno: 995, syscall: 'send' },
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      const r1 = settled(P.recv(p.a, new Uint8Array(16)));
      const r2 = settled(P.recv(p.a, new Uint8Array(16)));
      await sleep(20);
      t.observe(
        'closesocket',
        flat(w, () => w.closesocket(p.a)),
      );
      t.observe('recv1', await r1);
      t.observe('recv2', await r2);
      // A send waiting for room on a full connection.
      const q = await promisePair(w, P);
      fill(w, q.c);
      const s = settled(P.send(q.c, new Uint8Array(1 << 20)));
      await sleep(20);
      must(w.setsockopt(q.c, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }) === 0, 'SO_LINGER {1,0}');
      w.closesocket(q.c);
      t.observe('send', await s);
      w.closesocket(q.a);
      w.closesocket(p.c);
      const { l } = listener(w);
      const acc = settled(P.accept(l));
      await sleep(20);
      w.closesocket(l);
      t.observe('accept', await acc);
    },
  },
  {
    id: 'abort-signal',
    title: 'AbortSignal on a pending recv',
    rule: 'an aborted signal rejects with AbortError; the socket stays usable and nothing was consumed',
    checks: {
      aborted: {
        call: 'await recv(a, ..., { signal }) aborted after 100 ms',
        expect: { ok: false, abort: true, ms: { min: 80, max: 2000 } },
      },
      after: { call: "then send(c, 'after'); await recv(a)", expect: { ok: true, value: 5, data: 'after' } },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      const ac = new AbortController();
      const t0 = Date.now();
      setTimeout(() => ac.abort(), 100);
      const r = await settled(P.recv(p.a, new Uint8Array(16), 16, 0, { signal: ac.signal }));
      t.observe('aborted', { ...r, ms: Date.now() - t0 });
      w.send(p.c, Buffer.from('after'));
      const buf = new Uint8Array(16);
      const r2 = await settled(P.recv(p.a, buf));
      t.observe('after', r2.ok ? { ...r2, data: text(buf, /** @type {number} */ (r2.value)) } : r2);
      w.closesocket(p.c);
      w.closesocket(p.a);
    },
  },
  {
    id: 'wsapoll',
    title: 'the promise WSAPoll',
    rule: 'WSAPoll resolves when an entry is ready (revents filled) or with 0 at its timeout, the loop running meanwhile',
    checks: {
      ready: {
        call: 'await WSAPoll([{a, POLLRDNORM}], 3000); data sent 100 ms later',
        expect: { ok: true, value: 1, revents: POLLRDNORM, ms: { min: 80, max: 2500 }, ticks: { min: 4 } },
      },
      timeout: {
        call: 'await WSAPoll([{c, POLLRDNORM}], 150) with nothing to read',
        expect: { ok: true, value: 0, revents: 0, ms: { min: 130, max: 2000 } },
      },
      closed: {
        // With an idle UDP socket u beside it: an array with no valid socket left fails (WSAENOTSOCK).
        call: 'await WSAPoll([{c, POLLRDNORM}, {u, POLLRDNORM}], -1); closesocket(c) (flat) 50 ms later',
        expect: { ok: true, value: 0, revents: [POLLNVAL, 0] }, // POLLNVAL is not counted (sock.c test_WSAPoll)
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      const fds = [{ fd: p.a, events: POLLRDNORM, revents: 0 }];
      const stop = ticker();
      const t0 = Date.now();
      setTimeout(() => w.send(p.c, Buffer.from('x')), 100);
      const r = await settled(P.WSAPoll(fds, 3000));
      t.observe('ready', { ...r, revents: fds[0].revents, ms: Date.now() - t0, ticks: stop() });
      const fds2 = [{ fd: p.c, events: POLLRDNORM, revents: -1 }];
      const t1 = Date.now();
      const r2 = await settled(P.WSAPoll(fds2, 150));
      t.observe('timeout', { ...r2, revents: fds2[0].revents, ms: Date.now() - t1 });
      const u = w.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
      must(u !== -1 && w.bind(u, { family: AF_INET, address: LOOPBACK, port: 0 }) === 0, 'udp socket');
      const fds3 = [
        { fd: p.c, events: POLLRDNORM, revents: -1 },
        { fd: u, events: POLLRDNORM, revents: -1 },
      ];
      setTimeout(() => w.closesocket(p.c), 50);
      const r3 = await settled(P.WSAPoll(fds3, -1));
      t.observe('closed', { ...r3, revents: fds3.map((f) => f.revents) });
      w.closesocket(u);
      w.closesocket(p.a);
    },
  },
  {
    id: 'blocking-recv-after-watch',
    title: 'a blocking flat recv after a promise op watched the socket',
    rule: "the uv_poll watch makes the descriptor nonblocking; the program's blocking mode is put back, so SO_RCVTIMEO still applies",
    checks: {
      promise: { call: 'await recv(a) (a is blocking; this creates its watch)', expect: { ok: true, value: 1 } },
      flat: {
        call: 'recv(a) (flat) with SO_RCVTIMEO 300 ms and nothing to read',
        // A nonblocking SOCKET would answer WSAEWOULDBLOCK (10035) at once.
        expect: { ret: -1, wsa: 10060, ms: { min: 250, max: 3000 } },
      },
      afterConnect: {
        call: "the same on c, whose one promise op was connect (its watch started after connect's last attempt)",
        expect: { ret: -1, wsa: 10060, ms: { min: 250, max: 3000 } },
      },
      afterAbort: {
        call: 'the same on a fresh accepted socket whose one promise op, a recv, was aborted before any retry',
        expect: { ret: -1, wsa: 10060, ms: { min: 250, max: 3000 } },
      },
    },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      setTimeout(() => w.send(p.c, Buffer.from('x')), 50);
      t.observe('promise', await settled(P.recv(p.a, new Uint8Array(16))));
      must(w.setsockopt(p.a, SOL_SOCKET, SO_RCVTIMEO, 300) === 0, 'SO_RCVTIMEO');
      const t0 = Date.now();
      const o = flat(w, () => w.recv(p.a, new Uint8Array(16)));
      t.observe('flat', { ...o, ms: Date.now() - t0 });
      // An attempt after the watch started would put blocking back by itself (it restores
      // the mode it borrowed): in these two, the watch started after the socket's last attempt,
      // so only the watch's own restore (win32.ts watchOf) keeps them blocking.
      const timedRecv = (/** @type {number} */ s) => {
        must(w.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, 300) === 0, 'SO_RCVTIMEO');
        const t1 = Date.now();
        const r = flat(w, () => w.recv(s, new Uint8Array(16)));
        return { ...r, ms: Date.now() - t1 };
      };
      t.observe('afterConnect', timedRecv(p.c));
      const q = await promisePair(w, P);
      const ac = new AbortController();
      const pending = settled(P.recv(q.a, new Uint8Array(16), 16, 0, { signal: ac.signal }));
      await sleep(20);
      ac.abort();
      must((await pending).abort === true, 'the recv was aborted');
      t.observe('afterAbort', timedRecv(q.a));
      for (const s of [p.c, p.a, q.c, q.a]) w.closesocket(s);
    },
  },
  {
    id: 'accept-inherits-mode',
    title: "an accepted socket inherits the listener's blocking mode",
    rule: "accept's temporary nonblocking attempt and the listener's watch must not leak into the accepted socket",
    checks: {
      blocking: {
        call: 'await accept(l) on a blocking listener, then recv (flat) with SO_RCVTIMEO 300 ms',
        expect: { ret: -1, wsa: 10060, ms: { min: 250, max: 3000 } },
      },
      nonblocking: {
        call: 'await accept(l) on a nonblocking listener, then recv (flat)',
        expect: { ret: -1, wsa: 10035, ms: { max: 200 } },
      },
    },
    async run(w, P, t) {
      for (const [name, nb] of /** @type {const} */ ([
        ['blocking', false],
        ['nonblocking', true],
      ])) {
        const { l, addr } = listener(w, nb);
        const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        const acc = settled(P.accept(l));
        await sleep(20); // the accept waits on the listener's watch first
        must((await settled(P.connect(c, addr))).ok === true, 'connect');
        const r = await acc;
        must(r.ok === true, `accept: ${JSON.stringify(r)}`);
        const a = /** @type {number} */ (r.value);
        must(w.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, 300) === 0, 'SO_RCVTIMEO');
        const t0 = Date.now();
        const o = flat(w, () => w.recv(a, new Uint8Array(16)));
        t.observe(name, { ...o, ms: Date.now() - t0 });
        w.closesocket(c);
        w.closesocket(a);
        w.closesocket(l);
      }
    },
  },
  {
    // Last: it ends the library's start-up; the runner's final WSACleanup is then not needed.
    id: 'cleanup-aborts-pending',
    title: 'the last WSACleanup with operations pending',
    rule: 'the last WSACleanup resets every open socket and rejects what was pending with WSA_OPERATION_ABORTED',
    checks: {
      WSACleanup: { call: 'WSACleanup() with recv(c) and WSAPoll([a]) pending', expect: { ret: 0, wsa: 0 } },
      recv: { call: 'the pending await recv(c)', expect: { ok: false, code: 'WSA_OPERATION_ABORTED', errno: 995, syscall: 'recv' } },
      poll: {
        call: 'the pending await WSAPoll([{a, POLLRDNORM}], -1)',
        expect: { ok: false, code: 'WSA_OPERATION_ABORTED', errno: 995, syscall: 'WSAPoll' },
      },
    },
    // The client is reset first (the table keeps creation order); the peer's reset then finds nothing.
    packets: { client: ['RST'], server: [] },
    async run(w, P, t) {
      const p = await promisePair(w, P);
      t.conn(p);
      const r = settled(P.recv(p.c, new Uint8Array(16)));
      const q = settled(P.WSAPoll([{ fd: p.a, events: POLLRDNORM, revents: 0 }], -1));
      await sleep(20);
      t.observe(
        'WSACleanup',
        flat(w, () => w.WSACleanup()),
      );
      t.observe('recv', await r);
      t.observe('poll', await q);
    },
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

/** Every field of `want` holds in `got`. @param {Record<string, unknown>} want @param {Record<string, unknown> | undefined} got */
export function matches(want, got) {
  return !!got && Object.entries(want).every(([k, v]) => fieldMatches(v, got[k]));
}

/**
 * 'pass' when the documented result holds; under Wine 'wine-deviation' when the recorded
 * Wine result holds instead; otherwise 'fail'.
 * @param {import('./promises-cases.d.mts').CaseCheck} check @param {Record<string, unknown> | undefined} got @param {'linux' | 'wine'} lane
 */
export function judge(check, got, lane) {
  if (matches(check.expect, got)) return 'pass';
  if (lane === 'wine' && check.wine && matches(check.wine.expect, got)) return 'wine-deviation';
  return 'fail';
}
