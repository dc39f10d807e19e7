// Fuzzer regression (seed 424242, 5,000 runs, shrunk): shutdown(SD_RECEIVE)
// on a connection the peer had already reset, with the peer's data still
// buffered, "reset" it again itself, so later calls reported this side's own
// abort (WSAECONNABORTED) instead of the peer's reset (WSAECONNRESET).
// Minimal sequence:
//   send(c1, 1 byte); setsockopt(c1, SO_LINGER, {1,0}); closesocket(c1);
//   shutdown(a1, SD_RECEIVE) -> 0; send(a1, 1 byte) -> -1/WSAECONNABORTED (now WSAECONNRESET)
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { tcpPair, useWinsock, waitReadable } from '../helpers.js';

describe('shutdown(SD_RECEIVE) after the peer reset', () => {
  useWinsock();

  for (const how of [W.SD_RECEIVE, W.SD_BOTH]) {
    it(`${how === W.SD_RECEIVE ? 'SD_RECEIVE' : 'SD_BOTH'}: later calls report the peer's reset, WSAECONNRESET`, () => {
      const p = tcpPair();
      expect(W.send(p.client, Buffer.from('x'))).toBe(1);
      expect(W.setsockopt(p.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(0);
      expect(W.closesocket(p.client)).toBe(0);
      // The RST has arrived (readable with an error); no call has reported it yet.
      expect(waitReadable(p.server) & W.POLLERR).toBe(W.POLLERR);
      expect(W.shutdown(p.server, how)).toBe(0);
      if (how === W.SD_RECEIVE) {
        expect(W.send(p.server, Buffer.from('y'))).toBe(W.SOCKET_ERROR);
        expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAECONNRESET');
        expect(W.send(p.server, Buffer.from('y'))).toBe(W.SOCKET_ERROR);
        expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAECONNRESET');
      }
      expect(W.recv(p.server, Buffer.alloc(8))).toBe(W.SOCKET_ERROR);
      expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAESHUTDOWN');
      expect(W.closesocket(p.server)).toBe(0);
      expect(W.closesocket(p.listener)).toBe(0);
    });
  }

  it('with the connection alive, SD_RECEIVE with unread data still resets it (WSAECONNABORTED here, WSAECONNRESET there)', () => {
    const p = tcpPair();
    expect(W.send(p.client, Buffer.from('x'))).toBe(1);
    waitReadable(p.server);
    expect(W.shutdown(p.server, W.SD_RECEIVE)).toBe(0);
    expect(W.send(p.server, Buffer.from('y'))).toBe(W.SOCKET_ERROR);
    expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAECONNABORTED');
    waitReadable(p.client);
    expect(W.recv(p.client, Buffer.alloc(8))).toBe(W.SOCKET_ERROR);
    expect(W.wsaErrorName(W.WSAGetLastError())).toBe('WSAECONNRESET');
    for (const s of [p.client, p.server, p.listener]) W.closesocket(s);
  });
});
