// @ts-check
// Contract scenario 'listen-unbound' (see kit.js for the model).
import { AF_INET, SOCK_STREAM, IPPROTO_TCP, checker, must, mustClose } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'listen-unbound',
  title: 'listen on an unbound socket',
  rule: 'listen before bind answers WSAEINVAL (Linux would bind a port itself)',
  checks: {
    listen: { call: 'listen(u, SOMAXCONN) before bind', expect: { ret: -1, wsa: 10022 } },
  },
  async run(w, t) {
    const u = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    must(u !== -1, 'socket');
    checker(w, t)('listen', () => w.listen(u, 0x7fffffff));
    mustClose(w, u, 'u');
  },
};
