// @ts-check
// Contract scenario 'linger-1-0-close' (see kit.js for the model).
import { SOL_SOCKET, SO_LINGER, mustClose, linger, onPair, recvObs } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'linger-1-0-close',
  title: 'closesocket with linger {1,0}',
  rule: 'linger {1,0}: abortive close, RST, the peer sees WSAECONNRESET',
  checks: {
    setsockopt: { call: 'setsockopt(c, SOL_SOCKET, SO_LINGER, {1,0})', expect: { ret: 0, wsa: 0 } },
    getsockopt: { call: 'getsockopt(c, SO_LINGER) reads {1,0}', expect: { ret: 0, wsa: 0, l_onoff: 1, l_linger: 0 } },
    closesocket: { call: 'closesocket(c)', expect: { ret: 0, wsa: 0 } },
    peerRecv: {
      call: 'recv(a) at the peer',
      expect: { ret: -1, wsa: 10054 },
      wine: {
        expect: { ret: 0, wsa: 0 },
        reason: "Wine 8's recv reports the peer's reset as a graceful end (0); the RST is on the wire all the same",
      },
    },
  },
  packets: { client: ['RST'], server: [] },
  run: onPair(
    async (w, p, check, t) => {
      check('setsockopt', () => w.setsockopt(p.c, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 }));
      const l = { l_onoff: -1, l_linger: -1 };
      check(
        'getsockopt',
        () => w.getsockopt(p.c, SOL_SOCKET, SO_LINGER, l),
        () => l,
      );
      check('closesocket', () => w.closesocket(p.c));
      t.observe('peerRecv', await recvObs(w, p.a));
    },
    { end: (w, p) => mustClose(w, p.a, 'a') },
  ),
};
