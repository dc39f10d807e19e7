// @ts-check
// Contract scenario 'WSACleanup' (see kit.js for the model).
import { must, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'WSACleanup',
  title: 'the last WSACleanup with a connection open',
  rule: 'the last WSACleanup resets every open socket; later calls answer WSANOTINITIALISED',
  checks: {
    WSACleanup: { call: 'WSACleanup() with c and a open', expect: { ret: 0, wsa: 0 } },
    afterCleanup: { call: 'send(c, "x") afterwards', expect: { ret: -1, wsa: 10093 } },
    restart: { call: 'WSAStartup again, then closesocket(c)', expect: { ret: -1, wsa: 10038 } },
    final: { call: 'WSACleanup()', expect: { ret: 0, wsa: 0 } },
  },
  packets: { client: ['RST'], server: [] },
  run: onPair(
    async (w, p, check) => {
      // Both are in the table and both are reset, the client first (the table keeps
      // creation order); its RST reaches the peer before the peer's own reset, which
      // then finds the connection gone and sends nothing.
      check('WSACleanup', () => w.WSACleanup());
      check('afterCleanup', () => w.send(p.c, Buffer.from('x')));
      must(w.WSAStartup(0x0202, {}) === 0, 'WSAStartup again');
      check('restart', () => w.closesocket(p.c));
      check('final', () => w.WSACleanup());
    },
    // The last WSACleanup is the clean-up.
    { end: null },
  ),
};
