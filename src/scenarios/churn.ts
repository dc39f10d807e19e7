// Connection churn: open and gracefully close many loopback connections and
// report the descriptor counts around it (the fd-leak test runs it in a
// namespace of its own: 10,000 cycles leave ~10,000 TIME_WAIT entries there).
// The one churn cycle of the project: bench/churn.ts (the benchmark) and
// test/fixtures/churn.ts (the descriptor-leak test) use it through
// bench/cycle.ts, so all three measure the same thing.
import * as W from '../index.js';
import { fdCount, socketFds } from '../harness/resources.js';
import { kernelConnections } from '../harness/tcpstate.js';

/** The call's result, or a throw naming the call and its WSA code. */
export function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

/** A listening socket on an ephemeral loopback port, and its address. */
export function loopbackListener(): { l: W.SOCKET; addr: W.SockAddr } {
  const l = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  check(W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  check(W.listen(l, W.SOMAXCONN), 'listen');
  const addr = {} as W.SockAddr;
  check(W.getsockname(l, addr), 'getsockname');
  return { l, addr };
}

const payload = Buffer.alloc(64, 0x2a);
const cycleBuf = Buffer.alloc(256);

/**
 * One cycle: connect, accept, send 64 B, shutdown(SD_SEND), the server drains
 * to EOF and closes, the client reads EOF and closes. Throws on any failure
 * (after closing what it opened). `whileOpen` runs while both ends are open.
 */
export function churnCycle(l: W.SOCKET, addr: W.SockAddr, whileOpen?: () => void): void {
  const c = check(W.socket(W.AF_INET, W.SOCK_STREAM, 0), 'socket');
  let s: W.SOCKET | undefined;
  try {
    check(W.connect(c, addr), 'connect');
    s = check(W.accept(l), 'accept');
    check(W.send(c, payload), 'send');
    check(W.shutdown(c, W.SD_SEND), 'shutdown');
    let got = 0;
    for (let n; (n = check(W.recv(s, cycleBuf), 'recv')) > 0;) got += n;
    if (got !== payload.length) throw new Error(`server read ${got} bytes, not ${payload.length}`);
    whileOpen?.();
    const server = s;
    s = undefined;
    check(W.closesocket(server), 'closesocket server');
    if (check(W.recv(c, cycleBuf), 'recv client') !== 0) throw new Error('client expected EOF');
  } finally {
    if (s !== undefined) W.closesocket(s);
  }
  check(W.closesocket(c), 'closesocket client');
}

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
