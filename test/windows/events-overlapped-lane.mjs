// Event objects, WSAEventSelect and overlapped I/O, run the same way by Linux
// Node (posix.ts) and by Windows Node under Wine (win32.ts over ws2_32.dll):
// prints one JSON object of results that test/windows/events-overlapped.test.ts
// compares with Windows' documented answers. Every wait is bounded.
//   node test/windows/events-overlapped-lane.mjs [--dist FILE]
import { pathToFileURL } from 'node:url';

const i = process.argv.indexOf('--dist');
const dist = i > 0 ? process.argv[i + 1] : undefined;
const W = await import(dist ? pathToFileURL(dist).href : new URL('../../dist/index.js', import.meta.url).href);

const out = { backend: W.backendName };
const T = 2000;
const ok = (rc, what) => {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
};
const name = (code) => (code === 0 ? 0 : W.wsaErrorName(code));
const wait = (ev, ms = T) => W.WSAWaitForMultipleEvents(1, [ev], false, ms, false);
function collect(s, ev, bits) {
  const all = { events: 0, codes: {} };
  const deadline = Date.now() + T;
  while ((all.events & bits) !== bits && Date.now() < deadline) {
    if (wait(ev, Math.max(1, deadline - Date.now())) !== W.WSA_WAIT_EVENT_0) break;
    const ne = { lNetworkEvents: 0, iErrorCode: [] };
    ok(W.WSAEnumNetworkEvents(s, ev, ne), 'WSAEnumNetworkEvents');
    all.events |= ne.lNetworkEvents;
    for (let b = 0; b < 10; b++) if (ne.lNetworkEvents & (1 << b)) all.codes[b] = name(ne.iErrorCode[b]);
  }
  return all;
}
function step(id, fn) {
  try {
    out[id] = fn();
  } catch (e) {
    out[id] = { threw: String(e?.message ?? e) };
  }
}

ok(W.WSAStartup(W.MAKEWORD(2, 2)) === 0 ? 0 : -1, 'WSAStartup');
const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
ok(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
ok(W.listen(l, 16), 'listen');
const addr = {};
ok(W.getsockname(l, addr), 'getsockname');

/** A connected pair, the server side accepted through FD_ACCEPT. */
function pair() {
  const evL = W.WSACreateEvent();
  ok(W.WSAEventSelect(l, evL, W.FD_ACCEPT), 'WSAEventSelect(listener)');
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  const evC = W.WSACreateEvent();
  ok(W.WSAEventSelect(c, evC, W.FD_CONNECT | W.FD_WRITE | W.FD_READ | W.FD_CLOSE), 'WSAEventSelect(client)');
  const rc = W.connect(c, addr);
  const connectRc = rc === 0 ? 0 : W.wsaErrorName(W.WSAGetLastError());
  const accepted = collect(l, evL, W.FD_ACCEPT);
  const s = ok(W.accept(l), 'accept');
  const connected = collect(c, evC, W.FD_CONNECT | W.FD_WRITE);
  ok(W.WSAEventSelect(l, 0, 0), 'cancel');
  return { c, s, evC, connectRc, accepted, connected };
}

step('eventObjects', () => {
  const e = W.WSACreateEvent();
  const r = [wait(e, 0)];
  W.WSASetEvent(e);
  r.push(wait(e, 0), wait(e, 0));
  W.WSAResetEvent(e);
  r.push(wait(e, 20));
  W.WSACloseEvent(e);
  r.push(W.WSASetEvent(e), W.wsaErrorName(W.WSAGetLastError()));
  return r;
});

let p;
step('connectAndAccept', () => {
  p = pair();
  return {
    connectRc: p.connectRc,
    accept: p.accepted.events,
    connect: p.connected.events,
    connectCode: p.connected.codes[W.FD_CONNECT_BIT] ?? null,
  };
});

step('fionbioRefused', () => {
  const rc = W.ioctlsocket(p.c, W.FIONBIO, [0]);
  return rc === 0 ? 0 : W.wsaErrorName(W.WSAGetLastError());
});

step('readThenGracefulClose', () => {
  const ev = W.WSACreateEvent();
  ok(W.WSAEventSelect(p.s, ev, W.FD_READ | W.FD_CLOSE), 'WSAEventSelect(server)');
  ok(W.send(p.c, Buffer.from('hello')), 'send');
  const read = collect(p.s, ev, W.FD_READ);
  const buf = Buffer.alloc(16);
  const n = W.recv(p.s, buf);
  ok(W.closesocket(p.c), 'closesocket');
  const close = collect(p.s, ev, W.FD_CLOSE);
  ok(W.closesocket(p.s), 'closesocket');
  return { read: read.events, data: buf.subarray(0, n).toString(), close: close.events, code: close.codes[W.FD_CLOSE_BIT] ?? null };
});

step('resetClose', () => {
  const q = pair();
  const ev = W.WSACreateEvent();
  ok(W.WSAEventSelect(q.s, ev, W.FD_CLOSE), 'WSAEventSelect(server)');
  ok(W.setsockopt(q.c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }), 'SO_LINGER');
  ok(W.closesocket(q.c), 'closesocket');
  const close = collect(q.s, ev, W.FD_CLOSE);
  ok(W.closesocket(q.s), 'closesocket');
  return { close: close.events, code: close.codes[W.FD_CLOSE_BIT] ?? null };
});

step('overlappedPendingThenWait', () => {
  const q = pair();
  const ev = W.WSACreateEvent();
  const ov = W.newOverlapped(ev);
  const a = Buffer.alloc(3);
  const b = Buffer.alloc(8);
  const rc = W.WSARecv(
    q.s,
    [
      { len: 3, buf: a },
      { len: 8, buf: b },
    ],
    2,
    null,
    [0],
    ov,
    null,
  );
  const first = rc === 0 ? 0 : W.wsaErrorName(W.WSAGetLastError());
  ok(W.send(q.c, Buffer.from('overlapped')), 'send');
  const woke = wait(ev);
  const n = [0];
  const got = W.WSAGetOverlappedResult(q.s, ov, n, false, [0]);
  // Closing aborts the next pending one.
  const ov2 = W.newOverlapped(W.WSACreateEvent());
  W.WSARecv(q.s, [{ len: 3, buf: Buffer.alloc(3) }], 1, null, [0], ov2, null);
  ok(W.closesocket(q.s), 'closesocket');
  const aborted = W.WSAGetOverlappedResult(q.s, ov2, [0], false, [0]) ? 0 : W.wsaErrorName(W.WSAGetLastError());
  ok(W.closesocket(q.c), 'closesocket');
  return { first, woke, got, bytes: n[0], data: a.toString() + b.subarray(0, 7).toString(), aborted };
});

step('overlappedImmediate', () => {
  const q = pair();
  ok(W.send(q.c, Buffer.from('now')), 'send');
  const ready = [{ fd: q.s, events: W.POLLRDNORM, revents: 0 }];
  W.WSAPoll(ready, T);
  const ev = W.WSACreateEvent();
  const n = [0];
  const rc = W.WSARecv(q.s, [{ len: 8, buf: Buffer.alloc(8) }], 1, n, [0], W.newOverlapped(ev), null);
  const r = { rc, bytes: n[0], signalled: wait(ev, 0) };
  W.closesocket(q.s);
  W.closesocket(q.c);
  return r;
});

step('acceptEx', () => {
  const ext = (guid) => {
    const fns = [];
    ok(W.WSAIoctl(l, W.SIO_GET_EXTENSION_FUNCTION_POINTER, guid, 16, fns, 8, null, null, null), 'WSAIoctl');
    return fns[0];
  };
  const acceptEx = ext(W.WSAID_ACCEPTEX);
  const getAddrs = ext(W.WSAID_GETACCEPTEXSOCKADDRS);
  const acceptor = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  const ev = W.WSACreateEvent();
  const ov = W.newOverlapped(ev);
  const out = Buffer.alloc(64);
  const first = acceptEx(l, acceptor, out, 0, 32, 32, null, ov) ? 0 : W.wsaErrorName(W.WSAGetLastError());
  const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  ok(W.connect(c, addr), 'connect');
  const woke = wait(ev);
  const done = W.WSAGetOverlappedResult(acceptor, ov, [0], false, [0]);
  const local = {};
  const remote = {};
  getAddrs(out, 0, 32, 32, local, null, remote, null);
  const mine = {};
  W.getsockname(c, mine);
  ok(W.send(acceptor, Buffer.from('via AcceptEx')), 'send');
  const buf = Buffer.alloc(32);
  const n = W.recv(c, buf);
  W.closesocket(c);
  W.closesocket(acceptor);
  return {
    first,
    woke,
    done,
    localPort: local.port === addr.port,
    remotePort: remote.port === mine.port,
    data: buf.subarray(0, Math.max(0, n)).toString(),
  };
});

W.closesocket(l);
W.WSACleanup();
console.log(JSON.stringify(out));
