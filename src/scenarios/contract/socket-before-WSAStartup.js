// @ts-check
// Contract scenario 'socket-before-WSAStartup' (see kit.js for the model).
import { AF_INET, SOCK_STREAM, IPPROTO_TCP, checker } from './kit.js';

/** @type {import('./kit.js').Scenario} */
export default {
  id: 'socket-before-WSAStartup',
  title: 'socket() before WSAStartup',
  rule: 'any call before WSAStartup answers WSANOTINITIALISED',
  checks: {
    socket: { call: 'socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)', expect: { ret: -1, wsa: 10093 } },
  },
  async run(w, t) {
    // In Windows Node, ws2_32 itself would succeed (libuv started it): api.ts's own count answers.
    checker(w, t)('socket', () => w.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
  },
};
