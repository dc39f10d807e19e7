// Rule: getnameinfo takes Winsock's NI_* bits (NI_NUMERICHOST 0x02,
// NI_NUMERICSERV 0x08, NI_NAMEREQD 0x04: not Linux's numbers), fills the host
// and service buffers it is given, returns 0 or the WSA code (also set as
// WSAGetLastError); a buffer given with a length of 0 is WSAEINVAL
// (Microsoft's getnameinfo page: EAI_BADFLAGS); a buffer too small is
// WSAEFAULT (our choice: the page gives no code for it). Only loopback and documentation-range addresses are looked up, from
// /etc/hosts: no test needs the network.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { useWinsock } from '../helpers.js';

useWinsock();

const LO = { family: W.AF_INET, address: '127.0.0.1', port: 80 };

describe('getnameinfo', () => {
  it('NI_NUMERICHOST | NI_NUMERICSERV gives the address and port as text', () => {
    const host: string[] = [];
    const serv: string[] = [];
    expect(W.getnameinfo(LO, host, W.NI_MAXHOST, serv, W.NI_MAXSERV, W.NI_NUMERICHOST | W.NI_NUMERICSERV)).toBe(0);
    expect(W.WSAGetLastError()).toBe(0);
    expect([host[0], serv[0]]).toEqual(['127.0.0.1', '80']);
    expect(
      W.getnameinfo(
        { family: W.AF_INET6, address: '::1', port: 8080 },
        host,
        W.NI_MAXHOST,
        serv,
        W.NI_MAXSERV,
        W.NI_NUMERICHOST | W.NI_NUMERICSERV,
      ),
    ).toBe(0);
    expect([host[0], serv[0]]).toEqual(['::1', '8080']);
  });

  it('without flags: the name from /etc/hosts and the service name', () => {
    const host: string[] = [];
    const serv: string[] = [];
    expect(W.getnameinfo(LO, host, W.NI_MAXHOST, serv, W.NI_MAXSERV, 0)).toBe(0);
    expect(host[0]).toBe('localhost');
    expect(serv[0]).toBe('http');
  });

  it('NI_DGRAM looks the port up as a UDP service', () => {
    const serv: string[] = [];
    expect(W.getnameinfo({ ...LO, port: 53 }, null, 0, serv, W.NI_MAXSERV, W.NI_DGRAM)).toBe(0);
    expect(serv[0]).toBe('domain');
  });

  it('a null host buffer asks for the service only (and the reverse)', () => {
    const host = ['untouched'];
    const serv: string[] = [];
    expect(W.getnameinfo(LO, null, W.NI_MAXHOST, serv, W.NI_MAXSERV, W.NI_NUMERICSERV)).toBe(0);
    expect(serv[0]).toBe('80');
    expect(W.getnameinfo(LO, host, W.NI_MAXHOST, null, 0, W.NI_NUMERICHOST)).toBe(0);
    expect(host[0]).toBe('127.0.0.1');
  });

  it('NI_NAMEREQD for an address with no name: WSAHOST_NOT_FOUND (EAI_NONAME)', () => {
    // 192.0.2.0/24 is TEST-NET-1: in no hosts file. With no network here the
    // DNS lookup fails at once; the answer is EAI_NONAME or EAI_AGAIN.
    const rc = W.getnameinfo({ family: W.AF_INET, address: '192.0.2.1', port: 0 }, [], W.NI_MAXHOST, null, 0, W.NI_NAMEREQD);
    expect([W.EAI_NONAME, W.EAI_AGAIN]).toContain(rc);
    expect(W.WSAGetLastError()).toBe(rc);
  });

  it('a host buffer too small for the answer: WSAEFAULT', () => {
    const host = ['untouched'];
    expect(W.getnameinfo(LO, host, 4, null, 0, W.NI_NUMERICHOST)).toBe(W.WSA.WSAEFAULT);
    expect(host[0]).toBe('untouched');
    // 9 characters and the NUL fit in 10.
    expect(W.getnameinfo(LO, host, 10, null, 0, W.NI_NUMERICHOST)).toBe(0);
  });

  it('a buffer given with a length of 0: WSAEINVAL (EAI_BADFLAGS)', () => {
    expect(W.getnameinfo(LO, [], 0, null, 0, W.NI_NUMERICHOST)).toBe(W.WSA.WSAEINVAL);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.getnameinfo(LO, null, 0, [], 0, W.NI_NUMERICSERV)).toBe(W.WSA.WSAEINVAL);
  });

  it('a family other than AF_INET/AF_INET6: WSAEAFNOSUPPORT', () => {
    expect(W.getnameinfo({ family: 99, address: '', port: 0 }, [], W.NI_MAXHOST, null, 0, 0)).toBe(W.WSA.WSAEAFNOSUPPORT);
  });

  it('bad arguments throw TypeError/RangeError naming them', () => {
    expect(() => W.getnameinfo(null as never, [], 10, null, 0, 0)).toThrow(/sa/);
    expect(() => W.getnameinfo(LO, 'x' as never, 10, null, 0, 0)).toThrow(/host/);
    expect(() => W.getnameinfo(LO, [], -1, null, 0, 0)).toThrow(RangeError);
    expect(() => W.getnameinfo(LO, [], 10, null, 0, 'x' as never)).toThrow(/flags/);
  });

  it('the awaitable form resolves { host, serv } and rejects with the WSA code', async () => {
    await expect(W.getnameinfoAsync(LO, [], W.NI_MAXHOST, [], W.NI_MAXSERV, W.NI_NUMERICHOST | W.NI_NUMERICSERV)).resolves.toEqual({
      host: '127.0.0.1',
      serv: '80',
    });
    await expect(W.getnameinfoAsync(LO, [], 4, null, 0, W.NI_NUMERICHOST)).rejects.toMatchObject({
      code: 'WSAEFAULT',
      errno: 10014,
      syscall: 'getnameinfo',
    });
  });
});
