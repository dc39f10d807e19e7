// @ts-check
// Contract scenario 'tcp-connection' (see kit.js for the model).
import { LOOPBACK, must, emptyAddr, onPair, recvObs } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
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
};
