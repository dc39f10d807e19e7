// @ts-check
// Contract scenario 'WSASendDisconnect' (see kit.js for the model).
import { onPair, recvObs, closePeerFirst } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
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
};
