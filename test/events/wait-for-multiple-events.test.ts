// Rule (Microsoft's WSAWaitForMultipleEvents, WSACreateEvent, WSASetEvent,
// WSAResetEvent, WSACloseEvent pages): manual-reset events created unsignalled;
// the wait returns WSA_WAIT_EVENT_0 + the lowest signalled index (fWaitAll:
// once all are), WSA_WAIT_TIMEOUT, or WSA_WAIT_FAILED with
// WSA_INVALID_PARAMETER (0 or more than WSA_MAXIMUM_WAIT_EVENTS) or
// WSA_INVALID_HANDLE; it never resets them. Handles are never reused and are
// never SOCKETs.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, tcpPair, useWinsock } from '../helpers.js';
import { select } from './helpers.js';

useWinsock();

describe('event objects', () => {
  it('manual reset: a set event stays set through waits until WSAResetEvent', () => {
    const e = W.WSACreateEvent();
    expect(e).not.toBe(W.WSA_INVALID_EVENT);
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 0, false)).toBe(W.WSA_WAIT_TIMEOUT);
    expect(W.WSASetEvent(e)).toBe(true);
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 0, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(W.WSAWaitForMultipleEvents(1, [e], false, W.WSA_INFINITE, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(W.WSAResetEvent(e)).toBe(true);
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 10, false)).toBe(W.WSA_WAIT_TIMEOUT);
    expect(W.WSACloseEvent(e)).toBe(true);
  });

  it('the lowest signalled index; fWaitAll only once all are', () => {
    const evs = [W.WSACreateEvent(), W.WSACreateEvent(), W.WSACreateEvent()];
    W.WSASetEvent(evs[2]!);
    W.WSASetEvent(evs[1]!);
    expect(W.WSAWaitForMultipleEvents(3, evs, false, 0, false)).toBe(W.WSA_WAIT_EVENT_0 + 1);
    expect(W.WSAWaitForMultipleEvents(3, evs, true, 20, false)).toBe(W.WSA_WAIT_TIMEOUT);
    W.WSASetEvent(evs[0]!);
    expect(W.WSAWaitForMultipleEvents(3, evs, true, 0, false)).toBe(W.WSA_WAIT_EVENT_0);
    // cEvents limits the array: only the first one counts.
    W.WSAResetEvent(evs[0]!);
    expect(W.WSAWaitForMultipleEvents(1, evs, false, 0, false)).toBe(W.WSA_WAIT_TIMEOUT);
  });

  it('a timeout waits about as long as asked', () => {
    const e = W.WSACreateEvent();
    const t0 = performance.now();
    expect(W.WSAWaitForMultipleEvents(1, [e], false, 100, false)).toBe(W.WSA_WAIT_TIMEOUT);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
  });

  it('WSA_WAIT_FAILED: WSA_INVALID_PARAMETER for 0 or 65 events, WSA_INVALID_HANDLE for a closed, unknown or SOCKET handle', () => {
    const e = W.WSACreateEvent();
    expect(W.WSAWaitForMultipleEvents(0, [e], false, 0, false)).toBe(W.WSA_WAIT_FAILED);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_INVALID_PARAMETER);
    const many = Array.from({ length: 65 }, () => W.WSACreateEvent());
    expect(W.WSAWaitForMultipleEvents(65, many, false, 0, false)).toBe(W.WSA_WAIT_FAILED);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_INVALID_PARAMETER);
    W.WSASetEvent(many[63]!);
    expect(W.WSAWaitForMultipleEvents(W.WSA_MAXIMUM_WAIT_EVENTS, many, false, 0, false)).toBe(63);
    const { server } = tcpPair();
    for (const bad of [server, 12345, (W.WSACloseEvent(e), e)]) {
      expect(W.WSAWaitForMultipleEvents(1, [bad], false, 0, false)).toBe(W.WSA_WAIT_FAILED);
      expect(W.WSAGetLastError()).toBe(W.WSA.WSA_INVALID_HANDLE);
    }
    expect(W.WSASetEvent(e)).toBe(false);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_INVALID_HANDLE);
    expect(W.WSACloseEvent(e)).toBe(false);
    expect(() => W.WSAWaitForMultipleEvents(2, [W.WSACreateEvent()], false, 0, false)).toThrow(RangeError);
    expect(() => W.WSAWaitForMultipleEvents(1, 'x' as never, false, 0, false)).toThrow(TypeError);
  });

  it('handles are never reused and never collide with SOCKETs', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const e = W.WSACreateEvent();
      expect(seen.has(e)).toBe(false);
      expect(e % 4).not.toBe(0);
      seen.add(e);
      W.WSACloseEvent(e);
    }
  });

  it('an INFINITE wait on events nothing can set fails instead of hanging the thread', () => {
    const e = W.WSACreateEvent();
    expect(W.WSAWaitForMultipleEvents(1, [e], false, W.WSA_INFINITE, false)).toBe(W.WSA_WAIT_FAILED);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_INVALID_PARAMETER);
  });
});

describe('the awaitable WSAWaitForMultipleEvents (winsock-compat/promises)', () => {
  it("resolves when a network event is recorded on Node's loop, the loop ticking meanwhile", async () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_READ);
    let ticks = 0;
    const iv = setInterval(() => ticks++, 5);
    setTimeout(() => ok(W.send(client, Buffer.from('ping'))), 60);
    const r = await P.WSAWaitForMultipleEvents(1, [ev], false, 3000, false);
    clearInterval(iv);
    expect(r).toBe(W.WSA_WAIT_EVENT_0);
    expect(ticks).toBeGreaterThan(3);
    const ne = { lNetworkEvents: 0, iErrorCode: [] as number[] };
    ok(W.WSAEnumNetworkEvents(server, ev, ne));
    expect(ne.lNetworkEvents).toBe(W.FD_READ);
  });

  it('resolves for WSASetEvent from other code, times out, and rejects bad handles with a WinsockError', async () => {
    const e = W.WSACreateEvent();
    setTimeout(() => W.WSASetEvent(e), 20);
    expect(await P.WSAWaitForMultipleEvents(1, [e], false, 3000, false)).toBe(0);
    const f = W.WSACreateEvent();
    expect(await P.WSAWaitForMultipleEvents(1, [f], false, 30, false)).toBe(W.WSA_WAIT_TIMEOUT);
    await expect(P.WSAWaitForMultipleEvents(1, [4096], false, 0, false)).rejects.toMatchObject({ code: 'WSA_INVALID_HANDLE' });
    const ac = new AbortController();
    const p = P.WSAWaitForMultipleEvents(1, [f], false, W.WSA_INFINITE, false, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
