// @ts-check
// Contract scenario 'peer-reset-repeated' (see kit.js for the model).
import { POLLRDNORM, must, mustClose, waitFor, linger, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'peer-reset-repeated',
  title: 'recv and send after the peer reset the connection',
  rule: 'after a peer reset, every recv/send answers WSAECONNRESET',
  checks: {
    recv1: {
      call: 'recv(c) after the peer closed with linger {1,0}',
      expect: { ret: -1, wsa: 10054 },
      wine: { expect: { ret: 0, wsa: 0 }, reason: "Wine 8's recv reports the reset as a graceful end (0)" },
    },
    recv2: {
      call: 'recv(c) again',
      expect: { ret: -1, wsa: 10054 },
      wine: { expect: { ret: 0, wsa: 0 }, reason: 'The same on every later recv' },
    },
    send: { call: 'send(c, "x")', expect: { ret: -1, wsa: 10054 } },
  },
  packets: { client: [], server: ['RST'] },
  run: onPair(
    async (w, p, check) => {
      linger(w, p.a, 1, 0);
      must(w.closesocket(p.a) === 0, 'peer abortive close');
      await waitFor(w, p.c, POLLRDNORM, 1000);
      check('recv1', () => w.recv(p.c, new Uint8Array(16)));
      check('recv2', () => w.recv(p.c, new Uint8Array(16)));
      check('send', () => w.send(p.c, Buffer.from('x')));
    },
    { end: (w, p) => mustClose(w, p.c, 'c') },
  ),
};
