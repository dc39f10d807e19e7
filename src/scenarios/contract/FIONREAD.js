// @ts-check
// Contract scenario 'FIONREAD' (see kit.js for the model).
import { FIONREAD, must, onPair, peerSends } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'FIONREAD',
  title: 'ioctlsocket(FIONREAD)',
  rule: 'FIONREAD reports the bytes ready to read',
  checks: {
    FIONREAD: { call: 'ioctlsocket(c, FIONREAD) with 7 bytes queued', expect: { ret: 0, wsa: 0, argp: 7 } },
  },
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(async (w, p, check) => {
    await peerSends(w, p, '7 bytes');
    const argp = [0];
    check(
      'FIONREAD',
      () => w.ioctlsocket(p.c, FIONREAD, argp),
      () => ({ argp: argp[0] }),
    );
    must(w.recv(p.c, new Uint8Array(16)) === 7, 'read the data');
  }),
};
