// @ts-check
// Contract scenario 'blocking-linger-expiry' (see kit.js for the model).
import { sleep, nonblocking, linger, resetClose, onPair, timedClose, fillUntilWouldBlock } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'blocking-linger-expiry',
  title: 'closesocket, blocking, linger {1,1}, unsent data',
  rule: 'a blocking linger {1,N} close waits at most N s, then resets',
  checks: {
    closesocket: { call: 'closesocket(c) (blocking)', expect: { ret: 0, wsa: 0, waited: { min: 800, max: 3000 } } },
  },
  packets: { client: ['RST'], server: [] },
  winePackets: {
    // The peer's RST is its own abortive clean-up, which on Windows finds the
    // connection already reset and sends nothing.
    packets: { client: [], server: ['RST'] },
    reason:
      "Wine 8 leaves the unsent data to Linux, which keeps it queued after close: no RST at expiry (nor a FIN: the peer's window is closed)",
  },
  run: onPair(
    async (w, p, check) => {
      fillUntilWouldBlock(w, p.c);
      nonblocking(w, p.c, false);
      linger(w, p.c, 1, 1);
      timedClose(w, check, p.c);
    },
    {
      // The peer ends abortively too: its RST is not the client's, and nothing waits.
      // (Under Wine the orphaned client connection then dies on the peer's RST.)
      async end(w, p) {
        await sleep(20);
        resetClose(w, p.a);
      },
    },
  ),
};
