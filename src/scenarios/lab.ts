// The lab: runs a scenario's steps with the real Winsock API and observes
// them (loopback capture, TCP_INFO, the kernel's table, release checks), then
// judges the observations against the scenario's expected outcome.
//
// Scenarios that need faults or sysctls run in a child process inside a
// private network namespace created for the run and always deleted
// (netns.ts); the child returns its result as JSON and the parent judges it
// the same way.
//
// Client and server live in one thread. Nothing here may block forever: every
// recv is preceded by a bounded WSAPoll, and the only deliberately blocking
// call is closesocket with linger {1,N}, bounded by N.
import { fileURLToPath } from 'node:url';
import * as W from '../index.js';
import type { SOCKET, SockAddr } from '../index.js';
import { startCapture, type Capture } from '../harness/capture.js';
import type { Segment } from '../harness/decode.js';
import { clearRules, droppedCounts, dropRules, setSysctls, type DropSpec } from '../harness/faults.js';
import { findSegments, type SegmentMatch } from '../harness/match.js';
import { inHarnessNamespace, isolationSupport, runInNamespace } from '../harness/netns.js';
import {
  checkReleased,
  socketFds,
  track,
  waitReleased,
  type ReleaseOptions,
  type ReleaseReport,
  type Tracked,
} from '../harness/resources.js';
import { connectionState, fdTcpState } from '../harness/tcpstate.js';
import { judge } from './judge.js';
import type { ApiCall, Scenario, ScenarioOptions, ScenarioResult, Side } from './model.js';

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Throw with the WSA code's name when a setup call fails (setup failures end the run with a message). */
export function ok(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR || rc === W.INVALID_SOCKET) throw new Error(`${what} failed: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

export const loopbackOf = (af: number): string => (af === W.AF_INET6 ? '::1' : '127.0.0.1');

/** What a scenario's steps use: the sockets, the capture and the records the verdict reads. */
export class Lab {
  readonly r: ScenarioResult;
  cap: Capture | undefined;
  listener!: SOCKET;
  client!: SOCKET;
  server!: SOCKET;
  /** The listener's address once `listen()` ran. */
  la!: SockAddr;
  tracked: Partial<Record<Side, Tracked>> = {};
  /** Other sockets a scenario opened (closed at the end, whatever happens). */
  readonly extra: SOCKET[] = [];
  private faults: { spec: DropSpec; m: SegmentMatch; count: number; seen: number }[] = [];
  private faultTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly scenario: Scenario,
    readonly opts: ScenarioOptions,
  ) {
    this.r = {
      name: scenario.name,
      title: scenario.title,
      ran: true,
      captured: false,
      where:
        process.env.WSC_NAMESPACE && process.env.WSC_NAMESPACE !== '1'
          ? process.env.WSC_NAMESPACE
          : inHarnessNamespace()
            ? 'anonymous (unshare -rn)'
            : 'loopback',
      client: '',
      server: '',
      segments: [],
      calls: [],
      peer: {},
      states: {},
      marks: {},
      releases: {},
      figures: {},
      notes: [],
      captureDrops: 0,
      fds: { socketsBefore: socketFds().length, socketsAfter: -1 },
      verdict: { ok: false, line: '', checks: [] },
      ms: 0,
    };
  }

  get af(): number {
    return this.opts.af ?? W.AF_INET;
  }

  get segIndex(): number {
    return this.cap ? this.cap.mark() : 0;
  }

  /** Make an API call, record its rc, error and the segment index after it. */
  call(side: Side, call: string, fn: () => number): number {
    const time = Date.now() / 1000;
    const t0 = performance.now();
    const rc = fn();
    const err = rc === W.SOCKET_ERROR ? W.wsaErrorName(W.WSAGetLastError()) : undefined;
    const ms = performance.now() - t0;
    this.cap?.drain();
    this.r.calls.push({ side, call, rc, ...(err ? { error: err } : {}), segIndex: this.segIndex, time, ms });
    return rc;
  }

  mark(label: string): void {
    this.r.marks[label] = this.segIndex;
  }

  figure(name: string, value: number): void {
    this.r.figures[name] = Math.round(value * 1000) / 1000;
  }

  note(line: string): void {
    this.r.notes.push(line);
  }

  /** A listener on loopback (port 0) and the capture, filtered on its port. */
  listen(backlog = 16, tweak?: (s: SOCKET) => void): SockAddr {
    const loop: SockAddr = { family: this.af, address: loopbackOf(this.af), port: 0 };
    this.listener = ok(W.socket(this.af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
    tweak?.(this.listener);
    ok(W.bind(this.listener, loop), 'bind');
    this.call('listener', `listen(listener, ${backlog})`, () => W.listen(this.listener, backlog));
    const la = {} as SockAddr;
    ok(W.getsockname(this.listener, la), 'getsockname');
    this.la = la;
    this.tracked.listener = track(this.listener);
    this.r.server = this.tracked.listener.local!;
    if (this.opts.capture !== false) {
      try {
        this.cap = startCapture({ ports: [la.port] });
        this.r.captured = true;
      } catch (e) {
        this.r.captureNote = e instanceof Error ? e.message : String(e);
      }
    } else this.r.captureNote = 'capture disabled';
    return la;
  }

  /** A new client socket (not connected). */
  socket(tweak?: (s: SOCKET) => void): SOCKET {
    const s = ok(W.socket(this.af, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
    tweak?.(s);
    return s;
  }

  /** Listener, capture, connected pair (blocking connect, then accept). */
  setup(tweak?: { listener?: (s: SOCKET) => void; client?: (s: SOCKET) => void }): void {
    this.listen(16, tweak?.listener);
    this.client = this.socket(tweak?.client);
    this.call('client', 'connect(client)', () => W.connect(this.client, this.la));
    this.server = this.call('server', 'accept(listener)', () => W.accept(this.listener));
    ok(this.server, 'accept');
    this.trackPair();
    this.mark('connected');
  }

  /** Record client and server for release checks and name the two ends. */
  trackPair(): void {
    this.tracked.client = track(this.client);
    this.tracked.server = track(this.server);
    this.r.client = this.tracked.client.local!;
    this.r.server = this.tracked.server.local!;
  }

  /** setup(), then let the handshake's last ACK land. */
  async connect(tweak?: Parameters<Lab['setup']>[0]): Promise<void> {
    this.setup(tweak);
    await this.settle();
  }

  /** The server sends `text`; the client lets it arrive and leaves it unread in its receive queue. */
  unreadOnClient(text: string): void {
    this.call('server', 'send(server)', () => W.send(this.server, Buffer.from(text)));
    W.WSAPoll([{ fd: this.client, events: W.POLLRDNORM, revents: 0 }], 1000);
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
  observe(label: string, h: SOCKET, side: Side, timeoutMs = 2000): string {
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
  async settle(ms = 30, maxMs = 1000): Promise<void> {
    if (this.cap) await this.cap.settle(ms, maxMs);
    else await delay(ms);
  }

  /** Wait for a segment from index `since`; resolves with it, or undefined after the timeout (the checks judge). */
  async waitSegment(m: SegmentMatch, since: number, timeoutMs = 1000): Promise<Segment | undefined> {
    if (!this.cap) return void (await delay(Math.min(timeoutMs, 50)));
    try {
      return await this.cap.waitFor(m, timeoutMs, since);
    } catch {
      return undefined;
    }
  }

  /**
   * Drop the next `count` segments matching `spec` (an nft rule in this private
   * namespace), marking them `dropped` in the capture; the rule is removed once
   * that many were seen leaving. `count` Infinity: until clearFaults().
   */
  drop(spec: DropSpec, count = 1): void {
    const rules = this.install([...this.faults.map((f) => f.spec), spec]);
    this.note(`nft (input hook, this namespace only): ${rules[rules.length - 1]}${Number.isFinite(count) ? `, first ${count}` : ''}`);
    const m: SegmentMatch = {
      ...(spec.dport !== undefined ? { to: spec.dport } : {}),
      ...(spec.sport !== undefined ? { from: spec.sport } : {}),
      ...(spec.exactFlags ? { exactFlags: spec.exactFlags } : {}),
      ...(spec.flags ? { flags: spec.flags } : {}),
    };
    this.faults.push({ spec, m, count, seen: this.segIndex });
    this.faultTimer ??= setInterval(() => this.checkFaults(), 5);
  }

  /**
   * Replace our rules (one nft transaction). The kernel's counters of the old
   * table are added to `segments dropped by nft` first: a new table starts at 0.
   */
  private install(specs: DropSpec[]): string[] {
    const before = droppedCounts().reduce((a, b) => a + b, 0);
    this.r.figures['segments dropped by nft'] = (this.r.figures['segments dropped by nft'] ?? 0) + before;
    if (specs.length) return dropRules(specs);
    clearRules();
    return [];
  }

  /** Mark what active rules dropped; remove a rule once its count is reached. */
  checkFaults(): void {
    if (!this.cap || this.faults.length === 0) return;
    let changed = false;
    // One snapshot: a segment drained after it must be looked at next time, not skipped.
    const segs = this.cap.segments;
    const n = segs.length;
    for (const f of this.faults) {
      for (const s of findSegments(segs.slice(f.seen, n), f.m)) {
        if (f.count <= 0) break;
        s.dropped = true;
        f.count--;
      }
      f.seen = n;
      if (f.count <= 0) changed = true;
    }
    if (changed) this.setRules(this.faults.filter((f) => f.count > 0));
  }

  private setRules(keep: Lab['faults']): void {
    this.faults = keep;
    this.install(keep.map((f) => f.spec));
    if (keep.length === 0) {
      if (this.faultTimer) clearInterval(this.faultTimer);
      this.faultTimer = undefined;
    }
  }

  /**
   * Remove every drop rule now. A segment the rules dropped just before they
   * went (after the last look at the capture) is counted by nft but not yet
   * marked: once the rules are gone, what the capture holds from before that
   * moment and matches a rule was dropped by it.
   */
  clearFaults(): void {
    this.checkFaults();
    if (!this.faults.length) return;
    const last = this.faults;
    this.setRules([]);
    const cut = Date.now() / 1000;
    if (!this.cap) return;
    const segs = this.cap.segments;
    for (const f of last) {
      for (const s of findSegments(segs.slice(f.seen), f.m)) {
        if (f.count <= 0 || s.time > cut) break;
        if (!s.dropped) {
          s.dropped = true;
          f.count--;
        }
      }
    }
  }

  async close(side: Side): Promise<void> {
    const h = side === 'client' ? this.client : side === 'server' ? this.server : this.listener;
    if (h !== undefined && W.openHandles().includes(h)) this.call(side, `closesocket(${side})`, () => W.closesocket(h));
  }

  /** Close whatever is still open (client, server, listener, in that order). */
  async closeAll(): Promise<void> {
    for (const s of ['client', 'server', 'listener'] as const) await this.close(s);
    for (const h of this.extra) if (W.openHandles().includes(h)) W.closesocket(h);
  }

  async release(side: Side, opts: ReleaseOptions = {}): Promise<void> {
    const t = this.tracked[side];
    if (!t) return;
    let rep: ReleaseReport;
    try {
      rep = await waitReleased(t, { timeoutMs: 1500, ...opts });
    } catch {
      rep = checkReleased(t, opts);
    }
    this.r.releases[side] = rep;
  }

  /** Release checks of every socket not checked yet: the client with `client`'s options, the listener's port too. */
  async releaseAll(client: ReleaseOptions = {}): Promise<void> {
    if (!this.r.releases.client) await this.release('client', client);
    if (!this.r.releases.server) await this.release('server');
    if (!this.r.releases.listener) await this.release('listener', { checkPort: true });
  }

  /** The usual end: close what is open, let the last segments land, then the release checks. */
  async cleanup(client: ReleaseOptions = {}): Promise<void> {
    await this.closeAll();
    await this.settle();
    await this.releaseAll(client);
  }

  async finish(): Promise<ScenarioResult> {
    await this.closeAll();
    if (this.cap) {
      await this.cap.settle(30, 1000);
      this.checkFaults();
      if (this.opts.pcapPath) this.cap.writePcap(this.opts.pcapPath);
      this.r.captureDrops = this.cap.kernelDrops();
      this.r.segments = this.cap.stop();
    }
    this.clearFaults();
    this.r.fds.socketsAfter = socketFds().length;
    return this.r;
  }

  /** Whatever happens, stop the capture, remove the rules and free the handles. */
  abort(): void {
    if (this.faultTimer) clearInterval(this.faultTimer);
    if (this.faults.length) clearRules();
    this.cap?.stop();
    for (const h of [this.client, this.server, this.listener, ...this.extra])
      if (h !== undefined && W.openHandles().includes(h)) W.closesocket(h);
  }
}

/** The child entry a namespace run starts: child.ts from sources (tsx), child.js from dist/. */
function childScript(): { script: string; nodeArgs: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './child.ts' : './scenario-child.js', import.meta.url);
  return { script: fileURLToPath(url), nodeArgs: fromSource ? ['--import', 'tsx'] : [] };
}

/** Run the steps here, in this process and namespace. */
export async function runHere(sc: Scenario, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
  const t0 = Date.now();
  const x = new Lab(sc, opts);
  try {
    if (sc.namespace?.sysctls) {
      setSysctls(sc.namespace.sysctls);
      for (const [k, v] of Object.entries(sc.namespace.sysctls)) x.note(`sysctl (this namespace only): ${k} = ${v}`);
    }
    await sc.run(x, opts);
    const r = await x.finish();
    r.ms = Date.now() - t0;
    r.verdict = judge(sc, r);
    return r;
  } catch (e) {
    x.abort();
    throw e;
  } finally {
    W.WSACleanup();
  }
}

/** A result for a scenario that could not run here, with the reason in one line. */
function skipped(sc: Scenario, reason: string): ScenarioResult {
  return {
    name: sc.name,
    title: sc.title,
    ran: false,
    skipped: reason,
    captured: false,
    where: 'nowhere',
    client: '',
    server: '',
    segments: [],
    calls: [],
    peer: {},
    states: {},
    marks: {},
    releases: {},
    figures: {},
    notes: [],
    captureDrops: 0,
    fds: { socketsBefore: 0, socketsAfter: 0 },
    verdict: { ok: false, line: `SKIPPED: ${reason}`, checks: [] },
    ms: 0,
  };
}

/**
 * Run one scenario end to end: here when it needs nothing special (or when this
 * process already is in a namespace of the harness), otherwise in a child
 * inside a namespace created for it and deleted after it. `isolate` runs any
 * scenario that way (the CLI's choice when this process cannot capture but a
 * namespace can: `unshare -rn` grants CAP_NET_RAW inside).
 */
export async function runScenario(sc: Scenario, options: ScenarioOptions & { isolate?: boolean } = {}): Promise<ScenarioResult> {
  const { isolate, ...opts } = options;
  if ((!sc.namespace && !isolate) || inHarnessNamespace()) return runHere(sc, opts);
  const support = isolationSupport();
  if (support.mode === 'none') return skipped(sc, `needs a private network namespace: ${support.reason}`);
  const { script, nodeArgs } = childScript();
  const run = await runInNamespace(script, {
    args: [sc.name, JSON.stringify(opts)],
    nodeArgs,
    timeoutMs: ((sc.seconds ?? 2) + 20) * 1000,
  });
  const res = run.result as { result?: ScenarioResult; error?: string } | undefined;
  if (!res?.result) {
    throw new Error(
      `${sc.name} failed in its namespace (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${res?.error ?? run.stderr.slice(-2000)}`,
    );
  }
  return res.result;
}
