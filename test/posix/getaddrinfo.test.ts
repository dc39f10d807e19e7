// Rule: getaddrinfo returns Winsock's codes (EAI_* are WSA codes on Windows)
// and sets WSAGetLastError to the same value (0 on success); results carry
// SockAddr addresses with Winsock's family numbers and echo the hints'
// socktype/protocol. Expectations from Wine's dlls/ws2_32/tests/protocol.c
// (test_getaddrinfo, test_GetAddrInfoW and their hinttests table, which pass
// on Windows) and Microsoft's getaddrinfo page. Only localhost, numeric and
// /etc/hosts names are resolved: no test needs the network.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { addrinfo } from '../../src/index.js';
import { ok, useWinsock } from '../helpers.js';

useWinsock();

function gai(
  node: string | null,
  service: string | null,
  hints: W.AddrInfoHints | null = null,
): { rc: number; last: number; res: addrinfo[] } {
  const res: addrinfo[] = [];
  W.WSASetLastError(0xdead);
  const rc = W.getaddrinfo(node, service, hints, res);
  return { rc, last: W.WSAGetLastError(), res };
}

describe('results', () => {
  it('localhost:80 resolves to 127.0.0.1 port 80 as a SockAddr, WSAGetLastError 0', () => {
    const r = gai('localhost', '80', { ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM, ai_protocol: W.IPPROTO_TCP });
    expect(r.rc).toBe(0);
    expect(r.last).toBe(0);
    expect(r.res.length).toBeGreaterThan(0);
    const a = r.res[0]!;
    expect(a.ai_addr).toEqual({ family: W.AF_INET, address: '127.0.0.1', port: 80 });
    expect([a.ai_family, a.ai_socktype, a.ai_protocol, a.ai_addrlen]).toEqual([W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP, 16]);
  });

  it('the list is linked by ai_next and is also the array, in the same order', () => {
    const r = gai('127.0.0.1', '7', { ai_socktype: 0 });
    expect(r.rc).toBe(0);
    const walked: addrinfo[] = [];
    for (let p: addrinfo | null = r.res[0] ?? null; p; p = p.ai_next) walked.push(p);
    expect(walked).toEqual(r.res);
    expect(r.res.at(-1)!.ai_next).toBeNull();
  });

  it('an IPv6 literal gives family 23 (Winsock AF_INET6), addrlen 28', () => {
    const r = gai('::1', '443', { ai_flags: W.AI_NUMERICHOST });
    expect(r.rc).toBe(0);
    expect(r.res[0]!.ai_family).toBe(23);
    expect(r.res[0]!.ai_addrlen).toBe(28);
    expect(r.res[0]!.ai_addr).toEqual({ family: 23, address: '::1', port: 443 });
  });

  it('AI_PASSIVE with a null node gives the any address, ready for bind', () => {
    const r = gai(null, '0', { ai_flags: W.AI_PASSIVE, ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM, ai_protocol: W.IPPROTO_TCP });
    expect(r.rc).toBe(0);
    expect(r.res[0]!.ai_addr).toEqual({ family: W.AF_INET, address: '0.0.0.0', port: 0 });
    const s = ok(W.socket(r.res[0]!.ai_family, r.res[0]!.ai_socktype, r.res[0]!.ai_protocol));
    expect(W.bind(s, r.res[0]!.ai_addr)).toBe(0);
    ok(W.closesocket(s));
  });

  it('without AI_PASSIVE a null node is the loopback address', () => {
    const r = gai(null, '80', { ai_family: W.AF_INET });
    expect(r.rc).toBe(0);
    expect(r.res[0]!.ai_addr.address).toBe('127.0.0.1');
  });

  it('AI_CANONNAME puts the canonical name on the first result', () => {
    const r = gai('localhost', null, { ai_flags: W.AI_CANONNAME, ai_family: W.AF_INET });
    expect(r.rc).toBe(0);
    expect(r.res[0]!.ai_canonname).toBe('localhost');
    expect(r.res.slice(1).every((a) => a.ai_canonname === null)).toBe(true);
  });

  it("AI_NUMERICSERV (0x08 on Windows, AI_V4MAPPED's number on Linux) rejects a service name", () => {
    expect(W.AI_NUMERICSERV).toBe(0x08);
    // glibc answers EAI_NONAME (WSAHOST_NOT_FOUND); neither Microsoft's page nor
    // Wine's tests give Windows' code for this case.
    expect(gai('127.0.0.1', 'http', { ai_flags: W.AI_NUMERICSERV }).rc).toBe(W.WSA.WSAHOST_NOT_FOUND);
    expect(gai('127.0.0.1', '80', { ai_flags: W.AI_NUMERICSERV }).rc).toBe(0);
  });
});

describe('Windows rules glibc does not keep (protocol.c test_getaddrinfo)', () => {
  it('"" as the node is the local computer: same result as its own name', () => {
    const a = gai('', null);
    const b = gai(hostname(), null);
    expect(a.rc).toBe(0);
    expect(a.last).toBe(0);
    expect(a.res.map((x) => x.ai_addr)).toEqual(b.res.map((x) => x.ai_addr));
  });

  it('"" as the service is port 0, like "0"', () => {
    const a = gai(null, '');
    const b = gai(null, '0');
    expect(a.rc).toBe(0);
    expect(a.res.map((x) => x.ai_addr)).toEqual(b.res.map((x) => x.ai_addr));
  });

  it('a bracketed IPv6 literal is accepted, with or without a port after it', () => {
    for (const node of ['[beef::cafe]', '[beef::cafe]:10239']) {
      const r = gai(node, null);
      expect(r.rc, node).toBe(0);
      expect(r.res[0]!.ai_addr).toEqual({ family: W.AF_INET6, address: 'beef::cafe', port: 0 });
    }
    expect(gai('[beef::cafe]', null, { ai_flags: W.AI_NUMERICHOST, ai_family: W.AF_INET6 }).rc).toBe(0);
    expect(gai('[beef::cafe]', null, { ai_flags: W.AI_NUMERICHOST, ai_family: W.AF_INET }).rc).toBe(W.WSA.WSAHOST_NOT_FOUND);
    expect(gai('[beef::cafe', null, { ai_flags: W.AI_NUMERICHOST }).rc).toBe(W.WSA.WSAHOST_NOT_FOUND);
    expect(gai('beef::cafe]', null, { ai_flags: W.AI_NUMERICHOST }).rc).toBe(W.WSA.WSAHOST_NOT_FOUND);
  });

  it("results echo the hints' socktype and protocol, one per address (hinttests)", () => {
    const cases: [number, number, number][] = [
      [W.AF_UNSPEC, W.SOCK_STREAM, W.IPPROTO_UDP],
      [W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_TCP],
      [W.AF_INET, 0, W.IPPROTO_TCP],
      [W.AF_UNSPEC, 0, 0],
      [W.AF_INET, W.SOCK_STREAM, 0],
      [W.AF_INET, W.SOCK_DGRAM, 999],
    ];
    for (const [family, socktype, protocol] of cases) {
      const r = gai('localhost', null, { ai_family: family, ai_socktype: socktype, ai_protocol: protocol });
      expect(r.rc, `${family}/${socktype}/${protocol}`).toBe(0);
      for (const a of r.res) {
        expect(a.ai_socktype).toBe(socktype);
        expect(a.ai_protocol).toBe(protocol);
        expect([W.AF_INET, W.AF_INET6]).toContain(a.ai_family);
      }
      const keys = r.res.map((a) => `${a.ai_family}/${a.ai_addr.address}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});

describe('errors: returned and set as WSAGetLastError', () => {
  it('null node and null service: WSAHOST_NOT_FOUND, res emptied', () => {
    const res: addrinfo[] = [{} as addrinfo];
    expect(W.getaddrinfo(null, null, null, res)).toBe(W.WSA.WSAHOST_NOT_FOUND);
    expect(W.WSAGetLastError()).toBe(11001);
    expect(res).toEqual([]);
  });

  it('AI_NUMERICHOST with a name, or an IPv4 literal with a port: WSAHOST_NOT_FOUND', () => {
    expect(gai('localhost', '80', { ai_flags: W.AI_NUMERICHOST })).toMatchObject({ rc: 11001, last: 11001 });
    expect(gai('192.168.1.253:1024', null, { ai_flags: W.AI_NUMERICHOST }).rc).toBe(11001);
  });

  it('an unknown service: WSATYPE_NOT_FOUND', () => {
    expect(gai(null, 'nonexistentservice', {})).toMatchObject({ rc: W.WSA.WSATYPE_NOT_FOUND, last: 10109 });
  });

  it('socktype 999: WSAESOCKTNOSUPPORT; family 999: WSAEAFNOSUPPORT', () => {
    expect(gai('localhost', null, { ai_socktype: 999 }).rc).toBe(W.WSA.WSAESOCKTNOSUPPORT);
    expect(gai('localhost', null, { ai_family: 999 }).rc).toBe(W.WSA.WSAEAFNOSUPPORT);
  });

  it('AI_CANONNAME without a node: WSAEINVAL (EAI_BADFLAGS)', () => {
    expect(gai(null, '80', { ai_flags: W.AI_CANONNAME }).rc).toBe(W.EAI_BADFLAGS);
    expect(W.EAI_BADFLAGS).toBe(W.WSA.WSAEINVAL);
  });

  it("hints with ai_addrlen/ai_canonname/ai_addr/ai_next set (a result passed back as hints): WSANO_RECOVERY (Microsoft's page)", () => {
    const r = gai('localhost', null, { ai_family: W.AF_INET });
    expect(r.rc).toBe(0);
    expect(gai('localhost', null, r.res[0]!)).toMatchObject({ rc: W.WSA.WSANO_RECOVERY, last: 11003 });
    expect(gai('localhost', null, { ai_family: W.AF_INET, ai_addrlen: 16 } as W.AddrInfoHints).rc).toBe(W.WSA.WSANO_RECOVERY);
    expect(gai('localhost', null, { ai_family: W.AF_INET, ai_next: null, ai_addr: null } as W.AddrInfoHints).rc).toBe(0);
  });

  it('EAI_* constants are the WSA codes', () => {
    expect([W.EAI_NONAME, W.EAI_AGAIN, W.EAI_FAIL, W.EAI_FAMILY, W.EAI_SERVICE, W.EAI_SOCKTYPE, W.EAI_MEMORY]).toEqual([
      11001, 11002, 11003, 10047, 10109, 10044, 8,
    ]);
  });

  it('bad argument types throw TypeError naming the argument', () => {
    expect(() => W.getaddrinfo(5 as never, null, null, [])).toThrow(/node/);
    expect(() => W.getaddrinfo('localhost', null, { ai_family: 'x' } as never, [])).toThrow(/hints.ai_family/);
    expect(() => W.getaddrinfo('localhost', null, null, null as never)).toThrow(/res/);
    expect(() => W.freeaddrinfo(7 as never)).toThrow(TypeError);
  });

  it('freeaddrinfo accepts a result and null', () => {
    const r = gai('localhost', null);
    expect(() => W.freeaddrinfo(r.res[0])).not.toThrow();
    expect(() => W.freeaddrinfo(null)).not.toThrow();
  });
});

describe('the awaitable getaddrinfo (thread pool)', () => {
  it('resolves with the same list as the flat call, and fills res', async () => {
    const res: addrinfo[] = [];
    const list = await W.getaddrinfoAsync('localhost', '80', { ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM }, res);
    expect(list).toEqual(gai('localhost', '80', { ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM }).res);
    expect(res).toEqual(list);
  });

  it('rejects with code/errno/syscall', async () => {
    await expect(W.getaddrinfoAsync('localhost', null, { ai_flags: W.AI_NUMERICHOST })).rejects.toMatchObject({
      code: 'WSAHOST_NOT_FOUND',
      errno: 11001,
      syscall: 'getaddrinfo',
    });
  });

  it('many lookups in flight at once all settle', async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) => W.getaddrinfoAsync('127.0.0.1', String(1000 + i), { ai_family: W.AF_INET })),
    );
    expect(all.map((l) => l[0]!.ai_addr.port)).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
  });
});
