// @ts-check
// Contract: a connection the peer reset: recv and send keep answering
// WSAECONNRESET, SO_ERROR reads 0 once the reset was reported, and WSAPoll
// says POLLERR | POLLHUP | POLLWRNORM (no POLLRDNORM).
// Source: sock.c test_tcp_reset (the peer's close_with_rst: linger {1,0}).
import * as C from './lib.mjs';

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-tcp-reset',
  title: "after the peer's reset",
  rule: 'test_tcp_reset',
  checks: {
    'first recv': {
      call: 'recv after the reset arrived',
      cite: 'GetOverlappedResult: ERROR_NETNAME_DELETED (the pending WSARecv fails with the reset)',
      expect: { ret: -1, wsa: 10054 },
      wine: {
        expect: { ret: 0 },
        reason:
          "Wine 8: recv returns 0 after the peer's reset (the RST is on the wire); sock.c's ok() is not todo_wine: Windows and newer Wine say WSAECONNRESET",
      },
    },
    SO_ERROR: { call: 'getsockopt(SO_ERROR)', cite: 'ok(!ret); ok(!error)', expect: { ret: 0, value: 0 } },
    'recv again': {
      call: 'recv',
      cite: 'ok(ret == -1); ok(WSAGetLastError() == WSAECONNRESET)',
      expect: { ret: -1, wsa: 10054 },
      wine: {
        expect: { ret: 0 },
        reason:
          "Wine 8: recv returns 0 after the peer's reset (the RST is on the wire); sock.c's ok() is not todo_wine: Windows and newer Wine say WSAECONNRESET",
      },
    },
    send: { call: 'send(client, "data")', cite: 'ok(ret == -1); ok(WSAGetLastError() == WSAECONNRESET)', expect: { ret: -1, wsa: 10054 } },
    poll: {
      call: 'WSAPoll([{client, POLLRDNORM|POLLRDBAND|POLLWRNORM}], 1000)',
      cite: 'check_poll(client, POLLERR | POLLHUP | POLLWRNORM)',
      expect: { ret: 1, revents: C.POLLERR | C.POLLHUP | C.POLLWRNORM },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    const lis = C.listener(w);
    const { client, server } = await C.connectPair(w, lis);
    w.closesocket(lis.l);
    C.nonblocking(w, client);
    C.must(w.setsockopt(server, C.SOL_SOCKET, C.SO_LINGER, { l_onoff: 1, l_linger: 0 }) === 0, 'linger {1,0}');
    w.closesocket(server);
    await C.settle(w, client, C.POLLRDNORM);
    await C.sleep(20);
    const buf = new Uint8Array(10);
    check('first recv', () => w.recv(client, buf));
    const v = [0xdead];
    check(
      'SO_ERROR',
      () => w.getsockopt(client, C.SOL_SOCKET, C.SO_ERROR, v),
      () => ({ value: v[0] }),
    );
    check('recv again', () => w.recv(client, buf));
    check('send', () => w.send(client, Buffer.from('data\0')));
    const fds = [{ fd: client, events: C.POLLRDNORM | C.POLLRDBAND | C.POLLWRNORM, revents: 0xdead }];
    check(
      'poll',
      () => w.WSAPoll(fds, 1000),
      () => ({ revents: fds[0].revents }),
    );
    w.closesocket(client);
  },
};
