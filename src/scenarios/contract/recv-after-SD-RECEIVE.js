// @ts-check
// Contract scenario 'recv-after-SD_RECEIVE' (see kit.js for the model).
import { SD_RECEIVE, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'recv-after-SD_RECEIVE',
  title: 'shutdown(SD_RECEIVE), then recv',
  rule: 'recv after own SD_RECEIVE fails WSAESHUTDOWN; SD_RECEIVE sends nothing',
  checks: {
    shutdown: { call: 'shutdown(c, SD_RECEIVE)', expect: { ret: 0, wsa: 0 } },
    recvAfter: { call: 'recv(c) afterwards', expect: { ret: -1, wsa: 10058 } },
    sendStill: { call: 'send(c, "x") still works', expect: { ret: 1, wsa: 0 } },
  },
  // Only the clean-up's FINs: SD_RECEIVE itself puts nothing on the wire.
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(async (w, p, check) => {
    check('shutdown', () => w.shutdown(p.c, SD_RECEIVE));
    check('recvAfter', () => w.recv(p.c, new Uint8Array(16)));
    check('sendStill', () => w.send(p.c, Buffer.from('x')));
  }),
};
