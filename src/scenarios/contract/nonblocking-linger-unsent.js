// @ts-check
// Contract scenario 'nonblocking-linger-unsent' (see kit.js for the model).
import { SOL_SOCKET, SO_LINGER, nonblocking, linger, resetClose, onPair, timedClose, fillUntilWouldBlock } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'nonblocking-linger-unsent',
  title: 'closesocket, nonblocking, linger {1,1}, unsent data',
  rule: 'a nonblocking socket with linger {1,N} and unsent data fails WSAEWOULDBLOCK and stays open',
  checks: {
    closesocket: {
      call: 'closesocket(c), returning at once',
      // "at once": well under the 1 s linger, so the thread was never parked.
      expect: { ret: -1, wsa: 10035, waited: { max: 300 } },
      wine: {
        expect: { ret: 0, wsa: 0, waited: { min: 800, max: 3000 } },
        reason: "Wine 8 has no WSAEWOULDBLOCK rule: Linux's close() with SO_LINGER blocks the thread for the linger time, then returns 0",
      },
    },
    stillOpen: {
      call: 'getsockopt(c, SO_LINGER) afterwards (handle still valid)',
      expect: { ret: 0, wsa: 0 },
      wine: { expect: { ret: -1, wsa: 10038 }, reason: 'The handle was freed by the close above' },
    },
  },
  run: onPair(
    async (w, p, check) => {
      fillUntilWouldBlock(w, p.c);
      linger(w, p.c, 1, 1);
      timedClose(w, check, p.c);
      check('stillOpen', () => w.getsockopt(p.c, SOL_SOCKET, SO_LINGER, { l_onoff: 0, l_linger: 0 }));
    },
    // Clean-up without waiting: abortive on both ends.
    { end: (w, p) => [p.c, p.a].forEach((s) => resetClose(w, s)) },
  ),
};
