// @ts-check
// Contract scenario 'shutdown-SD_SEND-send' (see kit.js for the model).
import { SD_SEND, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'shutdown-SD_SEND-send',
  title: 'shutdown(SD_SEND), then send',
  rule: 'send after own SD_SEND fails WSAESHUTDOWN (Linux: EPIPE + SIGPIPE)',
  checks: {
    shutdown: { call: 'shutdown(c, SD_SEND)', expect: { ret: 0, wsa: 0 } },
    sendAfter: { call: 'send(c, "x") afterwards', expect: { ret: -1, wsa: 10058 } },
    again: { call: 'shutdown(c, SD_SEND) again', expect: { ret: 0, wsa: 0 } },
  },
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(async (w, p, check) => {
    check('shutdown', () => w.shutdown(p.c, SD_SEND));
    check('sendAfter', () => w.send(p.c, Buffer.from('x')));
    check('again', () => w.shutdown(p.c, SD_SEND));
  }),
};
