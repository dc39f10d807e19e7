// Rule (Microsoft's AcceptEx, GetAcceptExSockaddrs, DisconnectEx and WSAIoctl
// pages): the functions are reached through
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_*). AcceptEx accepts into
// a socket created beforehand, writes both addresses after the data, pends
// (WSA_IO_PENDING) until a connection — and, with dwReceiveDataLength > 0, its
// first data — arrives; closing the listener aborts it. DisconnectEx sends our
// FIN and completes once the peer's arrived; TF_REUSE_SOCKET leaves the handle
// ready for the next AcceptEx.
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { LPFN_ACCEPTEX, LPFN_DISCONNECTEX, LPFN_GETACCEPTEXSOCKADDRS, SockAddr } from '../../src/index.js';
import { listener, ok, useWinsock } from '../helpers.js';
import { isSet, overlapped, result } from './helpers.js';

useWinsock();

function extension<T>(s: number, guid: string): T {
  const out: unknown[] = [];
  const bytes = [0];
  ok(W.WSAIoctl(s, W.SIO_GET_EXTENSION_FUNCTION_POINTER, guid, 16, out, 8, bytes, null, null), 'WSAIoctl');
  expect(bytes[0]).toBe(8);
  return out[0] as T;
}

const ADDR = 16 + 16; // sizeof(SOCKADDR_IN) + 16

describe('AcceptEx', () => {
  it('pends, then accepts into the socket given, with the first data and both addresses', async () => {
    const l = listener();
    const AcceptEx = extension<LPFN_ACCEPTEX>(l.s, W.WSAID_ACCEPTEX);
    const GetAcceptExSockaddrs = extension<LPFN_GETACCEPTEXSOCKADDRS>(l.s, W.WSAID_GETACCEPTEXSOCKADDRS);
    const acceptor = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP));
    const { ev, ov } = overlapped();
    const out = Buffer.alloc(64 + 2 * ADDR);
    const got = [0];
    expect(AcceptEx(l.s, acceptor, out, 64, ADDR, ADDR, got, ov)).toBe(false);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    const c = net.connect(l.addr.port, '127.0.0.1');
    await once(c, 'connect');
    // Connected, but no data yet: still pending.
    await new Promise((r) => setTimeout(r, 50));
    expect(isSet(ev)).toBe(false);
    c.write('first bytes');
    expect(await W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(result(l.s, ov)).toBe(11);
    expect(out.subarray(0, 11).toString()).toBe('first bytes');
    const local = {} as SockAddr;
    const remote = {} as SockAddr;
    const lens = [[0], [0]];
    GetAcceptExSockaddrs(out, 64, ADDR, ADDR, local, lens[0]!, remote, lens[1]!);
    expect(local).toEqual({ family: W.AF_INET, address: '127.0.0.1', port: l.addr.port });
    expect(remote).toEqual({ family: W.AF_INET, address: '127.0.0.1', port: c.localPort });
    expect(lens).toEqual([[16], [16]]);
    ok(W.setsockopt(acceptor, W.SOL_SOCKET, W.SO_UPDATE_ACCEPT_CONTEXT, l.s));
    // The handle given is the connection now.
    const peer = {} as SockAddr;
    ok(W.getpeername(acceptor, peer));
    expect(peer.port).toBe(c.localPort);
    const echoed = once(c, 'data');
    ok(W.send(acceptor, Buffer.from('reply')));
    expect(String((await echoed)[0])).toBe('reply');
    c.destroy();
    ok(W.closesocket(acceptor));
    ok(W.closesocket(l.s));
  });

  it('dwReceiveDataLength 0 completes at the connection; bad arguments are WSAEINVAL; closing the listener aborts', async () => {
    const l = listener();
    const AcceptEx = extension<LPFN_ACCEPTEX>(l.s, W.WSAID_ACCEPTEX);
    const acceptor = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const out = Buffer.alloc(2 * ADDR);
    expect(AcceptEx(l.s, acceptor, out, 0, ADDR - 1, ADDR, null, overlapped().ov)).toBe(false);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    const bound = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    ok(W.bind(bound, { family: W.AF_INET, address: '127.0.0.1', port: 0 }));
    expect(AcceptEx(l.s, bound, out, 0, ADDR, ADDR, null, overlapped().ov)).toBe(false);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    const { ev, ov } = overlapped();
    expect(AcceptEx(l.s, acceptor, out, 0, ADDR, ADDR, null, ov)).toBe(false);
    const c = net.connect(l.addr.port, '127.0.0.1');
    await once(c, 'connect');
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(result(l.s, ov)).toBe(0);
    c.destroy();
    const next = overlapped();
    const acceptor2 = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    expect(AcceptEx(l.s, acceptor2, out, 0, ADDR, ADDR, null, next.ov)).toBe(false);
    ok(W.closesocket(l.s));
    expect(isSet(next.ev)).toBe(true);
    expect(result(acceptor2, next.ov)).toBe('WSA_OPERATION_ABORTED');
  });
});

describe('DisconnectEx', () => {
  it('FIN, completes at the peer FIN; TF_REUSE_SOCKET makes the handle fresh for the next AcceptEx', async () => {
    const l = listener();
    const AcceptEx = extension<LPFN_ACCEPTEX>(l.s, W.WSAID_ACCEPTEX);
    const DisconnectEx = extension<LPFN_DISCONNECTEX>(l.s, W.WSAID_DISCONNECTEX);
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    const out = Buffer.alloc(2 * ADDR);
    for (let round = 0; round < 2; round++) {
      const acc = overlapped();
      expect(AcceptEx(l.s, s, out, 0, ADDR, ADDR, null, acc.ov)).toBe(false);
      const c = net.connect(l.addr.port, '127.0.0.1');
      c.on('data', () => {});
      const ended = once(c, 'end');
      await once(c, 'connect');
      expect(W.WSAWaitForMultipleEvents(1, [acc.ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
      const dis = overlapped();
      expect(DisconnectEx(s, dis.ov, W.TF_REUSE_SOCKET, 0)).toBe(false);
      expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
      await ended; // our FIN reached the peer
      expect(isSet(dis.ev)).toBe(false);
      c.end(); // the peer's FIN
      const deadline = Date.now() + 3000;
      while (!isSet(dis.ev) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(result(s, dis.ov)).toBe(0);
      // The handle holds a fresh, unbound socket again.
      expect(W.getsockname(s, {} as SockAddr)).toBe(W.SOCKET_ERROR);
      expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    }
    ok(W.closesocket(s));
    ok(W.closesocket(l.s));
  });

  it('WSAIoctl: an unknown GUID or control code is WSAEINVAL, a short output buffer WSAEFAULT', () => {
    const l = listener();
    expect(W.WSAIoctl(l.s, W.SIO_GET_EXTENSION_FUNCTION_POINTER, '00000000-0000-0000-0000-000000000000', 16, [], 8, null, null, null)).toBe(
      W.SOCKET_ERROR,
    );
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.WSAIoctl(l.s, 0x12345, W.WSAID_ACCEPTEX, 16, [], 8, null, null, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.WSAIoctl(l.s, W.SIO_GET_EXTENSION_FUNCTION_POINTER, `{${W.WSAID_ACCEPTEX.toUpperCase()}}`, 16, [], 4, null, null, null)).toBe(
      W.SOCKET_ERROR,
    );
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEFAULT);
  });
});
