// @ts-check
// Contract scenario 'WSASendDisconnect-with-data' (see kit.js for the model).
import { onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'WSASendDisconnect-with-data',
  title: 'WSASendDisconnect with disconnect data on TCP',
  rule: 'disconnect data on TCP answers WSAENOPROTOOPT',
  checks: {
    withData: { call: 'WSASendDisconnect(c, "bye")', expect: { ret: -1, wsa: 10042 } },
  },
  // Nothing was sent by the refused call: the clean-up's FINs only.
  packets: { client: ['FIN'], server: ['FIN'] },
  // Wine's ws2_32, called directly, returns 0 here; api.ts answers before any
  // backend is called, so both lanes give the documented code.
  run: onPair(async (w, p, check) => {
    check('withData', () => w.WSASendDisconnect(p.c, Buffer.from('bye')));
  }),
};
