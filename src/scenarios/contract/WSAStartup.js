// @ts-check
// Contract scenario 'WSAStartup' (see kit.js for the model).

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'WSAStartup',
  title: 'WSAStartup(2.2)',
  rule: 'WSAStartup returns 0 and grants version 2.2',
  checks: {
    WSAStartup: { call: 'WSAStartup(MAKEWORD(2,2), data)', expect: { ret: 0, wVersion: 0x0202 } },
  },
  async run(w, t) {
    const data = /** @type {any} */ ({});
    const ret = w.WSAStartup(0x0202, data);
    t.observe('WSAStartup', { ret, wsa: 0, wVersion: data.wVersion });
  },
};
