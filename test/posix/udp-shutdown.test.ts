// Contract: shutdown on a UDP socket succeeds even unconnected (Linux:
// ENOTCONN); later send/recv in that direction answer WSAESHUTDOWN.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import { lastErrorOf, LOOPBACK4, useWinsock } from '../helpers.js';

useWinsock();

function udp(): { s: number; addr: SockAddr } {
  const s = W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP);
  expect(W.bind(s, LOOPBACK4)).toBe(0);
  const addr = {} as SockAddr;
  expect(W.getsockname(s, addr)).toBe(0);
  return { s, addr };
}

describe('UDP shutdown', () => {
  it('succeeds on an unconnected, unbound socket for every how', () => {
    for (const how of [W.SD_RECEIVE, W.SD_SEND, W.SD_BOTH]) {
      const s = W.socket(W.AF_INET, W.SOCK_DGRAM, 0);
      expect(W.shutdown(s, how)).toBe(0);
      expect(W.closesocket(s)).toBe(0);
    }
  });

  it('SD_SEND makes sendto fail with WSAESHUTDOWN and sends nothing', () => {
    const a = udp();
    const b = udp();
    expect(W.shutdown(a.s, W.SD_SEND)).toBe(0);
    expect(lastErrorOf(W.sendto(a.s, Buffer.from('x'), 1, 0, b.addr))).toBe(W.WSA.WSAESHUTDOWN);
    const fds = [{ fd: b.s, events: W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 100)).toBe(0);
    // Receiving still works.
    expect(W.sendto(b.s, Buffer.from('hi'), 2, 0, a.addr)).toBe(2);
    expect(W.WSAPoll([{ fd: a.s, events: W.POLLRDNORM, revents: 0 }], 2000)).toBe(1);
    expect(W.recvfrom(a.s, Buffer.alloc(8), 8, 0)).toBe(2);
  });

  it('SD_RECEIVE makes recv fail with WSAESHUTDOWN even with a datagram waiting', () => {
    const a = udp();
    const b = udp();
    expect(W.shutdown(a.s, W.SD_RECEIVE)).toBe(0);
    expect(W.sendto(b.s, Buffer.from('hi'), 2, 0, a.addr)).toBe(2);
    expect(W.WSAPoll([{ fd: a.s, events: W.POLLRDNORM, revents: 0 }], 2000)).toBe(1);
    expect(lastErrorOf(W.recvfrom(a.s, Buffer.alloc(8), 8, 0))).toBe(W.WSA.WSAESHUTDOWN);
    expect(lastErrorOf(W.recv(a.s, Buffer.alloc(8)))).toBe(W.WSA.WSAESHUTDOWN);
    // Sending still works.
    expect(W.sendto(a.s, Buffer.from('yo'), 2, 0, b.addr)).toBe(2);
  });
});
