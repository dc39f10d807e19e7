// @ts-check
// Contract scenario 'closesocket-twice' (see kit.js for the model).
import { onPair, closePeer } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'closesocket-twice',
  title: 'closesocket twice',
  rule: 'a closed handle answers WSAENOTSOCK',
  checks: {
    first: { call: 'closesocket(c)', expect: { ret: 0, wsa: 0 } },
    second: { call: 'closesocket(c) again', expect: { ret: -1, wsa: 10038 } },
    sendClosed: { call: 'send(c, "x") on the closed handle', expect: { ret: -1, wsa: 10038 } },
  },
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(
    async (w, p, check) => {
      check('first', () => w.closesocket(p.c));
      check('second', () => w.closesocket(p.c));
      check('sendClosed', () => w.send(p.c, Buffer.from('x')));
    },
    { end: closePeer },
  ),
};
