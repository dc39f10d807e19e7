// Rule (Microsoft's WSASendTo / WSARecvFrom pages): one datagram per call,
// gathered from / scattered over the WSABUFs; WSARecvFrom fills lpFrom with
// the sender when it completes; a datagram larger than the buffers fails with
// WSAEMSGSIZE.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import { LOOPBACK4, ok, useWinsock } from '../helpers.js';
import { overlapped, result } from './helpers.js';

useWinsock();

function udp(): { s: number; addr: SockAddr } {
  const s = ok(W.WSASocket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP, null, 0, W.WSA_FLAG_OVERLAPPED));
  ok(W.bind(s, LOOPBACK4));
  const addr = {} as SockAddr;
  ok(W.getsockname(s, addr));
  return { s, addr };
}

describe('overlapped datagrams', () => {
  it('a pending WSARecvFrom completes with the datagram and its sender; WSASendTo gathers', () => {
    const a = udp();
    const b = udp();
    const { ev, ov } = overlapped();
    const head = Buffer.alloc(2);
    const rest = Buffer.alloc(32);
    const from = {} as SockAddr;
    const fromLen = [0];
    expect(
      W.WSARecvFrom(
        b.s,
        [
          { len: 2, buf: head },
          { len: 32, buf: rest },
        ],
        2,
        null,
        [0],
        from,
        fromLen,
        ov,
        null,
      ),
    ).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    const sent = [0];
    expect(
      W.WSASendTo(
        a.s,
        [
          { len: 3, buf: Buffer.from('dat') },
          { len: 5, buf: Buffer.from('agram') },
        ],
        2,
        sent,
        0,
        b.addr,
        16,
        null,
        null,
      ),
    ).toBe(0);
    expect(sent[0]).toBe(8);
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(result(b.s, ov)).toBe(8);
    expect(head.toString() + rest.subarray(0, 6).toString()).toBe('datagram');
    expect(from).toEqual(a.addr);
    expect(fromLen[0]).toBe(16);
  });

  it('a datagram larger than the buffers: WSAEMSGSIZE', () => {
    const a = udp();
    const b = udp();
    ok(W.sendto(a.s, Buffer.alloc(100), 100, 0, b.addr));
    const { ov } = overlapped();
    const rc = W.WSARecvFrom(b.s, [{ len: 10, buf: Buffer.alloc(10) }], 1, null, [0], null, null, ov, null);
    if (rc === W.SOCKET_ERROR && W.WSAGetLastError() === W.WSA.WSA_IO_PENDING) {
      expect(result(b.s, ov, true)).toBe('WSAEMSGSIZE');
    } else {
      expect(W.WSAGetLastError()).toBe(W.WSA.WSAEMSGSIZE);
    }
  });
});
