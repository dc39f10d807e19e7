// Event objects, WSAEventSelect, overlapped I/O and AcceptEx on both backends: the same
// script (test/windows/events-overlapped-lane.mjs) run by Linux Node
// (posix.ts) and by Windows Node under Wine (win32.ts over ws2_32.dll),
// each result compared with Windows' documented answer (Microsoft's
// WSAEventSelect, WSAEnumNetworkEvents, WSARecv, WSAGetOverlappedResult and
// closesocket pages). Where Wine 8 departs from the documentation the
// lane must show exactly the recorded Wine result, reported as a deviation.
import { describe, expect, it } from 'vitest';
import { checkLane, laneResults, wineSkip } from './lane.js';

const SCRIPT = 'test/windows/events-overlapped-lane.mjs';

/** What Microsoft documents for each step of the script. */
const EXPECTED = {
  // unsignalled (timeout), set twice (not reset by waits), reset (timeout), closed handle
  eventObjects: [0x102, 0, 0, 0x102, false, 'WSA_INVALID_HANDLE'],
  // a nonblocking connect: WSAEWOULDBLOCK; FD_ACCEPT (8) on the listener; FD_CONNECT|FD_WRITE (18) with code 0
  connectAndAccept: { connectRc: 'WSAEWOULDBLOCK', accept: 8, connect: 18, connectCode: 0 },
  fionbioRefused: 'WSAEINVAL',
  readThenGracefulClose: { read: 1, data: 'hello', close: 32, code: 0 },
  resetClose: { close: 32, code: 'WSAECONNRESET' },
  overlappedPendingThenWait: {
    first: 'WSA_IO_PENDING',
    woke: 0,
    got: true,
    bytes: 10,
    data: 'overlapped',
    aborted: 'WSA_OPERATION_ABORTED',
  },
  overlappedImmediate: { rc: 0, bytes: 3, signalled: 0 },
  // AcceptEx through WSAIoctl: pending, completed by the connection, both addresses written, the handle given is the connection
  acceptEx: { first: 'WSA_IO_PENDING', woke: 0, done: true, localPort: true, remotePort: true, data: 'via AcceptEx' },
};

/**
 * Wine 8's ws2_32 answers recv with 0 after a peer's abortive close (the RST is on the wire:
 * docs/windows.md), so the reset reads as a FIN and FD_CLOSE carries 0.
 */
const WINE_DEVIATIONS: Partial<Record<keyof typeof EXPECTED, unknown>> = {
  resetClose: { close: 32, code: 0 },
};

const check = (r: Record<string, unknown>, lane: 'linux' | 'wine'): void =>
  checkLane(r, EXPECTED, WINE_DEVIATIONS, lane, (got, want, label) => expect(got, label).toEqual(want));

describe('event objects, WSAEventSelect and overlapped I/O on both backends', () => {
  it('Linux Node (posix.ts): every step as Microsoft documents', () => {
    const r = laneResults(SCRIPT, '.cache/events-lane', 'linux');
    expect(r.backend).toBe('posix');
    check(r, 'linux');
  });

  it.skipIf(wineSkip !== null)(`Windows Node under Wine (win32.ts over ws2_32.dll)${wineSkip ? ` — skipped: ${wineSkip}` : ''}`, () => {
    const r = laneResults(SCRIPT, '.cache/events-lane', 'wine');
    expect(r.backend).toBe('win32');
    check(r, 'wine');
  });
});
