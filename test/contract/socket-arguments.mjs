// @ts-check
// Contract: socket()'s argument checks, their order and codes; type 0 takes the
// protocol's type; AF_UNSPEC with a protocol is AF_INET.
// Source: sock.c test_WSASocket (WSASocketA with no protocol info is socket()).
import { AF_INET, AF_UNSPEC, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_TYPE, checker } from './lib.mjs';

const E = { INVAL: 10022, PROTONOSUPPORT: 10043, SOCKTNOSUPPORT: 10044, AFNOSUPPORT: 10047 };

/** [name, af, type, protocol, Windows' answer: an error code, or the SO_TYPE of the socket made] */
const CASES = /** @type {const} */ ([
  ['0,0,0', AF_UNSPEC, 0, 0, { err: E.INVAL }],
  ['INET,0,0', AF_INET, 0, 0, { type: SOCK_STREAM }],
  ['INET,STREAM,0', AF_INET, SOCK_STREAM, 0, { type: SOCK_STREAM }],
  ['0,STREAM,-1', AF_UNSPEC, SOCK_STREAM, -1, { err: E.PROTONOSUPPORT }],
  ['0,-1,UDP', AF_UNSPEC, -1, IPPROTO_UDP, { err: E.SOCKTNOSUPPORT }],
  ['0,-1,0', AF_UNSPEC, -1, 0, { err: E.INVAL }],
  ['INET,-1,0', AF_INET, -1, 0, { err: E.SOCKTNOSUPPORT }],
  ['INET,0,-1', AF_INET, 0, -1, { err: E.PROTONOSUPPORT }],
  ['0,-1,-1', AF_UNSPEC, -1, -1, { err: E.SOCKTNOSUPPORT }],
  ['-1,STREAM,UDP', -1, SOCK_STREAM, IPPROTO_UDP, { err: E.AFNOSUPPORT }],
  ['INET,0,TCP', AF_INET, 0, IPPROTO_TCP, { type: SOCK_STREAM }],
  ['0,STREAM,0', AF_UNSPEC, SOCK_STREAM, 0, { err: E.INVAL }],
  ['0,0,0xdead', AF_UNSPEC, 0, 0xdead, { err: E.PROTONOSUPPORT }],
  ['INET,0xdead,0', AF_INET, 0xdead, 0, { err: E.SOCKTNOSUPPORT }],
  ['0,0xdead,0', AF_UNSPEC, 0xdead, 0, { err: E.INVAL }],
  ['0,0,TCP', AF_UNSPEC, 0, IPPROTO_TCP, { type: SOCK_STREAM }],
  ['INET,STREAM,UDP', AF_INET, SOCK_STREAM, IPPROTO_UDP, { err: E.PROTONOSUPPORT }],
  ['INET,DGRAM,TCP', AF_INET, SOCK_DGRAM, IPPROTO_TCP, { err: E.PROTONOSUPPORT }],
  ['0,0,UDP', AF_UNSPEC, 0, IPPROTO_UDP, { type: SOCK_DGRAM }],
]);

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-socket-arguments',
  title: "socket(): argument checks in Windows' order",
  rule: 'test_WSASocket',
  checks: Object.fromEntries(
    CASES.map(([name, af, type, protocol, want]) => [
      name,
      {
        call: `socket(${af}, ${type}, ${protocol})`,
        cite: 'err' in want ? `ok(WSASocketA(${name}) == INVALID_SOCKET); err == ${want.err}` : `ok(WSASocketA(${name}) != INVALID_SOCKET)`,
        expect: 'err' in want ? { ret: -1, wsa: want.err } : { ret: 0, type: want.type },
      },
    ]),
  ),
  async run(w, t) {
    const check = checker(w, t);
    for (const [name, af, type, protocol] of CASES) {
      let s = -1;
      check(
        name,
        () => ((s = w.socket(af, type, protocol)), s === -1 ? -1 : 0),
        () => {
          if (s === -1) return {};
          const v = [0];
          w.getsockopt(s, SOL_SOCKET, SO_TYPE, v);
          w.closesocket(s);
          return { type: v[0] };
        },
      );
    }
  },
};
