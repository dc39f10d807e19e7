// @ts-check
// Contract scenario 'udp-shutdown' (see kit.js for the model).
import { SD_BOTH, checker, nameOf, mustClose, udpSocket } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'udp-shutdown',
  title: 'shutdown on an unconnected UDP socket',
  rule: 'UDP shutdown succeeds unconnected; later sends/receives fail WSAESHUTDOWN',
  checks: {
    shutdown: { call: 'shutdown(u, SD_BOTH) (not connected)', expect: { ret: 0, wsa: 0 } },
    sendto: { call: 'sendto(u, "x") afterwards', expect: { ret: -1, wsa: 10058 } },
    recvfrom: { call: 'recvfrom(u) afterwards', expect: { ret: -1, wsa: 10058 } },
  },
  async run(w, t) {
    const check = checker(w, t);
    const u = udpSocket(w);
    const self = nameOf(w, u);
    check('shutdown', () => w.shutdown(u, SD_BOTH));
    check('sendto', () => w.sendto(u, Buffer.from('x'), 1, 0, self));
    check('recvfrom', () => w.recvfrom(u, new Uint8Array(8), 8, 0));
    mustClose(w, u, 'u');
  },
};
