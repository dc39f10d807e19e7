// @ts-check
// Contract scenario 'nonblocking-connect' (see kit.js for the model).
import { AF_INET, SOCK_STREAM, IPPROTO_TCP, POLLWRNORM, LOOPBACK, checker, waitFor, nonblocking, resetClose, listener } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'nonblocking-connect',
  title: 'connect on a nonblocking socket',
  rule: 'a nonblocking connect in progress answers WSAEWOULDBLOCK (Linux: EINPROGRESS)',
  checks: {
    connect: { call: 'connect(c) nonblocking', expect: { ret: -1, wsa: 10035 } },
    writable: { call: 'WSAPoll(c, POLLWRNORM) once connected', expect: { ret: 1, wsa: 0, revents: POLLWRNORM } },
  },
  async run(w, t) {
    const check = checker(w, t);
    const { l, la } = listener(w);
    const c = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    nonblocking(w, c);
    check('connect', () => w.connect(c, { family: AF_INET, address: LOOPBACK, port: la.port }));
    await waitFor(w, c, POLLWRNORM, 1000);
    const fds = [{ fd: c, events: POLLWRNORM, revents: 0 }];
    check(
      'writable',
      () => w.WSAPoll(fds, 0),
      () => ({ revents: fds[0].revents }),
    );
    for (const s of [c, l]) resetClose(w, s);
  },
};
