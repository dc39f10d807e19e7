// @ts-check
// Contract: WSAPoll's revents in every state and how entries count: invalid
// flags, invalid and negative handles (POLLNVAL, not counted; WSAENOTSOCK when
// none is valid), a listener with a pending connection, a connection idle,
// with data, with urgent data, after its own shutdowns, after the peer's
// SD_SEND, graceful close, and SD_SEND behind data, UDP sockets.
// Source: sock.c test_WSAPoll (check_poll masks POLLRDNORM|POLLRDBAND|POLLWRNORM).
import * as C from './lib.mjs';

const { POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLHUP, POLLNVAL, POLLERR, POLLIN } = C;
const ALL = POLLRDNORM | POLLRDBAND | POLLWRNORM;
const INVALID_FLAGS = [POLLERR, POLLHUP, POLLNVAL, 0x8, C.POLLWRBAND, 0x40, 0x80, C.POLLPRI, 0x800, 0x1000, 0x2000, 0x4000, 0x8000];
const hex = (/** @type {number} */ n) => `0x${n.toString(16)}`;

/** @param {string} cite @param {number} revents @param {object} [wine] */
const state = (cite, revents, wine) => ({
  call: 'WSAPoll([{s, mask}], 1000)',
  cite,
  expect: { ret: revents ? 1 : 0, revents },
  ...(wine ? { wine } : {}),
});
const todo = (/** @type {number} */ got) => ({ expect: { revents: got }, reason: 'todo_wine (check_poll_todo) in sock.c' });

/** @type {Record<string, import('./index.mjs').Check>} */
const checks = {
  'empty array': { call: 'WSAPoll([], 0)', cite: 'ok(ret == SOCKET_ERROR); ok(err == WSAEINVAL)', expect: { ret: -1, wsa: 10022 } },
  ...Object.fromEntries(
    INVALID_FLAGS.map((f) => [
      `flag ${hex(f)}`,
      {
        call: `WSAPoll([{listener, ${hex(f)}}], 0)`,
        cite: 'invalid_flags: todo_wine ok(ret == -1); todo_wine ok(WSAGetLastError() == WSAEINVAL)',
        expect: { ret: -1, wsa: 10022 },
        wine: { expect: { ret: 0 }, reason: 'todo_wine in sock.c: Wine accepts the flag' },
      },
    ]),
  ),
  'listener idle': { call: 'WSAPoll([{listener, all}], 0)', cite: 'ok(ret == 0); ok(!fds[0].revents)', expect: { ret: 0, revents: [0] } },
  'negative fd': {
    call: 'WSAPoll([{-1, POLLERR}, {listener, POLLIN}], 0)',
    cite: 'ok(!ret); ok(!WSAGetLastError()); revents POLLNVAL, 0',
    expect: { ret: 0, last: 0, revents: [POLLNVAL, 0] },
  },
  'never-issued handle': {
    call: 'WSAPoll([{listener, POLLIN}, {0xabacab, POLLIN}], 0)',
    cite: 'ok(!ret); ok(!WSAGetLastError()); revents 0, POLLNVAL',
    expect: { ret: 0, last: 0, revents: [0, POLLNVAL] },
  },
  'never-issued handle, bad flag': {
    call: 'WSAPoll([{listener, POLLIN}, {0xabacab, POLLERR}], 0)',
    cite: 'todo_wine ok(ret == -1); todo_wine ok(WSAGetLastError() == WSAEINVAL); ok(!fds[0].revents); todo_wine ok(!fds[1].revents)',
    expect: { ret: -1, wsa: 10022, revents: [0, 0] },
    wine: { expect: { ret: 0, revents: [0, POLLNVAL] }, reason: 'todo_wine in sock.c' },
  },
  'no valid entry': {
    call: 'WSAPoll([{-1, POLLERR}, {0xabacab, POLLERR}], 0)',
    cite: 'ok(ret == -1); ok(WSAGetLastError() == WSAENOTSOCK); both POLLNVAL',
    expect: { ret: -1, wsa: 10038, revents: [POLLNVAL, POLLNVAL] },
  },
  'pending connection': {
    call: 'WSAPoll([{listener, POLLIN}], 100)',
    cite: 'ok(ret == 1); ok(fds[0].revents == POLLRDNORM)',
    expect: { ret: 1, revents: POLLRDNORM },
  },
  'pending connection, other flags': {
    call: 'WSAPoll([{listener, POLLRDBAND|POLLWRNORM}], 0)',
    cite: 'ok(ret == 0); ok(!fds[0].revents)',
    expect: { ret: 0, revents: 0 },
  },
  'connected trio': {
    call: 'WSAPoll([listener, server, client], 0), all flags',
    cite: 'ok(ret == 2); revents 0, POLLWRNORM, POLLWRNORM',
    expect: { ret: 2, revents: [0, POLLWRNORM, POLLWRNORM] },
  },
  'data: client, RD mask': state('check_poll_mask(client, POLLRDNORM | POLLRDBAND, POLLRDNORM)', POLLRDNORM),
  'data: client': state('check_poll(client, POLLRDNORM | POLLWRNORM)', POLLRDNORM | POLLWRNORM),
  'data: server': state('check_poll(server, POLLWRNORM)', POLLWRNORM),
  'data read: client': state('check_poll(client, POLLWRNORM)', POLLWRNORM),
  'OOB: server, RD mask': state('check_poll_mask(server, POLLRDNORM | POLLRDBAND, POLLRDBAND)', POLLRDBAND),
  'OOB: server': state('check_poll(server, POLLWRNORM | POLLRDBAND)', POLLWRNORM | POLLRDBAND),
  'OOB read: server': state('check_poll(server, POLLWRNORM)', POLLWRNORM),
  'own SD_RECEIVE: client': state('check_poll(client, POLLWRNORM)', POLLWRNORM),
  'own SD_SEND: client': state('check_poll(client, POLLWRNORM)', POLLWRNORM),
  "peer's SD_SEND: server, mask 0": state('check_poll_mask_todo(server, 0, POLLHUP)', POLLHUP, todo(0)),
  "peer's SD_SEND: server": state('check_poll_todo(server, POLLWRNORM | POLLHUP)', POLLWRNORM | POLLHUP, todo(POLLWRNORM | POLLRDNORM)),
  "peer's closesocket: server, mask 0": state('check_poll_mask(server, 0, POLLHUP)', POLLHUP),
  "peer's closesocket: server": state('check_poll(server, POLLWRNORM | POLLHUP)', POLLWRNORM | POLLHUP),
  'data then SD_SEND: server': state(
    'check_poll_todo(server, POLLWRNORM | POLLRDNORM | POLLHUP)',
    POLLWRNORM | POLLRDNORM | POLLHUP,
    todo(POLLWRNORM | POLLRDNORM),
  ),
  'UDP unbound': state('check_poll(client, POLLWRNORM) before bind', POLLWRNORM),
  'UDP bound': state('check_poll(client, POLLWRNORM) after bind', POLLWRNORM),
  'UDP datagram waiting, RD mask': state('check_poll_mask(client, POLLRDNORM | POLLRDBAND, POLLRDNORM)', POLLRDNORM),
  'UDP datagram waiting': state('check_poll(client, POLLWRNORM | POLLRDNORM)', POLLWRNORM | POLLRDNORM),
};

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-wsapoll',
  title: 'WSAPoll: revents in every state, and what counts',
  rule: 'test_WSAPoll',
  checks,
  async run(w, t) {
    const check = C.checker(w, t);
    /** @param {{fd: number, events: number}[]} list */
    const fdsOf = (list) => list.map((e) => ({ ...e, revents: 0xdead }));
    /** WSAPoll over `list`, recording ret/wsa/last and every revents. @param {string} name @param {{fd: number, events: number}[]} list */
    const pollAll = (name, list, ms = 0) => {
      const fds = fdsOf(list);
      check(
        name,
        () => w.WSAPoll(fds, ms),
        () => ({ revents: fds.map((f) => f.revents) }),
      );
    };
    /** sock.c's check_poll_: one entry, 1 s timeout. Yields first, so watchers on the loop have run. @param {string} name @param {number} s @param {number} mask */
    const one = async (name, s, mask = ALL) => {
      await C.sleep(20);
      const fds = fdsOf([{ fd: s, events: mask }]);
      check(
        name,
        () => w.WSAPoll(fds, 1000),
        () => ({ revents: fds[0].revents }),
      );
    };

    check('empty array', () => w.WSAPoll([], 0));
    const lis = C.listener(w);
    for (const f of INVALID_FLAGS) {
      const fds = fdsOf([{ fd: lis.l, events: f }]);
      check(`flag ${hex(f)}`, () => w.WSAPoll(fds, 0));
    }
    pollAll('listener idle', [{ fd: lis.l, events: ALL }]);
    pollAll('negative fd', [
      { fd: -1, events: POLLERR },
      { fd: lis.l, events: POLLIN },
    ]);
    pollAll('never-issued handle', [
      { fd: lis.l, events: POLLIN },
      { fd: C.NEVER_ISSUED, events: POLLIN },
    ]);
    pollAll('never-issued handle, bad flag', [
      { fd: lis.l, events: POLLIN },
      { fd: C.NEVER_ISSUED, events: POLLERR },
    ]);
    pollAll('no valid entry', [
      { fd: -1, events: POLLERR },
      { fd: C.NEVER_ISSUED, events: POLLERR },
    ]);

    let client = C.sock(w);
    C.nonblocking(w, client);
    w.connect(client, lis.addr);
    const fd1 = fdsOf([{ fd: lis.l, events: POLLIN }]);
    check(
      'pending connection',
      () => w.WSAPoll(fd1, 100),
      () => ({ revents: fd1[0].revents }),
    );
    const fd2 = fdsOf([{ fd: lis.l, events: POLLRDBAND | POLLWRNORM }]);
    check(
      'pending connection, other flags',
      () => w.WSAPoll(fd2, 0),
      () => ({ revents: fd2[0].revents }),
    );
    let server = w.accept(lis.l);
    C.must(server !== -1, `accept (${w.WSAGetLastError()})`);
    C.nonblocking(w, server);
    await C.settle(w, client, POLLWRNORM);
    pollAll('connected trio', [
      { fd: lis.l, events: ALL },
      { fd: server, events: ALL },
      { fd: client, events: ALL },
    ]);

    C.must(w.send(server, Buffer.from('1234')) === 4, 'send 1234');
    await C.settle(w, client, POLLRDNORM);
    await one('data: client, RD mask', client, POLLRDNORM | POLLRDBAND);
    await one('data: client', client);
    await one('data: server', server);
    C.must(w.recv(client, new Uint8Array(6)) === 4, 'recv 1234');
    await one('data read: client', client);

    C.must(w.send(client, Buffer.from('A'), 1, C.MSG_OOB) === 1, 'send OOB');
    await C.settle(w, server, POLLRDBAND);
    await one('OOB: server, RD mask', server, POLLRDNORM | POLLRDBAND);
    await one('OOB: server', server);
    C.must(w.recv(server, new Uint8Array(1), 1, C.MSG_OOB) === 1, 'recv OOB');
    await one('OOB read: server', server);

    C.must(w.shutdown(client, C.SD_RECEIVE) === 0, 'SD_RECEIVE');
    await one('own SD_RECEIVE: client', client);
    C.must(w.shutdown(client, C.SD_SEND) === 0, 'SD_SEND');
    await one('own SD_SEND: client', client);
    await C.settle(w, server, POLLRDNORM, 500);
    await one("peer's SD_SEND: server, mask 0", server, 0);
    await one("peer's SD_SEND: server", server);
    C.closeAll(w, client, server);

    ({ client, server } = await C.connectPair(w, lis));
    C.nonblocking(w, server);
    w.closesocket(client);
    await C.settle(w, server, POLLRDNORM, 500);
    await one("peer's closesocket: server, mask 0", server, 0);
    await one("peer's closesocket: server", server);
    w.closesocket(server);

    ({ client, server } = await C.connectPair(w, lis));
    C.nonblocking(w, server);
    C.must(w.send(client, Buffer.from('data\0')) === 5, 'send data');
    await C.settle(w, server, POLLRDNORM);
    C.must(w.shutdown(client, C.SD_SEND) === 0, 'SD_SEND');
    await C.sleep(50);
    await one('data then SD_SEND: server', server);
    C.closeAll(w, client, server, lis.l);

    const u = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    const u2 = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    await one('UDP unbound', u);
    C.must(w.bind(u, C.LOOPBACK) === 0, 'bind UDP');
    const ua = C.nameOf(w, u);
    await one('UDP bound', u);
    C.must(w.sendto(u2, Buffer.from('data\0'), 5, 0, ua) === 5, 'sendto');
    await C.settle(w, u, POLLRDNORM);
    await one('UDP datagram waiting, RD mask', u, POLLRDNORM | POLLRDBAND);
    await one('UDP datagram waiting', u);
    C.closeAll(w, u, u2);
  },
};
