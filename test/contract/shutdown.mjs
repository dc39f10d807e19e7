// @ts-check
// Contract: shutdown's codes and what follows it: unconnected and listening
// sockets, each direction on both ends (repeated, with the last error cleared),
// SD_BOTH, a bad `how`, the names after shutdown, sending to a peer that shut
// down and closed, and UDP sockets.
// Source: sock.c test_shutdown.
import * as C from './lib.mjs';

const ESHUTDOWN = { ret: -1, wsa: 10058 };
const ok0 = { ret: 0, last: 0 };
const step = (/** @type {string} */ call, /** @type {string} */ cite, /** @type {any} */ expect, /** @type {any} */ wine) => ({
  call,
  cite,
  expect,
  ...(wine ? { wine } : {}),
});

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-shutdown',
  title: 'shutdown: codes, directions, SD_BOTH, listeners, UDP',
  rule: 'test_shutdown',
  checks: {
    'unconnected SD_SEND': step('shutdown(unconnected, SD_SEND)', 'ok(WSAGetLastError() == WSAENOTCONN)', { ret: -1, wsa: 10057 }),
    'unconnected SD_RECEIVE': step('shutdown(unconnected, SD_RECEIVE)', 'ok(WSAGetLastError() == WSAENOTCONN)', { ret: -1, wsa: 10057 }),
    SD_SEND: step('shutdown(client, SD_SEND)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'SD_SEND again': step('shutdown(client, SD_SEND) again', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'send after SD_SEND': step('send(client)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'peer recv FIN': step('recv(server)', 'ok(!ret)', { ret: 0 }),
    'peer recv FIN again': step('recv(server) again', 'ok(!ret)', { ret: 0 }),
    'peer SD_RECEIVE': step('shutdown(server, SD_RECEIVE)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'peer recv after SD_RECEIVE': step('recv(server)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'peer send': step('send(server, "test")', 'ok(ret == 5)', { ret: 5 }),
    'recv peer data': step('recv(client)', 'ok(ret == 5); "test"', { ret: 5, data: 'test\0' }),
    SD_RECEIVE: step('shutdown(client, SD_RECEIVE)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'recv after SD_RECEIVE': step('recv(client)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'recv after SD_RECEIVE again': step('recv(client) again', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'peer SD_SEND': step('shutdown(server, SD_SEND)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'peer send after SD_SEND': step('send(server)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'getpeername(client)': step(
      'getpeername(client) after both shutdowns',
      'ok(!ret); address matches',
      { ret: 0, matches: true },
      {
        expect: { ret: -1, wsa: 10057 },
        reason: 'Wine 8 answers WSAENOTCONN once both sides shut down; sock.c expects the peer (not todo_wine)',
      },
    ),
    'getpeername(server)': step(
      'getpeername(server)',
      'ok(!ret); address matches',
      { ret: 0, matches: true },
      {
        expect: { ret: -1, wsa: 10057 },
        reason: 'Wine 8 answers WSAENOTCONN once both sides shut down; sock.c expects the peer (not todo_wine)',
      },
    ),
    'connect again': step('connect(client) after shutdown', 'ok(WSAGetLastError() == WSAEISCONN)', { ret: -1, wsa: 10056 }),
    'bad how': step('shutdown(client, 0xdeadbeef)', 'ok(WSAGetLastError() == WSAEINVAL)', { ret: -1, wsa: 10022 }),
    SD_BOTH: step('shutdown(client, SD_BOTH)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'recv after SD_BOTH': step('recv(client)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'send after SD_BOTH': step('send(client)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'peer recv after SD_BOTH': step('recv(server)', 'ok(!ret)', { ret: 0 }),
    'peer SD_BOTH': step('shutdown(server, SD_BOTH)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'peer recv after own SD_BOTH': step('recv(server)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'peer send after own SD_BOTH': step('send(server)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'send to closed peer': step('send(server) after the client shut down and closed', 'ok(ret == 5)', { ret: 5 }),
    'recv from closed peer': step(
      'recv(server) afterwards',
      'ok(ret == -1); todo_wine ok(WSAGetLastError() == WSAECONNABORTED)',
      { ret: -1, wsa: 10053 },
      { expect: { ret: 0 }, reason: 'todo_wine in sock.c; Wine 8 returns 0 for the reset, as in test_tcp_reset' },
    ),
    'listener SD_SEND': step('shutdown(listener, SD_SEND)', 'ok(WSAGetLastError() == WSAENOTCONN)', { ret: -1, wsa: 10057 }),
    'listener SD_RECEIVE': step('shutdown(listener, SD_RECEIVE)', 'ok(WSAGetLastError() == WSAENOTCONN)', { ret: -1, wsa: 10057 }),
    'UDP SD_RECEIVE': step('shutdown(bound UDP, SD_RECEIVE)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'UDP recvfrom after SD_RECEIVE': step('recvfrom(UDP)', 'ok(WSAGetLastError() == WSAESHUTDOWN)', ESHUTDOWN),
    'UDP sendto': step('sendto(unbound UDP client)', 'ok(ret == 5)', { ret: 5 }),
    'UDP SD_SEND': step('shutdown(UDP client, SD_SEND)', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'UDP SD_SEND again': step('shutdown(UDP client, SD_SEND) again', 'ok(!ret); ok(!WSAGetLastError())', ok0),
    'UDP sendto after SD_SEND': step('sendto(UDP client)', 'sendto after SD_SEND fails with WSAESHUTDOWN', ESHUTDOWN),
  },
  async run(w, t) {
    const check = C.checker(w, t);
    const buf = new Uint8Array(5);
    const test = Buffer.from('test\0');
    const lis = C.listener(w);
    const serverAddr = lis.addr;
    const fresh = C.sock(w);
    check('unconnected SD_SEND', () => w.shutdown(fresh, C.SD_SEND));
    check('unconnected SD_RECEIVE', () => w.shutdown(fresh, C.SD_RECEIVE));
    w.closesocket(fresh);

    let { client, server } = await C.connectPair(w, lis);
    C.nonblocking(w, client);
    C.nonblocking(w, server);
    check('SD_SEND', () => w.shutdown(client, C.SD_SEND));
    check('SD_SEND again', () => w.shutdown(client, C.SD_SEND));
    check('send after SD_SEND', () => w.send(client, test));
    await C.settle(w, server, C.POLLRDNORM);
    check('peer recv FIN', () => w.recv(server, buf));
    check('peer recv FIN again', () => w.recv(server, buf));
    check('peer SD_RECEIVE', () => w.shutdown(server, C.SD_RECEIVE));
    check('peer recv after SD_RECEIVE', () => w.recv(server, buf));
    check('peer send', () => w.send(server, test));
    await C.settle(w, client, C.POLLRDNORM);
    check(
      'recv peer data',
      () => w.recv(client, buf),
      (o) => (o.ret > 0 ? { data: Buffer.from(buf.subarray(0, o.ret)).toString() } : {}),
    );
    check('SD_RECEIVE', () => w.shutdown(client, C.SD_RECEIVE));
    check('recv after SD_RECEIVE', () => w.recv(client, buf));
    check('recv after SD_RECEIVE again', () => w.recv(client, buf));
    check('peer SD_SEND', () => w.shutdown(server, C.SD_SEND));
    check('peer send after SD_SEND', () => w.send(server, test));
    const same = (/** @type {any} */ a, /** @type {any} */ b) => a.family === b.family && a.address === b.address && a.port === b.port;
    const p1 = { family: 0, address: '', port: 0 };
    check(
      'getpeername(client)',
      () => w.getpeername(client, p1),
      () => ({ matches: same(p1, serverAddr) }),
    );
    const clientName = C.nameOf(w, client);
    const p2 = { family: 0, address: '', port: 0 };
    check(
      'getpeername(server)',
      () => w.getpeername(server, p2),
      () => ({ matches: same(p2, clientName) }),
    );
    check('connect again', () => w.connect(client, serverAddr));
    check('bad how', () => w.shutdown(client, 0xdeadbeef | 0));
    C.closeAll(w, client, server);

    ({ client, server } = await C.connectPair(w, lis));
    C.nonblocking(w, client);
    C.nonblocking(w, server);
    check('SD_BOTH', () => w.shutdown(client, 2));
    check('recv after SD_BOTH', () => w.recv(client, buf));
    check('send after SD_BOTH', () => w.send(client, test));
    await C.settle(w, server, C.POLLRDNORM);
    check('peer recv after SD_BOTH', () => w.recv(server, buf));
    check('peer SD_BOTH', () => w.shutdown(server, 2));
    check('peer recv after own SD_BOTH', () => w.recv(server, buf));
    check('peer send after own SD_BOTH', () => w.send(server, test));
    C.closeAll(w, client, server);

    ({ client, server } = await C.connectPair(w, lis));
    C.nonblocking(w, server);
    C.must(w.shutdown(client, C.SD_SEND) === 0, 'SD_SEND');
    w.closesocket(client);
    await C.settle(w, server, C.POLLRDNORM);
    check('send to closed peer', () => w.send(server, test));
    // The closed peer answers the data with a reset.
    await C.sleep(50);
    check('recv from closed peer', () => w.recv(server, buf));
    w.closesocket(server);

    check('listener SD_SEND', () => w.shutdown(lis.l, C.SD_SEND));
    check('listener SD_RECEIVE', () => w.shutdown(lis.l, C.SD_RECEIVE));
    w.closesocket(lis.l);

    const uc = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    const us = C.sock(w, C.AF_INET, C.SOCK_DGRAM);
    C.must(w.bind(us, C.LOOPBACK) === 0, 'bind UDP');
    const ua = C.nameOf(w, us);
    C.nonblocking(w, us);
    check('UDP SD_RECEIVE', () => w.shutdown(us, C.SD_RECEIVE));
    check('UDP recvfrom after SD_RECEIVE', () => w.recvfrom(us, buf, 5, 0));
    check('UDP sendto', () => w.sendto(uc, test, 5, 0, ua));
    check('UDP SD_SEND', () => w.shutdown(uc, C.SD_SEND));
    check('UDP SD_SEND again', () => w.shutdown(uc, C.SD_SEND));
    check('UDP sendto after SD_SEND', () => w.sendto(uc, test, 5, 0, ua));
    C.closeAll(w, uc, us);
  },
};
