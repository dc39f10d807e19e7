// @ts-check
// Contract scenario 'SD_BOTH-unread-data' (see kit.js for the model).
import { POLLRDNORM, SD_BOTH, sleep, waitFor, onPair, peerSends } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'SD_BOTH-unread-data',
  title: 'shutdown(SD_BOTH) with unread data',
  rule: 'SD_BOTH with received data unread resets the connection',
  checks: {
    shutdown: { call: 'shutdown(c, SD_BOTH) with 4 bytes unread', expect: { ret: 0, wsa: 0 } },
    peerRecv: {
      call: 'recv(a) at the peer',
      expect: { ret: -1, wsa: 10054 },
      wine: { expect: { ret: 0, wsa: 0 }, reason: 'Wine 8 sends FIN (a graceful end) instead of resetting' },
    },
  },
  packets: { client: ['RST'], server: [] },
  winePackets: {
    // The peer's FIN then completes the close (TIME_WAIT), so the client's later
    // closesocket finds nothing to reset although the 4 bytes were never read.
    packets: { client: ['FIN'], server: ['FIN'] },
    reason: 'Wine 8 shuts down with FIN (SHUT_RDWR), a graceful end, instead of resetting',
  },
  run: onPair(
    async (w, p, check) => {
      await peerSends(w, p, 'data');
      check('shutdown', () => w.shutdown(p.c, SD_BOTH));
      await waitFor(w, p.a, POLLRDNORM, 500);
      check('peerRecv', () => w.recv(p.a, new Uint8Array(16)));
    },
    {
      // The peer closes first, after seeing the client's end (a FIN under Wine).
      async end(w, p) {
        w.closesocket(p.a);
        await sleep(20);
        w.closesocket(p.c);
      },
    },
  ),
};
