// Sockets across worker_threads on both backends: the same script
// (test/windows/threads-lane.mjs) run by Linux Node (posix.ts over the shared
// table) and by Windows Node under Wine (win32.ts: ws2_32's SOCKET is the
// process's already; the library's table adds the mode and the handles), each
// result compared with Windows' documented answer (Microsoft's WSAStartup and
// closesocket pages: one start-up count per process, a SOCKET valid in every
// thread, a closesocket cancels the blocking calls pending on the socket,
// which then fail with WSAEINTR, the code of a cancelled blocking call).
import { describe, expect, it } from 'vitest';
import { checkLane, laneResults, wineSkip } from './lane.js';

const SCRIPT = 'test/windows/threads-lane.mjs';

const EXPECTED = {
  workerServes: { worker: { n: 5, sent: 5, close: 0 }, echoed: 'HELLO', afterWorkerClose: 'WSAENOTSOCK' },
  stateShared: { worker: { send: 'WSAESHUTDOWN', fionbio: 0 }, recvAfterFin: 0, recvAfterWorkerFionbio: 'WSAEWOULDBLOCK' },
  startupIsProcess: { worker: [0, 0], sendAfter: 2 },
  handlesDistinct: { distinct: true, stale: 'WSAENOTSOCK' },
  closeCancelsBlockingRecv: { close: 0, worker: { rc: 'WSAEINTR', quick: true }, peer: 0 },
};

/** Wine 8 ends the cancelled blocking recv with WSAEINVAL, at once (measured with this script). */
const WINE_DEVIATIONS: Partial<Record<keyof typeof EXPECTED, unknown>> = {
  closeCancelsBlockingRecv: { close: 0, worker: { rc: 'WSAEINVAL', quick: true }, peer: 0 },
};

const check = (r: Record<string, unknown>, lane: 'linux' | 'wine'): void =>
  checkLane(r, EXPECTED, WINE_DEVIATIONS, lane, (got, want, label) => expect(got, label).toEqual(want));

describe('sockets across worker_threads on both backends', () => {
  it('Linux Node (posix.ts): every step as Microsoft documents', () => {
    const r = laneResults(SCRIPT, '.cache/threads-lane', 'linux');
    expect(r.backend).toBe('posix');
    check(r, 'linux');
  });

  it.skipIf(wineSkip !== null)(`Windows Node under Wine (win32.ts over ws2_32.dll)${wineSkip ? ` — skipped: ${wineSkip}` : ''}`, () => {
    const r = laneResults(SCRIPT, '.cache/threads-lane', 'wine');
    expect(r.backend).toBe('win32');
    check(r, 'wine');
  });
});
