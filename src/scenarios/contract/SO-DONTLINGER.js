// @ts-check
// Contract scenario 'SO_DONTLINGER' (see kit.js for the model).
import { SOL_SOCKET, SO_LINGER, SO_DONTLINGER, linger, onPair } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'SO_DONTLINGER',
  title: 'SO_DONTLINGER after linger {1,0}',
  rule: 'SO_DONTLINGER TRUE sets l_onoff = 0: closesocket is graceful again',
  checks: {
    setsockopt: { call: 'setsockopt(c, SO_DONTLINGER, TRUE)', expect: { ret: 0, wsa: 0 } },
    getsockopt: { call: 'getsockopt(c, SO_LINGER)', expect: { ret: 0, wsa: 0, l_onoff: 0 } },
    dontlinger: { call: 'getsockopt(c, SO_DONTLINGER)', expect: { ret: 0, wsa: 0, value: 1 } },
  },
  // A FIN, not the RST that linger {1,0} would have sent.
  packets: { client: ['FIN'], server: ['FIN'] },
  run: onPair(async (w, p, check) => {
    linger(w, p.c, 1, 0);
    check('setsockopt', () => w.setsockopt(p.c, SOL_SOCKET, SO_DONTLINGER, true));
    const l = { l_onoff: -1, l_linger: -1 };
    check(
      'getsockopt',
      () => w.getsockopt(p.c, SOL_SOCKET, SO_LINGER, l),
      () => ({ l_onoff: l.l_onoff }),
    );
    const v = [-1];
    check(
      'dontlinger',
      () => w.getsockopt(p.c, SOL_SOCKET, SO_DONTLINGER, v),
      () => ({ value: v[0] }),
    );
  }),
};
