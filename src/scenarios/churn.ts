// Connection churn: open and gracefully close many loopback connections and
// report the descriptor counts around it (the fd-leak test runs it in a
// namespace of its own: 10,000 cycles leave ~10,000 TIME_WAIT entries there).
// The one churn cycle of the project (churn-cycle.ts): bench/churn.ts (the
// benchmark, over the built package) and test/fixtures/churn.ts (the
// descriptor-leak test) run it too, so all three measure the same thing.
import * as W from '../index.js';
import { churnKit } from './churn-cycle.js';
import { fdCount, socketFds } from '../harness/resources.js';
import { kernelConnections } from '../harness/tcpstate.js';

// The cycle itself lives in churn-cycle.ts, over whichever build of the API it
// is given: the benchmark runs it over the built package without loading the
// harness (whose close observer records every closed socket).
export const { check, churnCycle, loopbackListener } = churnKit(W);

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function started<T>(fn: () => Promise<T>): Promise<T> {
  if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
  return fn().finally(() => W.WSACleanup());
}

export interface ChurnResult {
  cycles: number;
  fdsBefore: number;
  fdsAfter: number;
  socketsBefore: number;
  socketsAfter: number;
  handlesBefore: number;
  handlesAfter: number;
  /** Highest fd count seen at checkpoints during the run. */
  fdsPeak: number;
  failures: number;
  cyclesPerSecond: number;
  /** TIME_WAIT entries in this namespace's table right after the run (why churn wants its own namespace). */
  timeWaitAfter: number;
}

/**
 * Open and gracefully close `cycles` loopback connections (connect, send 64 B,
 * SD_SEND, drain, close both) and report the descriptor counts around it. Run
 * it in a namespace of its own: 10,000 cycles leave ~10,000 TIME_WAIT entries.
 */
export async function churn(cycles = 10_000): Promise<ChurnResult> {
  return started(async () => {
    const { l, addr } = loopbackListener();
    let failures = 0;
    const one = (): void => {
      try {
        churnCycle(l, addr);
      } catch {
        failures++; // counted, not thrown: the report says how many cycles failed
      }
    };
    for (let i = 0; i < 50; i++) one(); // warm-up: lazily opened descriptors are not leaks
    const fdsBefore = fdCount();
    const socketsBefore = socketFds().length;
    const handlesBefore = W.openHandles().length;
    let fdsPeak = fdsBefore;
    const t0 = performance.now();
    for (let i = 0; i < cycles; i++) {
      one();
      if (i % 1000 === 999) {
        fdsPeak = Math.max(fdsPeak, fdCount());
        await delay(0); // let the loop breathe (watchers, timers)
      }
    }
    const elapsed = (performance.now() - t0) / 1000;
    const res: ChurnResult = {
      cycles,
      fdsBefore,
      fdsAfter: fdCount(),
      socketsBefore,
      socketsAfter: socketFds().length,
      handlesBefore,
      handlesAfter: W.openHandles().length,
      fdsPeak,
      failures,
      cyclesPerSecond: Math.round(cycles / elapsed),
      timeWaitAfter: kernelConnections().filter((c) => c.state === 'TIME_WAIT').length,
    };
    W.closesocket(l);
    return res;
  });
}
