// The teardown scenarios the harness proves, written once with the real
// Winsock API and run three ways: in a test process on loopback, in a child
// process inside a private network namespace (scenario-main.ts), and by
// `npm start` (cli.ts). Each returns everything observed as plain JSON-able
// data: the captured segments, the API's return codes, what the peer saw, the
// kernel's TCP states at the interesting moments and a release report per
// socket. Judging is left to the caller (the tests' expectations, the CLI's
// verdict), so a scenario never hides a surprise by throwing it away.
//
// Client and server live in one thread. Nothing here may block forever: every
// recv is preceded by a bounded WSAPoll, and the only deliberately blocking
// call is closesocket with linger {1,N}, bounded by N.
import * as W from '../index.js';
import type { SOCKET, SockAddr } from '../index.js';
import { startCapture, type Capture, type Segment } from './capture.js';
import { fdTcpState, connectionState, kernelConnections, type TcpState } from './tcpstate.js';
import {
  fdCount,
  socketFds,
  track,
  waitReleased,
  checkReleased,
  type ReleaseOptions,
  type ReleaseReport,
  type Tracked,
} from './resources.js';

export const SCENARIOS = {
  'four-way-close': 'client shutdown(SD_SEND), server drains and closes after a pause: FIN/ACK each way',
  'wsasenddisconnect-fin': 'WSASendDisconnect: exactly one FIN, no RST',
  'sd-receive-silent': 'shutdown(SD_RECEIVE) alone puts nothing on the wire',
  'data-after-sd-receive-rst': 'data arriving after SD_RECEIVE makes the receiver reset',
  'sd-both-unread-rst': 'shutdown(SD_BOTH) with unread data resets',
  'linger-zero-rst': 'closesocket with linger {1,0}: RST, no TIME_WAIT (abortive close)',
  'unread-data-close-rst': 'closesocket with unread received data: RST',
  'default-close-time-wait': 'default closesocket: FIN, and the closer ends in TIME_WAIT',
  'linger-timeout-rst': 'linger {1,N} on a blocking socket whose peer does not read: RST after about N s',
} as const;
export type ScenarioName = keyof typeof SCENARIOS;

export interface ScenarioOptions {
  /** Capture on lo (default true; when capture is impossible the scenario still runs, `captured` false). */
  capture?: boolean;
  /** Address family: W.AF_INET (default) or W.AF_INET6. */
  af?: number;
  /** linger-timeout-rst: N seconds (default 1). */
  lingerSeconds?: number;
  /** Write the capture here as pcap. */
  pcapPath?: string;
}

export interface ApiCall {
  side: 'client' | 'server' | 'listener';
  call: string;
  rc: number;
  /** WSA error name when rc is SOCKET_ERROR. */
  error?: string;
  /** Index of the next segment when the call returned (segments before it were emitted by then). */
  segIndex: number;
  /** Wall-clock time (s since epoch) just before the call, and how long it took (ms). */
  time: number;
  ms: number;
}

export interface ScenarioResult {
  name: ScenarioName;
  title: string;
  captured: boolean;
  /** Why there is no capture, when there is none. */
  captureNote?: string;
  client: string;
  server: string;
  segments: Segment[];
  calls: ApiCall[];
  /** What the far side observed, e.g. `{ 'server recv': 'EOF' }`, `'WSAECONNRESET'`, `'bytes:5'`. */
  peer: Record<string, string>;
  /** Kernel states at labelled moments (TCP_INFO while held, the kernel table after). */
  states: Record<string, TcpState>;
  /** Index into segments at labelled moments. */
  marks: Record<string, number>;
  releases: Record<string, ReleaseReport>;
  /** Extra measured figures (ms). */
  timing: Record<string, number>;
  /** Frames the kernel dropped from the capture for lack of buffer (0 means the capture is complete). */
  captureDrops: number;
  /** Descriptor snapshots: sockets held before setup and after cleanup. */
  fds: { socketsBefore: number; socketsAfter: number };
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ok(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR || rc === W.INVALID_SOCKET) throw new Error(`${what} failed: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

class Run {
  readonly r: ScenarioResult;
  cap: Capture | undefined;
  listener!: SOCKET;
  client!: SOCKET;
  server!: SOCKET;
  tracked: Record<string, Tracked> = {};

  constructor(
    name: ScenarioName,
    private readonly opts: ScenarioOptions,
  ) {
    this.r = {
      name,
      title: SCENARIOS[name],
      captured: false,
      client: '',
      server: '',
      segments: [],
      calls: [],
      peer: {},
      states: {},
      marks: {},
      releases: {},
      timing: {},
      captureDrops: 0,
      fds: { socketsBefore: socketFds().length, socketsAfter: -1 },
    };
  }

  get segIndex(): number {
    return this.cap ? this.cap.mark() : 0;
  }

  /** Make an API call, record its rc, error and the segment index after it. */
  call(side: ApiCall['side'], call: string, fn: () => number): number {
    const time = Date.now() / 1000;
    const t0 = performance.now();
    const rc = fn();
    const err = rc === W.SOCKET_ERROR ? W.wsaErrorName(W.WSAGetLastError()) : undefined;
    const ms = performance.now() - t0;
    this.r.calls.push({ side, call, rc, ...(err ? { error: err } : {}), segIndex: this.segIndex, time, ms });
    return rc;
  }

  mark(label: string): void {
    this.r.marks[label] = this.segIndex;
  }

  /** Listener, capture (filtered on the listener's port), connected pair. */
  setup(tweak?: { listener?: (s: SOCKET) => void; client?: (s: SOCKET) => void }): void {
    const af = this.opts.af ?? W.AF_INET;
    const loop: SockAddr = { family: af, address: af === W.AF_INET6 ? '::1' : '127.0.0.1', port: 0 };
    this.listener = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
    tweak?.listener?.(this.listener);
    ok(W.bind(this.listener, loop), 'bind');
    ok(W.listen(this.listener, 16), 'listen');
    const la = {} as SockAddr;
    ok(W.getsockname(this.listener, la), 'getsockname');
    if (this.opts.capture !== false) {
      try {
        this.cap = startCapture({ ports: [la.port] });
        this.r.captured = true;
      } catch (e) {
        this.r.captureNote = e instanceof Error ? e.message : String(e);
      }
    } else this.r.captureNote = 'capture disabled';
    this.client = ok(W.socket(af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
    tweak?.client?.(this.client);
    ok(W.connect(this.client, la), 'connect');
    this.server = ok(W.accept(this.listener), 'accept');
    this.tracked = { client: track(this.client), server: track(this.server), listener: track(this.listener) };
    this.r.client = this.tracked.client!.local!;
    this.r.server = this.tracked.server!.local!;
    this.mark('connected');
  }

  /** setup(), then let the handshake's last ACK land. */
  async connect(tweak?: Parameters<Run['setup']>[0]): Promise<void> {
    this.setup(tweak);
    await this.settle();
  }

  /** The server sends `text`; the client lets it arrive and leaves it unread in its receive queue. */
  unreadOnClient(text: string): void {
    this.call('server', 'send(server)', () => W.send(this.server, Buffer.from(text)));
    W.WSAPoll([{ fd: this.client, events: W.POLLRDNORM, revents: 0 }], 1000);
  }

  /** closesocket(client) (marked 'client close'), then the kernel's state of it and what the server reads. */
  async closeClient(serverLabel: string): Promise<void> {
    this.mark('client close');
    await this.close('client');
    await this.settle();
    this.kernel('client after closesocket', 'client');
    this.observe(serverLabel, this.server, 'server');
  }

  /** TCP_INFO of a held socket. */
  held(label: string, h: SOCKET): void {
    const fd = W.nativeFd(h);
    const s = fd === undefined ? undefined : fdTcpState(fd);
    if (s) this.r.states[label] = s;
  }

  /** The kernel table's state for one side's 4-tuple (CLOSED when absent). */
  kernel(label: string, side: 'client' | 'server'): void {
    const t = this.tracked[side]!;
    this.r.states[label] = connectionState(t.local!, t.remote!);
  }

  /** Wait (bounded) until `h` is readable, then record what recv returns. */
  observe(label: string, h: SOCKET, side: ApiCall['side'], timeoutMs = 2000): string {
    const fds = [{ fd: h, events: W.POLLRDNORM, revents: 0 }];
    const n = W.WSAPoll(fds, timeoutMs);
    let seen: string;
    if (n === 0) seen = 'TIMEOUT';
    else {
      const buf = Buffer.alloc(65536);
      const rc = this.call(side, `recv(${side})`, () => W.recv(h, buf));
      seen = rc === W.SOCKET_ERROR ? W.wsaErrorName(W.WSAGetLastError()) : rc === 0 ? 'EOF' : `bytes:${rc}`;
    }
    this.r.peer[label] = seen;
    return seen;
  }

  /** Let in-flight segments, ACKs and the event loop's watchers run. */
  async settle(ms = 30): Promise<void> {
    if (this.cap) await this.cap.settle(ms, 1000);
    else await delay(ms);
  }

  /** Wait for a segment (no-op without capture beyond a short pause). */
  async expectSegment(m: Parameters<Capture['waitFor']>[0], since: number, timeoutMs = 1000): Promise<void> {
    if (!this.cap) return delay(20);
    try {
      await this.cap.waitFor(m, timeoutMs, since);
    } catch {
      /* recorded as absent in segments; the caller's checks judge */
    }
  }

  async close(side: 'client' | 'server' | 'listener'): Promise<void> {
    const h = side === 'client' ? this.client : side === 'server' ? this.server : this.listener;
    if (W.openHandles().includes(h)) this.call(side, `closesocket(${side})`, () => W.closesocket(h));
  }

  /** Close whatever is still open (client, server, listener, in that order). */
  async closeAll(): Promise<void> {
    for (const s of ['client', 'server', 'listener'] as const) await this.close(s);
  }

  /** Release checks of every socket not checked yet: the client with `client`'s options, the listener's port too. */
  async releaseAll(client: ReleaseOptions = {}): Promise<void> {
    if (!this.r.releases.client) await this.release('client', client);
    await this.release('server');
    await this.release('listener', { checkPort: true });
  }

  /** The usual end: close what is open, let the last segments land, then the release checks. */
  async cleanup(client: ReleaseOptions = {}): Promise<void> {
    await this.closeAll();
    await this.settle();
    await this.releaseAll(client);
  }

  async release(side: 'client' | 'server' | 'listener', opts: ReleaseOptions = {}): Promise<void> {
    let rep: ReleaseReport;
    try {
      rep = await waitReleased(this.tracked[side]!, { timeoutMs: 1500, ...opts });
    } catch {
      rep = checkReleased(this.tracked[side]!, opts);
    }
    this.r.releases[side] = rep;
  }

  async finish(): Promise<ScenarioResult> {
    await this.closeAll();
    if (this.cap) {
      await this.cap.settle(30, 1000);
      if (this.opts.pcapPath) this.cap.writePcap(this.opts.pcapPath);
      this.r.captureDrops = this.cap.kernelDrops();
      this.r.segments = this.cap.stop();
    }
    this.r.fds.socketsAfter = socketFds().length;
    return this.r;
  }

  /** Whatever happens, stop the capture and free the handles. */
  abort(): void {
    this.cap?.stop();
    for (const h of [this.client, this.server, this.listener]) if (h !== undefined && W.openHandles().includes(h)) W.closesocket(h);
  }
}

/** Make sure Winsock is started for the scenario (reference counted, so harmless if the caller started it). */
function started<T>(fn: () => Promise<T>): Promise<T> {
  if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
  return fn().finally(() => W.WSACleanup());
}

const steps: Record<ScenarioName, (x: Run, o: ScenarioOptions) => Promise<void>> = {
  async 'four-way-close'(x) {
    await x.connect();
    x.held('client before', x.client);
    x.held('server before', x.server);
    const m0 = x.segIndex;
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.mark('client SD_SEND');
    // The passive side waits for its own ACK of the FIN to leave before it
    // closes, so the close shows four segments rather than three (DESIGN.md).
    await x.expectSegment({ from: x.r.server, flags: 'ACK', withoutFlags: 'FIN' }, m0);
    x.held('client after SD_SEND', x.client);
    x.observe('server recv after client FIN', x.server, 'server');
    x.held('server after EOF', x.server);
    await delay(20);
    x.mark('server close');
    await x.close('server');
    x.kernel('server after closesocket', 'server');
    await x.expectSegment({ from: x.r.client, flags: 'ACK', withoutFlags: 'FIN' }, x.r.marks['server close']!);
    x.kernel('client after server FIN', 'client');
    x.observe('client recv after server FIN', x.client, 'client');
    await x.close('client');
    await x.close('listener');
    await x.settle();
    x.kernel('client final', 'client');
    x.kernel('server final', 'server');
    await x.releaseAll();
  },

  async 'wsasenddisconnect-fin'(x) {
    await x.connect();
    x.call('client', 'WSASendDisconnect(client)', () => W.WSASendDisconnect(x.client));
    x.mark('client disconnect');
    x.observe('server recv after WSASendDisconnect', x.server, 'server');
    x.call('client', 'send(client) after WSASendDisconnect', () => W.send(x.client, Buffer.from('x')));
    await x.settle();
    await x.close('server');
    x.observe('client recv after server close', x.client, 'client');
    await x.close('client');
    await x.close('listener');
    await x.settle();
    x.kernel('client final', 'client');
    await x.releaseAll();
  },

  async 'sd-receive-silent'(x) {
    await x.connect();
    x.mark('before SD_RECEIVE');
    x.call('client', 'shutdown(client, SD_RECEIVE)', () => W.shutdown(x.client, W.SD_RECEIVE));
    await x.settle(100);
    x.mark('after SD_RECEIVE settle');
    x.held('client after SD_RECEIVE', x.client);
    // The connection still carries data the other way.
    x.call('client', 'send(client) after SD_RECEIVE', () => W.send(x.client, Buffer.from('still-sending')));
    x.observe('server recv after client SD_RECEIVE', x.server, 'server');
    x.call('client', 'shutdown(client, SD_SEND)', () => W.shutdown(x.client, W.SD_SEND));
    x.observe('server recv after client SD_SEND', x.server, 'server');
    await x.close('server');
    await x.settle();
    await x.cleanup();
  },

  async 'data-after-sd-receive-rst'(x) {
    await x.connect();
    x.call('client', 'shutdown(client, SD_RECEIVE)', () => W.shutdown(x.client, W.SD_RECEIVE));
    await x.settle(50);
    x.mark('server sends');
    x.call('server', 'send(server)', () => W.send(x.server, Buffer.from('late data')));
    // No call on the client: the library must notice the data by itself.
    await x.expectSegment({ from: x.r.client, flags: 'RST' }, x.r.marks['server sends']!, 1500);
    if (!x.cap) await delay(200);
    x.observe('server recv after RST', x.server, 'server');
    x.call('client', 'recv(client) after reset', () => W.recv(x.client, Buffer.alloc(16)));
    x.kernel('client after RST', 'client');
    await x.cleanup({ abortive: true });
  },

  async 'sd-both-unread-rst'(x) {
    await x.connect();
    x.unreadOnClient('never read');
    x.mark('client SD_BOTH');
    x.call('client', 'shutdown(client, SD_BOTH)', () => W.shutdown(x.client, W.SD_BOTH));
    await x.settle();
    x.observe('server recv after SD_BOTH', x.server, 'server');
    x.kernel('client after SD_BOTH', 'client');
    await x.cleanup({ abortive: true });
  },

  async 'linger-zero-rst'(x) {
    await x.connect();
    x.call('client', 'setsockopt(client, SO_LINGER, {1,0})', () =>
      W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }),
    );
    await x.closeClient('server recv after abortive close');
    await x.release('client', { abortive: true });
    await x.cleanup();
  },

  async 'unread-data-close-rst'(x) {
    await x.connect();
    x.unreadOnClient('unread at close');
    await x.closeClient('server recv after close');
    await x.release('client', { abortive: true });
    await x.cleanup();
  },

  async 'default-close-time-wait'(x) {
    await x.connect();
    await x.closeClient('server recv after client close');
    x.mark('server close');
    await x.close('server');
    await x.settle();
    x.kernel('client final', 'client');
    x.kernel('server final', 'server');
    await x.close('listener');
    await x.releaseAll();
  },

  async 'linger-timeout-rst'(x, o) {
    const n = o.lingerSeconds ?? 1;
    // Small buffers so that a little unread data fills the peer's window and our send queue.
    await x.connect({
      listener: (s) => void W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, 4096),
      client: (s) => void W.setsockopt(s, W.SOL_SOCKET, W.SO_SNDBUF, 4096),
    });
    ok(W.ioctlsocket(x.client, W.FIONBIO, [1]), 'FIONBIO 1');
    const chunk = Buffer.alloc(16384, 0x61);
    let sent = 0;
    for (let i = 0; i < 10000; i++) {
      const rc = W.send(x.client, chunk);
      if (rc === W.SOCKET_ERROR) break;
      sent += rc;
      if (i % 16 === 15) await delay(1); // let the window close
    }
    x.r.timing['bytes queued'] = sent;
    ok(W.ioctlsocket(x.client, W.FIONBIO, [0]), 'FIONBIO 0');
    x.call('client', `setsockopt(client, SO_LINGER, {1,${n}})`, () =>
      W.setsockopt(x.client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: n }),
    );
    x.mark('client close');
    const t0 = Date.now();
    await x.close('client');
    x.r.timing['closesocket ms'] = Date.now() - t0;
    x.r.timing['close start'] = t0;
    await x.settle();
    x.kernel('client after closesocket', 'client');
    await x.release('client', { abortive: true });
    await x.cleanup();
  },
};

/** Run one scenario end to end with the real API. */
export function runScenario(name: ScenarioName, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  if (!(name in steps)) throw new RangeError(`unknown scenario ${name}; known: ${Object.keys(steps).join(', ')}`);
  return started(async () => {
    const x = new Run(name, opts);
    try {
      await steps[name](x, opts);
      const r = await x.finish();
      if (name === 'linger-timeout-rst' && r.segments.length) {
        const rst = r.segments.find((s) => s.src === r.client && s.flags.includes('RST'));
        if (rst) r.timing['RST after close ms'] = rst.time * 1000 - r.timing['close start']!;
      }
      return r;
    } catch (e) {
      x.abort();
      throw e;
    }
  });
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
    const la = {} as SockAddr;
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
