// Rule: bad input gets Winsock's error (WSAENOTSOCK, WSAEFAULT, WSAEINVAL,
// WSAENOPROTOOPT, WSAEAFNOSUPPORT, ...) or a clear TypeError/RangeError, and
// never touches another descriptor: no fd is opened or closed, and an
// unrelated open socket keeps working.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';
import { handleCalls, lastErrorOf, LOOPBACK4, ok, observe, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

const fdList = () => readdirSync('/proc/self/fd').sort().join(',');

/** An unrelated connected pair that every test checks still works afterwards. */
let bystander: { client: SOCKET; server: SOCKET; listener: SOCKET };

beforeAll(() => {
  bystander = tcpPair();
});

afterAll(() => {
  // The bystander still talks after everything above. (Descriptors are compared
  // around each test body by untouched(): between tests vitest itself may open files.)
  expect(W.send(bystander.client, Buffer.from('still here'))).toBe(10);
  expect(observe(bystander.server)).toEqual({ bytes: 'still here' });
  for (const s of [bystander.client, bystander.server, bystander.listener]) ok(W.closesocket(s));
});

/** Runs `body` and checks the process's descriptors are the same after it, and the bystander works. */
function untouched(body: () => void): void {
  const before = fdList();
  body();
  expect(fdList()).toBe(before);
  const msg = Buffer.from('ping');
  expect(W.send(bystander.client, msg)).toBe(4);
  expect(observe(bystander.server)).toEqual({ bytes: 'ping' });
}

const addr: SockAddr = { family: W.AF_INET, address: '127.0.0.1', port: 9 };

describe('handles never issued', () => {
  const closed = (): SOCKET => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    ok(W.closesocket(s));
    return s;
  };
  const cases: Array<[string, () => number]> = [
    ['0', () => 0],
    ['1 (stdout fd)', () => 1],
    ['2 (stderr fd)', () => 2],
    ['-5', () => -5],
    ['2**40', () => 2 ** 40],
    ['NaN', () => NaN],
    ['INVALID_SOCKET', () => W.INVALID_SOCKET],
    ['1.5', () => 1.5],
    ['a closed handle', closed],
  ];
  for (const [label, make] of cases) {
    it(`${label}: every handle-taking call answers SOCKET_ERROR/INVALID_SOCKET + WSAENOTSOCK`, () => {
      untouched(() => {
        const h = make();
        const got: Record<string, [number, number]> = {};
        const want: Record<string, [number, number]> = {};
        for (const [name, call] of handleCalls(h)) {
          W.WSASetLastError(0);
          got[name] = [call(), W.WSAGetLastError()];
          want[name] = [-1, W.WSA.WSAENOTSOCK];
        }
        expect(got).toEqual(want);
      });
    });
  }

  it('the raw fd behind the bystander is not a handle either', () => {
    // Whatever small number the kernel gave our sockets, only issued handles work.
    untouched(() => {
      for (const fd of readdirSync('/proc/self/fd').map(Number)) {
        if (fd >= 0x1000) continue; // the library's handles start at 0x1000
        W.WSASetLastError(0);
        expect(W.getsockopt(fd, W.SOL_SOCKET, W.SO_TYPE, []), `fd ${fd}`).toBe(W.SOCKET_ERROR);
        expect(W.WSAGetLastError(), `fd ${fd}`).toBe(W.WSA.WSAENOTSOCK);
        expect(W.shutdown(fd, W.SD_BOTH), `fd ${fd}`).toBe(W.SOCKET_ERROR);
        expect(W.closesocket(fd), `fd ${fd}`).toBe(W.SOCKET_ERROR);
        expect(W.WSAGetLastError(), `fd ${fd}`).toBe(W.WSA.WSAENOTSOCK);
      }
    });
  });
});

describe('a handle that is not a number', () => {
  const bad: unknown[] = ['4096', 4096n, null, undefined, {}, [4096], true];
  for (const v of bad) {
    it(`${typeof v} ${String(v)}: TypeError on every handle-taking call`, () => {
      untouched(() => {
        for (const [name, call] of handleCalls(v as number)) {
          expect(call, name).toThrow(TypeError);
          expect(call, name).toThrow(/must be a SOCKET/);
        }
      });
    });
  }
});

describe('buffers', () => {
  it('len longer than the buffer: WSAEFAULT on send/recv/sendto/recvfrom, nothing sent', () => {
    untouched(() => {
      const { client, server } = bystander;
      const b = Buffer.alloc(8);
      expect(lastErrorOf(W.send(client, b, 9))).toBe(W.WSA.WSAEFAULT);
      expect(lastErrorOf(W.recv(server, b, 9))).toBe(W.WSA.WSAEFAULT);
      expect(lastErrorOf(W.send(client, b, -1))).toBe(W.WSA.WSAEFAULT);
      expect(lastErrorOf(W.send(client, b, 2.5))).toBe(W.WSA.WSAEFAULT);
      expect(lastErrorOf(W.sendto(client, b, 100, 0, addr))).toBe(W.WSA.WSAEFAULT);
      expect(lastErrorOf(W.recvfrom(server, b, 100, 0))).toBe(W.WSA.WSAEFAULT);
      // Nothing reached the peer: a readable check with a short timeout sees nothing.
      const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
      expect(W.WSAPoll(fds, 50)).toBe(0);
    });
  });

  it('a UDP socket: len longer than the buffer is WSAEFAULT too', () => {
    untouched(() => {
      const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
      ok(W.bind(u, LOOPBACK4));
      const b = Buffer.alloc(4);
      expect(lastErrorOf(W.sendto(u, b, 5, 0, { ...addr }))).toBe(W.WSA.WSAEFAULT);
      expect(lastErrorOf(W.recvfrom(u, b, 5, 0, {} as SockAddr))).toBe(W.WSA.WSAEFAULT);
      ok(W.closesocket(u));
    });
  });

  it('a Uint8Array is a buffer; a len of 0 sends nothing and succeeds', () => {
    untouched(() => {
      expect(W.send(bystander.client, new Uint8Array(4), 0)).toBe(0);
    });
  });

  it('a non-buffer is a TypeError naming buf', () => {
    untouched(() => {
      const { client, server } = bystander;
      for (const v of ['text', [1, 2, 3], new ArrayBuffer(4), null, 42, { length: 4 }]) {
        expect(() => W.send(client, v as unknown as Buffer), `send ${String(v)}`).toThrow(TypeError);
        expect(() => W.send(client, v as unknown as Buffer), `send ${String(v)}`).toThrow(/buf/);
        expect(() => W.recv(server, v as unknown as Buffer), `recv ${String(v)}`).toThrow(TypeError);
        expect(() => W.sendto(client, v as unknown as Buffer, 1, 0, addr)).toThrow(TypeError);
        expect(() => W.recvfrom(server, v as unknown as Buffer, 1, 0)).toThrow(TypeError);
      }
    });
  });

  it('a non-number len or flags is a TypeError', () => {
    untouched(() => {
      expect(() => W.send(bystander.client, Buffer.alloc(1), '1' as unknown as number)).toThrow(TypeError);
      expect(() => W.send(bystander.client, Buffer.alloc(1), 1, '0' as unknown as number)).toThrow(TypeError);
    });
  });
});

describe('SockAddr', () => {
  const bad: Array<[string, unknown, RegExp, typeof TypeError | typeof RangeError]> = [
    ['null', null, /addr must be a SockAddr/, TypeError],
    ['a string', '127.0.0.1:80', /addr must be a SockAddr/, TypeError],
    ['family missing', { address: '127.0.0.1', port: 1 }, /addr\.family/, TypeError],
    ['family a string', { family: 'AF_INET', address: '127.0.0.1', port: 1 }, /addr\.family/, TypeError],
    ['address missing', { family: W.AF_INET, port: 1 }, /addr\.address/, TypeError],
    ['address not IPv4', { family: W.AF_INET, address: '::1', port: 1 }, /addr\.address/, TypeError],
    ['address not IPv6', { family: W.AF_INET6, address: '127.0.0.1', port: 1 }, /addr\.address/, TypeError],
    ['address a hostname', { family: W.AF_INET, address: 'localhost', port: 1 }, /addr\.address/, TypeError],
    ['port missing', { family: W.AF_INET, address: '127.0.0.1' }, /addr\.port/, RangeError],
    ['port 65536', { family: W.AF_INET, address: '127.0.0.1', port: 65536 }, /addr\.port/, RangeError],
    ['port -1', { family: W.AF_INET, address: '127.0.0.1', port: -1 }, /addr\.port/, RangeError],
    ['port 1.5', { family: W.AF_INET, address: '127.0.0.1', port: 1.5 }, /addr\.port/, RangeError],
  ];
  for (const [label, value, message, kind] of bad) {
    it(`${label}: bind/connect/sendto throw ${kind.name} naming the field`, () => {
      untouched(() => {
        const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
        const u = ok(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP));
        for (const call of [
          () => W.bind(s, value as SockAddr),
          () => W.connect(s, value as SockAddr),
          () => W.sendto(u, Buffer.alloc(1), 1, 0, value as SockAddr),
        ]) {
          expect(call).toThrow(kind);
          expect(call).toThrow(message);
        }
        // The socket is still unbound and usable.
        ok(W.bind(s, LOOPBACK4));
        ok(W.closesocket(s));
        ok(W.closesocket(u));
      });
    });
  }

  it('an output address that is not an object is a TypeError', () => {
    untouched(() => {
      const { client, listener } = bystander;
      for (const v of [null, 'x', 1, [] as unknown]) {
        expect(() => W.getsockname(client, v as SockAddr)).toThrow(TypeError);
        expect(() => W.getpeername(client, v as SockAddr)).toThrow(TypeError);
        expect(() => W.accept(listener, v as SockAddr)).toThrow(TypeError);
        expect(() => W.recvfrom(client, Buffer.alloc(1), 1, 0, v as SockAddr)).toThrow(TypeError);
      }
    });
  });
});

describe('socket options', () => {
  it('an unknown level is WSAEINVAL (set and get)', () => {
    untouched(() => {
      const s = bystander.client;
      for (const level of [0x1234, -1, 2]) {
        expect(lastErrorOf(W.setsockopt(s, level, W.SO_KEEPALIVE, 1)), `level ${level}`).toBe(W.WSA.WSAEINVAL);
        expect(lastErrorOf(W.getsockopt(s, level, W.SO_KEEPALIVE, [])), `level ${level}`).toBe(W.WSA.WSAEINVAL);
      }
    });
  });

  it('an unknown option at a known level is WSAENOPROTOOPT (set and get)', () => {
    untouched(() => {
      const s = bystander.client;
      for (const [level, name] of [
        [W.SOL_SOCKET, 0x7777],
        [W.SOL_SOCKET, 13], // Linux's SO_LINGER number: not Winsock's
        [W.IPPROTO_TCP, 0x55],
        [W.IPPROTO_IPV6, 26], // Linux's IPV6_V6ONLY number: Winsock's is 27
      ] as const) {
        expect(lastErrorOf(W.setsockopt(s, level, name, 1)), `${level}:${name}`).toBe(W.WSA.WSAENOPROTOOPT);
        expect(lastErrorOf(W.getsockopt(s, level, name, [])), `${level}:${name}`).toBe(W.WSA.WSAENOPROTOOPT);
      }
    });
  });

  it('a linger outside 0..65535 or not an integer is WSAEINVAL and leaves the linger as it was', () => {
    untouched(() => {
      const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
      ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 7 }));
      for (const lg of [
        { l_onoff: 1, l_linger: 65536 },
        { l_onoff: 1, l_linger: -1 },
        { l_onoff: 65536, l_linger: 0 },
        { l_onoff: -1, l_linger: 0 },
        { l_onoff: 1, l_linger: 1.5 },
        { l_onoff: 1, l_linger: NaN },
        { l_onoff: 1, l_linger: Infinity },
      ]) {
        expect(lastErrorOf(W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, lg)), JSON.stringify(lg)).toBe(W.WSA.WSAEINVAL);
      }
      const got = { l_onoff: -1, l_linger: -1 };
      ok(W.getsockopt(s, W.SOL_SOCKET, W.SO_LINGER, got));
      expect(got).toEqual({ l_onoff: 1, l_linger: 7 });
      // The edges are accepted.
      ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 65535, l_linger: 65535 }));
      ok(W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 0, l_linger: 0 }));
      ok(W.closesocket(s));
    });
  });

  it('a value of the wrong type is a TypeError', () => {
    untouched(() => {
      const s = bystander.client;
      expect(() => W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, 1)).toThrow(TypeError);
      expect(() => W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, null as never)).toThrow(TypeError);
      expect(() => W.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: '1', l_linger: 0 } as never)).toThrow(TypeError);
      expect(() => W.setsockopt(s, W.SOL_SOCKET, W.SO_KEEPALIVE, 'yes' as never)).toThrow(TypeError);
      expect(() => W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, { l_onoff: 1, l_linger: 1 })).toThrow(TypeError);
      expect(() => W.getsockopt(s, W.SOL_SOCKET, W.SO_LINGER, 5 as never)).toThrow(TypeError);
      expect(() => W.getsockopt(s, W.SOL_SOCKET, W.SO_TYPE, { l_onoff: 0, l_linger: 0 })).toThrow(TypeError);
      expect(() => W.setsockopt(s, 'SOL_SOCKET' as never, W.SO_KEEPALIVE, 1)).toThrow(TypeError);
      expect(() => W.setsockopt(s, W.SOL_SOCKET, 'SO_KEEPALIVE' as never, 1)).toThrow(TypeError);
    });
  });

  it('a numeric value that C cannot express (non-integer, out of int/DWORD range) is WSAEINVAL', () => {
    untouched(() => {
      const s = bystander.client;
      for (const v of [1.5, NaN, 2 ** 32, -(2 ** 31) - 1]) {
        expect(lastErrorOf(W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, v)), String(v)).toBe(W.WSA.WSAEINVAL);
      }
    });
  });
});

describe('socket() arguments', () => {
  // AF_UNSPEC and type 0 are valid on Windows (sock.c test_WSASocket): see test/contract/socket-arguments.
  it('an unsupported address family is WSAEAFNOSUPPORT', () => {
    untouched(() => {
      for (const af of [10 /* Linux's AF_INET6 */, 1, 999, -1]) {
        W.WSASetLastError(0);
        expect(W.socket(af, W.SOCK_STREAM, 0), `af ${af}`).toBe(W.INVALID_SOCKET);
        expect(W.WSAGetLastError(), `af ${af}`).toBe(W.WSA.WSAEAFNOSUPPORT);
      }
    });
  });

  it('an unsupported type is WSAESOCKTNOSUPPORT', () => {
    untouched(() => {
      for (const type of [5, 99, -1]) {
        W.WSASetLastError(0);
        expect(W.socket(W.AF_INET, type, 0), `type ${type}`).toBe(W.INVALID_SOCKET);
        expect(W.WSAGetLastError(), `type ${type}`).toBe(W.WSA.WSAESOCKTNOSUPPORT);
      }
    });
  });

  it('a protocol that does not fit the type is WSAEPROTONOSUPPORT', () => {
    untouched(() => {
      for (const [type, proto] of [
        [W.SOCK_STREAM, W.IPPROTO_UDP],
        [W.SOCK_DGRAM, W.IPPROTO_TCP],
        [W.SOCK_STREAM, 255],
        [W.SOCK_DGRAM, -1],
      ] as const) {
        W.WSASetLastError(0);
        expect(W.socket(W.AF_INET, type, proto), `${type}/${proto}`).toBe(W.INVALID_SOCKET);
        expect(W.WSAGetLastError(), `${type}/${proto}`).toBe(W.WSA.WSAEPROTONOSUPPORT);
      }
    });
  });

  it('non-number arguments are TypeErrors', () => {
    untouched(() => {
      expect(() => W.socket('AF_INET' as never, W.SOCK_STREAM, 0)).toThrow(TypeError);
      expect(() => W.socket(W.AF_INET, undefined as never, 0)).toThrow(TypeError);
      expect(() => W.socket(W.AF_INET, W.SOCK_STREAM, null as never)).toThrow(TypeError);
    });
  });
});

describe('other arguments', () => {
  it('shutdown how outside 0..2 is WSAEINVAL; a non-number how is a TypeError', () => {
    untouched(() => {
      for (const how of [3, -1, 0.5, 100]) {
        expect(lastErrorOf(W.shutdown(bystander.client, how)), `how ${how}`).toBe(W.WSA.WSAEINVAL);
      }
      expect(() => W.shutdown(bystander.client, 'SD_SEND' as never)).toThrow(TypeError);
    });
  });

  it('ioctlsocket: an unknown command is WSAEINVAL; argp not an array, or FIONBIO without a number, is a TypeError', () => {
    untouched(() => {
      expect(lastErrorOf(W.ioctlsocket(bystander.client, 0x1234, [0]))).toBe(W.WSA.WSAEINVAL);
      expect(lastErrorOf(W.ioctlsocket(bystander.client, 0x5421 /* Linux FIONBIO */, [0]))).toBe(W.WSA.WSAEINVAL);
      expect(() => W.ioctlsocket(bystander.client, W.FIONBIO, 1 as never)).toThrow(TypeError);
      expect(() => W.ioctlsocket(bystander.client, W.FIONBIO, [])).toThrow(TypeError);
      expect(() => W.ioctlsocket(bystander.client, W.FIONBIO, ['1'] as never)).toThrow(TypeError);
    });
  });

  it('listen with a non-number backlog is a TypeError; a non-integer one is WSAEINVAL', () => {
    untouched(() => {
      const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
      ok(W.bind(s, LOOPBACK4));
      expect(() => W.listen(s, '5' as never)).toThrow(TypeError);
      expect(lastErrorOf(W.listen(s, 2.5))).toBe(W.WSA.WSAEINVAL);
      ok(W.closesocket(s));
    });
  });

  it('disconnect data on WSASendDisconnect/WSARecvDisconnect is WSAENOPROTOOPT; a non-buffer is a TypeError', () => {
    untouched(() => {
      const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
      expect(lastErrorOf(W.WSASendDisconnect(s, Buffer.from('bye')))).toBe(W.WSA.WSAENOPROTOOPT);
      expect(lastErrorOf(W.WSARecvDisconnect(s, Buffer.from('bye')))).toBe(W.WSA.WSAENOPROTOOPT);
      expect(() => W.WSASendDisconnect(s, 'bye' as never)).toThrow(TypeError);
      ok(W.closesocket(s));
    });
  });
});
