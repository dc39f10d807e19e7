// Connection churn: open and gracefully close many loopback connections and
// report the descriptor counts around it (the fd-leak test runs it in a
// namespace of its own: 10,000 cycles leave ~10,000 TIME_WAIT entries there).
// One cycle is bench/cycle.ts's, so the benchmark and this test measure the same thing.
import * as W from '../index.js';
import { fdCount, socketFds } from '../harness/resources.js';
import { kernelConnections } from '../harness/tcpstate.js';
import { ok } from './lab.js';

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
    const l = ok(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
    ok(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
    ok(W.listen(l, 128), 'listen');
    const la = {} as W.SockAddr;
    ok(W.getsockname(l, la), 'getsockname');
    const payload = Buffer.alloc(64, 0x2a);
    const buf = Buffer.alloc(256);
    let failures = 0;
    const one = (): void => {
      const c = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      if (c === W.INVALID_SOCKET) return void failures++;
      try {
        if (W.connect(c, la) !== 0) return void failures++;
        const s = W.accept(l);
        if (s === W.INVALID_SOCKET) return void failures++;
        try {
          if (W.send(c, payload) !== 64 || W.shutdown(c, W.SD_SEND) !== 0) failures++;
          const fds = [{ fd: s, events: W.POLLRDNORM, revents: 0 }];
          let got = 0;
          for (let i = 0; i < 8; i++) {
            if (W.WSAPoll(fds, 1000) <= 0) break;
            const n = W.recv(s, buf);
            if (n <= 0) break;
            got += n;
          }
          if (got !== 64) failures++;
        } finally {
          W.closesocket(s);
        }
        const fc = [{ fd: c, events: W.POLLRDNORM, revents: 0 }];
        if (W.WSAPoll(fc, 1000) <= 0 || W.recv(c, buf) !== 0) failures++;
      } finally {
        W.closesocket(c);
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
