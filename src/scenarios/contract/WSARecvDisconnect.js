// @ts-check
// Contract scenario 'WSARecvDisconnect' (see kit.js for the model).
import { SD_RECEIVE, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
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
};
