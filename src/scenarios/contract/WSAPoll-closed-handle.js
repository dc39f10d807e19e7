// @ts-check
// Contract scenario 'WSAPoll-closed-handle' (see kit.js for the model).
import { AF_INET, SOCK_STREAM, IPPROTO_TCP, POLLNVAL, POLLRDNORM, POLLWRNORM, must, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'WSAPoll-closed-handle',
  title: 'WSAPoll with a closed handle among live ones',
  // sock.c test_WSAPoll (checked on Windows): an entry that is not a socket is
  // POLLNVAL and is not counted (Microsoft's page suggested it counts; sock.c wins).
  rule: 'a closed SOCKET in WSAPoll gets POLLNVAL and is not counted',
  checks: {
    WSAPoll: {
      call: 'WSAPoll([c: POLLWRNORM, closed: POLLRDNORM], 1000)',
      expect: { ret: 1, wsa: 0, live: POLLWRNORM, closed: POLLNVAL },
    },
  },
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(async (w, p, check) => {
    const gone = w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    must(gone !== -1 && w.closesocket(gone) === 0, 'a closed handle');
    const fds = [
      { fd: p.c, events: POLLWRNORM, revents: 0 },
      { fd: gone, events: POLLRDNORM, revents: 0 },
    ];
    check(
      'WSAPoll',
      () => w.WSAPoll(fds, 1000),
      () => ({ live: fds[0].revents, closed: fds[1].revents }),
    );
  }),
};
