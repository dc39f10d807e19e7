// Rule: winsock-compat/promises has awaitable getaddrinfo/getnameinfo with the
// flat calls' arguments: they resolve with what the flat call fills in, and a
// failure rejects with a WinsockError carrying the code the flat call returns.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { useWinsock } from '../helpers.js';

useWinsock();

it('getaddrinfo resolves with the same list the flat call gives, and fills res', async () => {
  const hints = { ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM, ai_protocol: W.IPPROTO_TCP, ai_flags: W.AI_NUMERICHOST };
  const flat: W.addrinfo[] = [];
  expect(W.getaddrinfo('127.0.0.1', '8080', hints, flat)).toBe(0);
  const res: W.addrinfo[] = [];
  const list = await P.getaddrinfo('127.0.0.1', '8080', hints, res);
  expect(list.map((a) => a.ai_addr)).toEqual(flat.map((a) => a.ai_addr));
  expect(list[0]!.ai_addr).toEqual({ family: W.AF_INET, address: '127.0.0.1', port: 8080 });
  expect(res.length).toBe(list.length);
});

it('a failure rejects with the WinsockError of the code the flat call returns', async () => {
  const hints = { ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM, ai_protocol: 0, ai_flags: W.AI_NUMERICHOST };
  const code = W.getaddrinfo('not-a-number', null, hints, []);
  expect(code).not.toBe(0);
  const err = await P.getaddrinfo('not-a-number', null, hints).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(W.WinsockError);
  expect(err).toMatchObject({ errno: code, syscall: 'getaddrinfo' });
});

it('getnameinfo resolves with the numeric host and service', async () => {
  const host: string[] = [];
  const serv: string[] = [];
  const r = await P.getnameinfo(
    { family: W.AF_INET, address: '127.0.0.1', port: 80 },
    host,
    W.NI_MAXHOST,
    serv,
    W.NI_MAXSERV,
    W.NI_NUMERICHOST | W.NI_NUMERICSERV,
  );
  expect(r).toEqual({ host: '127.0.0.1', serv: '80' });
  expect([host[0], serv[0]]).toEqual(['127.0.0.1', '80']);
});
