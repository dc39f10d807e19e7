// @ts-check
// Contract: WSAGetLastError after a call: a failure sets its code; these
// successes clear a stale one (Windows calls SetLastError(0) on success).
// Sources: sock.c test_timeout (getsockopt/setsockopt SO_RCVTIMEO, recv
// timing out), test_so_debug (SO_DEBUG kept and read back as 1),
// test_WSAPoll (a successful WSAPoll), test_send_buffering (recv returning 0).
import * as C from './lib.mjs';

const { SOL_SOCKET } = C;

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-last-error',
  title: 'WSAGetLastError after success and failure; SO_RCVTIMEO and SO_DEBUG',
  rule: 'test_timeout, test_so_debug',
  checks: {
    'get SO_RCVTIMEO default': {
      call: 'getsockopt(SO_RCVTIMEO) on a fresh pair',
      cite: 'test_timeout: ok(!ret); ok(!WSAGetLastError()); ok(!timeout)',
      expect: { ret: 0, last: 0, value: 0 },
    },
    'set SO_RCVTIMEO 100': {
      call: 'setsockopt(SO_RCVTIMEO, 100)',
      cite: 'test_timeout: ok(!ret); ok(!WSAGetLastError())',
      expect: { ret: 0, last: 0 },
    },
    'get SO_RCVTIMEO 100': {
      call: 'getsockopt(SO_RCVTIMEO)',
      cite: 'test_timeout: ok(timeout == 100)',
      expect: { ret: 0, last: 0, value: 100 },
    },
    'recv times out': {
      call: 'blocking recv with SO_RCVTIMEO 100 and no data',
      cite: 'test_timeout: ok(ret == -1); ok(WSAGetLastError() == WSAETIMEDOUT)',
      expect: { ret: -1, wsa: 10060 },
    },
    'get SO_DEBUG default': {
      call: 'getsockopt(SO_DEBUG)',
      cite: 'test_so_debug: ok(!ret); ok(!WSAGetLastError()); ok(!debug)',
      expect: { ret: 0, last: 0, value: 0 },
    },
    'set SO_DEBUG 2': {
      call: 'setsockopt(SO_DEBUG, 2)',
      cite: 'test_so_debug: ok(!ret); todo_wine ok(!WSAGetLastError())',
      expect: { ret: 0, last: 0 },
      wine: { expect: { ret: 0, last: C.STALE }, reason: 'todo_wine in sock.c: Wine leaves the last error as it was' },
    },
    'get SO_DEBUG after 2': {
      call: 'getsockopt(SO_DEBUG)',
      cite: 'test_so_debug: ok(!WSAGetLastError()); todo_wine ok(debug == 1)',
      expect: { ret: 0, last: 0, value: 1 },
      wine: { expect: { ret: 0, last: 0, value: 0 }, reason: 'todo_wine in sock.c: Wine does not keep SO_DEBUG' },
    },
    'WSAPoll success': {
      call: 'WSAPoll([{-1}, {listener, POLLIN}], 0)',
      cite: 'test_WSAPoll: ok(!ret); ok(!WSAGetLastError())',
      expect: { ret: 0, last: 0 },
    },
    'recv 0 after FIN': {
      call: "recv after the peer's graceful close",
      cite: 'test_send_buffering: ok(!ret && !WSAGetLastError())',
      expect: { ret: 0, last: 0 },
    },
  },
  async run(w, t) {
    const check = C.checker(w, t);
    const lis = C.listener(w);
    const { client, server } = await C.connectPair(w, lis);
    /** @param {string} name @param {number} opt */
    const get = (name, opt) => {
      const v = [0xdead];
      check(
        name,
        () => w.getsockopt(client, SOL_SOCKET, opt, v),
        () => ({ value: v[0] }),
      );
    };
    get('get SO_RCVTIMEO default', C.SO_RCVTIMEO);
    check('set SO_RCVTIMEO 100', () => w.setsockopt(client, SOL_SOCKET, C.SO_RCVTIMEO, 100));
    get('get SO_RCVTIMEO 100', C.SO_RCVTIMEO);
    check('recv times out', () => w.recv(client, new Uint8Array(1)));
    get('get SO_DEBUG default', C.SO_DEBUG);
    check('set SO_DEBUG 2', () => w.setsockopt(client, SOL_SOCKET, C.SO_DEBUG, 2));
    get('get SO_DEBUG after 2', C.SO_DEBUG);
    check('WSAPoll success', () =>
      w.WSAPoll(
        [
          { fd: -1, events: C.POLLERR, revents: 0 },
          { fd: lis.l, events: C.POLLIN, revents: 0 },
        ],
        0,
      ),
    );
    w.closesocket(server);
    C.nonblocking(w, client);
    await C.settle(w, client, C.POLLRDNORM);
    check('recv 0 after FIN', () => w.recv(client, new Uint8Array(8)));
    C.closeAll(w, client, lis.l);
  },
};
