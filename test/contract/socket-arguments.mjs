// @ts-check
// Contract: socket()'s argument checks, their order and codes; type 0 takes the
// protocol's type; AF_UNSPEC with a protocol is AF_INET.
// Source: sock.c test_WSASocket (WSASocketA with no protocol info is socket());
// both its older list of calls and its newer tests[] table.
import { AF_INET, AF_UNSPEC, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_TYPE, checker } from './lib.mjs';

const E = { INVAL: 10022, PROTONOSUPPORT: 10043, SOCKTNOSUPPORT: 10044, AFNOSUPPORT: 10047 };

/** [name, af, type, protocol, Windows' answer: an error code, or the SO_TYPE of the socket made] */
/** @type {[string, number, number, number, { err?: number, type?: number, wine?: string }][]} */
const CASES = [
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
  // The table of the newer test_WSASocket (rows it adds to the list above).
  ['0xdead,STREAM,TCP', 0xdead, SOCK_STREAM, IPPROTO_TCP, { err: E.AFNOSUPPORT }],
  ['0xdead,0xdead,TCP', 0xdead, 0xdead, IPPROTO_TCP, { err: E.SOCKTNOSUPPORT }],
  ['0xdead,STREAM,0xdead', 0xdead, SOCK_STREAM, 0xdead, { err: E.AFNOSUPPORT, wine: 'todo_wine_if (i == 7)' }],
  ['INET,0xdead,0xdead', AF_INET, 0xdead, 0xdead, { err: E.SOCKTNOSUPPORT }],
  ['0xdead,STREAM,UDP', 0xdead, SOCK_STREAM, IPPROTO_UDP, { err: E.AFNOSUPPORT }],
  ['INET,DGRAM,0', AF_INET, SOCK_DGRAM, 0, { type: SOCK_DGRAM }],
  ['INET,0,UDP', AF_INET, 0, IPPROTO_UDP, { type: SOCK_DGRAM }],
  ['0,STREAM,TCP', AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, { type: SOCK_STREAM }],
  ['0,DGRAM,0', AF_UNSPEC, SOCK_DGRAM, 0, { err: E.INVAL }],
  ['0,0xdead,UDP', AF_UNSPEC, 0xdead, IPPROTO_UDP, { err: E.SOCKTNOSUPPORT }],
];

/** @type {import('./index.mjs').Contract} */
export default {
  id: 'contract-socket-arguments',
  title: "socket(): argument checks in Windows' order",
  rule: 'test_WSASocket',
  checks: {
    'set SO_TYPE, stream': {
      call: 'setsockopt(SO_TYPE) on a stream socket',
      cite: 'ok(err == -1); ok(WSAGetLastError() == WSAENOPROTOOPT)',
      expect: { ret: -1, wsa: 10042 },
    },
    'set SO_TYPE, datagram': {
      call: 'setsockopt(SO_TYPE) on a datagram socket',
      cite: 'ok(err == -1); todo_wine ok(WSAGetLastError() == WSAEINVAL)',
      expect: { ret: -1, wsa: 10022 },
      wine: { expect: { ret: -1, wsa: 10042 }, reason: 'todo_wine in sock.c: Wine answers WSAENOPROTOOPT' },
    },
    ...Object.fromEntries(
      CASES.map(([name, af, type, protocol, want]) => [
        name,
        {
          call: `socket(${af}, ${type}, ${protocol})`,
          cite:
            want.err !== undefined
              ? `ok(WSASocketA(${name}) == INVALID_SOCKET); err == ${want.err}`
              : `ok(WSASocketA(${name}) != INVALID_SOCKET)`,
          expect: want.err !== undefined ? { ret: -1, wsa: want.err } : { ret: 0, type: want.type },
          ...(want.wine
            ? { wine: { expect: { ret: -1, wsa: E.PROTONOSUPPORT }, reason: `${want.wine} in sock.c: Wine checks the protocol first` } }
            : {}),
        },
      ]),
    ),
  },
  async run(w, t) {
    const check = checker(w, t);
    for (const [name, type] of [
      ['set SO_TYPE, stream', SOCK_STREAM],
      ['set SO_TYPE, datagram', SOCK_DGRAM],
    ]) {
      const s = w.socket(AF_INET, type, 0);
      check(/** @type {string} */ (name), () => w.setsockopt(s, SOL_SOCKET, SO_TYPE, SOCK_STREAM));
      w.closesocket(s);
    }
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
