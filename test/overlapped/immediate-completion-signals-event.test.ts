// Rule (Microsoft's WSARecv / WSASend pages): an overlapped operation that
// completes at once returns 0, fills the transfer count, and still signals
// hEvent (the completion indication is posted either way); the event is reset
// when the operation starts. An operation that fails at once reports its error
// and posts no completion.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { drain, ok, tcpPair, useWinsock, waitReadable } from '../helpers.js';
import { isSet, overlapped, result } from './helpers.js';

useWinsock();

describe('immediate completion', () => {
  it('WSARecv with data already there: 0, the count, the event set, the flags out 0', () => {
    const { client, server } = tcpPair();
    ok(W.send(client, Buffer.from('ready')));
    expect(waitReadable(server)).not.toBe(0);
    const { ev, ov } = overlapped();
    W.WSASetEvent(ev);
    const count = [0];
    const flags = [0];
    const buf = Buffer.alloc(16);
    expect(W.WSARecv(server, [{ len: 16, buf }], 1, count, flags, ov, null)).toBe(0);
    expect(count[0]).toBe(5);
    expect(flags[0]).toBe(0);
    expect(isSet(ev)).toBe(true);
    expect(result(server, ov)).toBe(5);
  });

  it('the event is reset when an operation starts (a pending one leaves it unset)', () => {
    const { server } = tcpPair();
    const { ev, ov } = overlapped();
    W.WSASetEvent(ev);
    expect(W.WSARecv(server, [{ len: 4, buf: Buffer.alloc(4) }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    expect(isSet(ev)).toBe(false);
  });

  it('WSASend gathers its buffers into one stream, completes at once and signals', () => {
    const { client, server } = tcpPair();
    const { ev, ov } = overlapped();
    const count = [0];
    const bufs = [
      { len: 3, buf: Buffer.from('abcXXX') },
      { len: 0, buf: Buffer.alloc(0) },
      { len: 4, buf: Buffer.from('defg') },
    ];
    expect(W.WSASend(client, bufs, 3, count, 0, ov, null)).toBe(0);
    expect(count[0]).toBe(7);
    expect(isSet(ev)).toBe(true);
    ok(W.shutdown(client, W.SD_SEND));
    expect(drain(server).data.toString()).toBe('abcdefg');
  });

  it('failing at once (after SD_SEND): WSAESHUTDOWN, no completion', () => {
    const { client } = tcpPair();
    ok(W.shutdown(client, W.SD_SEND));
    const { ev, ov } = overlapped();
    expect(W.WSASend(client, [{ len: 1, buf: Buffer.from('x') }], 1, null, 0, ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAESHUTDOWN);
    expect(isSet(ev)).toBe(false);
    expect(result(client, ov)).toBe('WSAESHUTDOWN');
  });

  it('without lpOverlapped the calls are plain scatter/gather send/recv', () => {
    const { client, server } = tcpPair();
    const count = [0];
    expect(
      W.WSASend(
        client,
        [
          { len: 2, buf: Buffer.from('hi') },
          { len: 1, buf: Buffer.from('!') },
        ],
        2,
        count,
        0,
        null,
        null,
      ),
    ).toBe(0);
    expect(count[0]).toBe(3);
    const a = Buffer.alloc(1);
    const b = Buffer.alloc(5);
    // The server socket is blocking: WSARecv waits for the data like recv.
    expect(
      W.WSARecv(
        server,
        [
          { len: 1, buf: a },
          { len: 5, buf: b },
        ],
        2,
        count,
        [0],
        null,
        null,
      ),
    ).toBe(0);
    expect(count[0]).toBe(3);
    expect(a.toString() + b.subarray(0, 2).toString()).toBe('hi!');
  });
});
