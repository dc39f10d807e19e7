// @ts-check
// Contract scenario 'data-after-SD_RECEIVE' (see kit.js for the model).
import { POLLRDNORM, SD_RECEIVE, must, waitFor, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'data-after-SD_RECEIVE',
  title: 'data arriving after SD_RECEIVE',
  rule: 'TCP data arriving after SD_RECEIVE resets the connection',
  checks: {
    peerSend: { call: 'send(a, "late") by the peer', expect: { ret: 4, wsa: 0 } },
    peerRecv: {
      call: 'recv(a) at the peer, after the reset',
      expect: { ret: -1, wsa: 10054 },
      wine: {
        expect: { ret: -1, wsa: 10035 },
        reason: "Wine 8 does not reset: the data is buffered, so the peer's connection stays open (WSAEWOULDBLOCK)",
      },
    },
  },
  // Documented: the RST answers the data. Wine's client sends its RST only at
  // closesocket (closing with unread data), so the packet order alone cannot tell the
  // two apart here: the peer's recv does.
  packets: { client: ['RST'], server: [] },
  run: onPair(
    async (w, p, check) => {
      must(w.shutdown(p.c, SD_RECEIVE) === 0, 'shutdown(SD_RECEIVE)');
      check('peerSend', () => w.send(p.a, Buffer.from('late')));
      // Give the reset time to happen (the POSIX backend sees the data on Node's loop).
      await waitFor(w, p.a, POLLRDNORM, 500);
      check('peerRecv', () => w.recv(p.a, new Uint8Array(16)));
    },
    {
      async end(w, p) {
        w.closesocket(p.c);
        await waitFor(w, p.a, POLLRDNORM, 500);
        w.closesocket(p.a);
      },
    },
  ),
};
