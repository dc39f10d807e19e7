// Rule (DESIGN.md, the promise API; Microsoft's WSARecv page: overlapped
// receives complete in the order they were issued): overlapped operations and
// awaited ones wait in the same per-socket queue, so they complete in order,
// whichever issued them; an overlapped WSARecv re-enables FD_READ like recv.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, tcpPair, useWinsock } from '../helpers.js';
import { overlapped, result } from './helpers.js';

useWinsock();

describe('one queue', () => {
  it('an awaited recv queued first gets the first bytes, the overlapped WSARecv the next', async () => {
    const { client, server } = tcpPair();
    const first = Buffer.alloc(3);
    const awaited = P.recv(server, first, 3);
    const { ev, ov } = overlapped();
    const second = Buffer.alloc(3);
    expect(W.WSARecv(server, [{ len: 3, buf: second }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    ok(W.send(client, Buffer.from('onetwo')));
    // The blocked wait drives both (in order), without a loop turn.
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(await awaited).toBe(3);
    expect(first.toString()).toBe('one');
    expect(result(server, ov)).toBe(3);
    expect(second.toString()).toBe('two');
  });

  it('closing aborts both kinds: the promise rejects and the overlapped result says WSA_OPERATION_ABORTED', async () => {
    const { server } = tcpPair();
    const awaited = P.recv(server, Buffer.alloc(3), 3).catch((e: W.WinsockError) => e.code);
    const { ov } = overlapped();
    W.WSARecv(server, [{ len: 3, buf: Buffer.alloc(3) }], 1, null, [0], ov, null);
    ok(W.closesocket(server));
    expect(await awaited).toBe('WSA_OPERATION_ABORTED');
    expect(result(server, ov)).toBe('WSA_OPERATION_ABORTED');
  });
});
