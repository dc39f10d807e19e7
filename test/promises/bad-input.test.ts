// Rule: bad input on every promise call rejects with the flat API's answer —
// WSAENOTSOCK (as a WinsockError) for a handle that is not a socket, a
// TypeError naming the argument for a wrong type — never throws
// synchronously, and touches no descriptor and no other socket.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';
import { outcome, promiseCalls, promisePair } from './helpers.js';

useWinsock();

const fdList = () => readdirSync('/proc/self/fd').sort().join(',');

async function untouched(body: () => Promise<void>): Promise<void> {
  const { client, server } = await promisePair();
  const before = fdList();
  await body();
  expect(fdList()).toBe(before);
  ok(W.send(client, Buffer.from('ok')));
  expect(await outcome(P.recv(server, Buffer.alloc(4)))).toEqual({ value: 2 });
}

describe('handles that are not sockets', () => {
  const closed = () => {
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.closesocket(s));
    return s;
  };
  for (const [label, make] of [
    ['0', () => 0],
    ['1 (stdout fd)', () => 1],
    ['-5', () => -5],
    ['2**40', () => 2 ** 40],
    ['NaN', () => NaN],
    ['INVALID_SOCKET', () => W.INVALID_SOCKET],
    ['a closed handle', closed],
  ] as Array<[string, () => number]>) {
    it(`${label}: every promise call rejects with WSAENOTSOCK naming itself`, async () => {
      await untouched(async () => {
        const h = make();
        for (const [name, call] of promiseCalls(h)) {
          let p: Promise<unknown> | undefined;
          expect(() => (p = call()), name).not.toThrow();
          // gracefulClose starts with its shutdown(SD_SEND): that is the call that fails.
          const syscall = name === 'gracefulClose' ? 'shutdown' : name;
          expect(await outcome(p!), name).toEqual({ code: 'WSAENOTSOCK', syscall });
        }
      });
    });
  }
});

describe('arguments of the wrong type reject with a TypeError naming them', () => {
  it('a handle that is not a number', async () => {
    await untouched(async () => {
      for (const v of ['5', null, undefined, 5n, {}]) {
        for (const [name, call] of promiseCalls(v as unknown as number)) {
          expect(await outcome(call()), `${name}(${String(v)})`).toMatchObject({ error: expect.stringMatching(/^TypeError: .*\bs\b/) });
        }
      }
    });
  });

  it('buffers, lengths, flags, addresses, options', async () => {
    const { client, server } = await promisePair();
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['recv buf', () => P.recv(server, 'text' as unknown as Buffer), /buf/],
      ['send buf', () => P.send(client, null as unknown as Buffer), /buf/],
      ['recv len', () => P.recv(server, Buffer.alloc(4), '4' as unknown as number), /len/],
      ['send flags', () => P.send(client, Buffer.alloc(4), 4, '0' as unknown as number), /flags/],
      ['connect addr', () => P.connect(client, { family: W.AF_INET } as SockAddr), /addr/],
      ['sendto addr', () => P.sendto(client, Buffer.alloc(1), 1, 0, null as unknown as SockAddr), /addr/],
      ['recvfrom addrOut', () => P.recvfrom(server, Buffer.alloc(1), 1, 0, 7 as unknown as SockAddr), /addrOut|address/],
      ['options', () => P.recv(server, Buffer.alloc(1), 1, 0, 'x' as never), /options/],
      ['options.signal', () => P.recv(server, Buffer.alloc(1), 1, 0, { signal: {} as AbortSignal }), /signal/],
      ['WSAPoll fds', () => P.WSAPoll({} as never, 0), /fds/],
      ['WSAPoll timeout', () => P.WSAPoll([], 'soon' as unknown as number), /timeout/],
      ['gracefulClose timeoutMs', () => P.gracefulClose(server, { timeoutMs: '1' as unknown as number }), /timeoutMs/],
    ];
    for (const [label, call, names] of cases) {
      const o = (await outcome(call())) as { error?: string };
      expect(o.error, label).toMatch(/^TypeError: /);
      expect(o.error, label).toMatch(names);
    }
    expect(await outcome(P.gracefulClose(server, { timeoutMs: -1 }))).toMatchObject({
      error: expect.stringMatching(/^RangeError: .*timeoutMs/),
    });
  });

  it('values Winsock rejects get its WSA code, as from the flat call', async () => {
    const { client, server } = await promisePair();
    expect(await outcome(P.recv(server, Buffer.alloc(4), 5))).toEqual({ code: 'WSAEFAULT', syscall: 'recv' });
    expect(await outcome(P.send(client, Buffer.alloc(4), -1))).toEqual({ code: 'WSAEFAULT', syscall: 'send' });
    expect(await outcome(P.WSAPoll([{ fd: server, events: W.POLLPRI, revents: 0 }], 0))).toEqual({ code: 'WSAEINVAL', syscall: 'WSAPoll' });
    expect(await outcome(P.WSAPoll([{ fd: server, events: W.POLLRDNORM, revents: 0 }], 1.5))).toEqual({
      code: 'WSAEINVAL',
      syscall: 'WSAPoll',
    });
    expect(await outcome(P.accept(client))).toEqual({ code: 'WSAEINVAL', syscall: 'accept' });
  });
});

it('before WSAStartup: WSANOTINITIALISED', async () => {
  const { server } = await promisePair();
  ok(W.WSACleanup()); // the file's reference: no other is held
  try {
    expect(await outcome(P.recv(server, Buffer.alloc(4)))).toEqual({ code: 'WSANOTINITIALISED', syscall: 'recv' });
    expect(await outcome(P.WSAPoll([{ fd: server, events: W.POLLRDNORM, revents: 0 }], 0))).toEqual({
      code: 'WSANOTINITIALISED',
      syscall: 'WSAPoll',
    });
  } finally {
    ok(W.WSAStartup(W.MAKEWORD(2, 2)));
  }
});
