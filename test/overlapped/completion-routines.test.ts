// Rule (Microsoft's WSARecv / WSASend pages, "lpCompletionRoutine"; the
// WSAWaitForMultipleEvents page, fAlertable): a completion routine is queued
// when its operation completes — at once or later, or aborted by closesocket —
// and runs only when the thread enters an alertable wait, which then returns
// WSA_WAIT_IO_COMPLETION. hEvent is left to the program. A wait that is not
// alertable never runs them.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import type { WSAOVERLAPPED } from '../../src/index.js';
import { ok, tcpPair, useWinsock, waitReadable } from '../helpers.js';
import { isSet } from './helpers.js';

useWinsock();

type Call = [number, number, WSAOVERLAPPED, number];

describe('completion routines', () => {
  it('run in the alertable wait after the operation completes, not in a plain one', () => {
    const { client, server } = tcpPair();
    const calls: Call[] = [];
    const ctx = W.WSACreateEvent();
    const ov = W.newOverlapped(ctx);
    const buf = Buffer.alloc(16);
    expect(W.WSARecv(server, [{ len: 16, buf }], 1, null, [0], ov, (...a) => calls.push(a))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    ok(W.send(client, Buffer.from('routine')));
    const other = W.WSACreateEvent();
    // Not alertable: the operation completes meanwhile, its routine waits.
    expect(W.WSAWaitForMultipleEvents(1, [other], false, 100, false)).toBe(W.WSA_WAIT_TIMEOUT);
    expect(calls).toEqual([]);
    expect(W.HasOverlappedIoCompleted(ov)).toBe(true);
    expect(W.WSAWaitForMultipleEvents(1, [other], false, 2000, true)).toBe(W.WSA_WAIT_IO_COMPLETION);
    expect(calls).toEqual([[0, 7, ov, 0]]);
    expect(buf.subarray(0, 7).toString()).toBe('routine');
    // hEvent was the program's: not set by the completion.
    expect(isSet(ctx)).toBe(false);
  });

  it('an operation that completes at once still queues its routine; one routine can post the next operation', () => {
    const { client, server } = tcpPair();
    ok(W.send(client, Buffer.from('abc')));
    expect(waitReadable(server)).not.toBe(0);
    const seen: number[] = [];
    const buf = Buffer.alloc(8);
    const ov = W.newOverlapped(null);
    const onDone = (err: number, n: number) => {
      seen.push(err || n);
      if (seen.length === 1) W.WSARecv(server, [{ len: 8, buf }], 1, null, [0], ov, onDone);
    };
    const count = [0];
    expect(W.WSARecv(server, [{ len: 8, buf }], 1, count, [0], ov, onDone)).toBe(0);
    expect(count[0]).toBe(3);
    expect(seen).toEqual([]);
    const e = W.WSACreateEvent();
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 0, true)).toBe(W.WSA_WAIT_IO_COMPLETION);
    expect(seen).toEqual([3]);
    ok(W.send(client, Buffer.from('next!')));
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 2000, true)).toBe(W.WSA_WAIT_IO_COMPLETION);
    expect(seen).toEqual([3, 5]);
  });

  it('a signalled event is answered before queued routines, which wait for the next alertable wait', () => {
    const { client, server } = tcpPair();
    ok(W.send(client, Buffer.from('x')));
    expect(waitReadable(server)).not.toBe(0);
    let ran = 0;
    expect(W.WSARecv(server, [{ len: 8, buf: Buffer.alloc(8) }], 1, null, [0], W.newOverlapped(null), () => ran++)).toBe(0);
    const e = W.WSACreateEvent();
    W.WSASetEvent(e);
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 0, true)).toBe(W.WSA_WAIT_EVENT_0);
    expect(ran).toBe(0);
    W.WSAResetEvent(e);
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 0, true)).toBe(W.WSA_WAIT_IO_COMPLETION);
    expect(ran).toBe(1);
  });

  it('closesocket aborts: the routine gets WSA_OPERATION_ABORTED', () => {
    const { server } = tcpPair();
    const calls: number[] = [];
    W.WSARecv(server, [{ len: 8, buf: Buffer.alloc(8) }], 1, null, [0], W.newOverlapped(null), (err) => calls.push(err));
    ok(W.closesocket(server));
    expect(W.WSAWaitForMultipleEvents(1, [W.WSACreateEvent()], false, 0, true)).toBe(W.WSA_WAIT_IO_COMPLETION);
    expect(calls).toEqual([W.WSA.WSA_OPERATION_ABORTED]);
  });

  it('the awaitable wait, alertable, runs them on the loop and resolves WSA_WAIT_IO_COMPLETION', async () => {
    const { client, server } = tcpPair();
    const calls: number[] = [];
    W.WSARecv(server, [{ len: 8, buf: Buffer.alloc(8) }], 1, null, [0], W.newOverlapped(null), (err, n) => calls.push(err || n));
    setTimeout(() => ok(W.send(client, Buffer.from('loop'))), 30);
    expect(await P.WSAWaitForMultipleEvents(1, [W.WSACreateEvent()], false, 3000, true)).toBe(W.WSA_WAIT_IO_COMPLETION);
    expect(calls).toEqual([4]);
  });
});
