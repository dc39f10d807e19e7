// Rule (Microsoft's closesocket page: "any pending overlapped send and receive
// operations ... are canceled"; their completion reports WSA_OPERATION_ABORTED):
// closesocket (and the last WSACleanup) completes every overlapped operation
// pending on the socket with WSA_OPERATION_ABORTED and signals its event; the
// result is still read with the closed handle.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { fillUntilBlocked, ok, tcpPair, useWinsock } from '../helpers.js';
import { isSet, overlapped, result } from './helpers.js';

useWinsock();

describe('cancellation', () => {
  it('closesocket aborts a pending WSARecv and a pending WSASend, each event set', () => {
    const { client, server } = tcpPair();
    const r = overlapped();
    expect(W.WSARecv(client, [{ len: 8, buf: Buffer.alloc(8) }], 1, null, [0], r.ov, null)).toBe(W.SOCKET_ERROR);
    fillUntilBlocked(client, server);
    const s = overlapped();
    expect(W.WSASend(client, [{ len: 65536, buf: Buffer.alloc(65536) }], 1, null, 0, s.ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    ok(W.closesocket(client));
    expect(isSet(r.ev) && isSet(s.ev)).toBe(true);
    expect(result(client, r.ov)).toBe('WSA_OPERATION_ABORTED');
    expect(result(client, s.ov)).toBe('WSA_OPERATION_ABORTED');
    expect(W.HasOverlappedIoCompleted(r.ov)).toBe(true);
    // On failure lpcbTransfer is left as it was (Microsoft's WSAGetOverlappedResult page).
    const cb = [1234];
    expect(W.WSAGetOverlappedResult(client, r.ov, cb, false, [0])).toBe(false);
    expect(cb[0]).toBe(1234);
  });

  it('a pending overlapped send completes once the peer drains, with every byte counted', () => {
    const { client, server } = tcpPair();
    fillUntilBlocked(client, server);
    const { ev, ov } = overlapped();
    const data = Buffer.alloc(30_000, 0x62);
    expect(W.WSASend(client, [{ len: data.length, buf: data }], 1, null, 0, ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    ok(W.ioctlsocket(server, W.FIONBIO, [1]));
    const sink = Buffer.alloc(1 << 16);
    const deadline = Date.now() + 10_000;
    while (!isSet(ev) && Date.now() < deadline) {
      while (W.recv(server, sink) > 0);
      W.WSAWaitForMultipleEvents(1, [ev], false, 5, false);
    }
    expect(result(client, ov)).toBe(30_000);
  });

  it('the last WSACleanup aborts what is pending', () => {
    const { server } = tcpPair();
    const { ev, ov } = overlapped();
    expect(W.WSARecv(server, [{ len: 8, buf: Buffer.alloc(8) }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    ok(W.WSACleanup());
    expect(isSet(ev)).toBe(true);
    expect(result(server, ov)).toBe('WSA_OPERATION_ABORTED');
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
  });
});
