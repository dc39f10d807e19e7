// @ts-check
// Contract scenario 'tcp-connection-ipv6' (see kit.js for the model).
import { AF_INET6, LOOPBACK6, emptyAddr, onPair, recvObs } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
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
};
