// @ts-check
// Contract scenario 'shutdown-bad-how' (see kit.js for the model).
import { AF_INET, SOCK_STREAM, IPPROTO_TCP, SD_SEND, must, mustClose, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'shutdown-bad-how',
  title: 'shutdown(s, 3)',
  rule: 'a `how` outside 0..2 answers WSAEINVAL, checked before the socket state',
  checks: {
    connected: { call: 'shutdown(c, 3) on a connection', expect: { ret: -1, wsa: 10022 } },
    unconnected: { call: 'shutdown(u, 3) on an unconnected socket', expect: { ret: -1, wsa: 10022 } },
    notconn: { call: 'shutdown(u, SD_SEND) on an unconnected socket', expect: { ret: -1, wsa: 10057 } },
  },
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(async (w, p, check) => {
    check('connected', () => w.shutdown(p.c, 3));
    const u = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    must(u !== -1, 'socket');
    check('unconnected', () => w.shutdown(u, 3));
    check('notconn', () => w.shutdown(u, SD_SEND));
    mustClose(w, u, 'u');
  }),
};
