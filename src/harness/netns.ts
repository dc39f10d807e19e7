// Isolation: run a scenario inside a private network namespace that is created
// for it and deleted after it.
//
// Why a child process: a network namespace belongs to a thread, and Node's
// threads (libuv's pool, V8's helpers) cannot all be moved into one, so the
// scenario runs as its own `node` process started inside the namespace:
//   root:      ip netns add NAME; ip netns exec NAME ip link set lo up;
//              ip netns exec NAME node ... ; ip netns del NAME
//   non-root:  unshare -rn (a user namespace maps us to root inside it, which
//              also grants CAP_NET_RAW for the capture); the namespace dies
//              with the process, nothing to delete.
// The namespace has its own loopback, port space, TIME_WAIT table and
// /proc/net/tcp, so churn and fault injection there never touch the machine's
// own namespace (DESIGN.md: never change nftables, tc or sysctls outside).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readlinkSync } from 'node:fs';

export type IsolationMode = 'netns' | 'unshare';

export interface IsolationSupport {
  mode: IsolationMode | 'none';
  /** One line saying which mode and why (or why none). */
  reason: string;
}

let cached: IsolationSupport | undefined;

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = `${dir}/${cmd}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** This process's network namespace (`net:[inode]`), or '' where /proc does not say. */
export function ownNetns(): string {
  try {
    return readlinkSync('/proc/self/ns/net');
  } catch {
    return '';
  }
}

/** Which isolation this process can get (probed once, by really trying). */
export function isolationSupport(): IsolationSupport {
  if (cached) return cached;
  if (process.platform !== 'linux') return (cached = { mode: 'none', reason: 'network namespaces need Linux' });
  const ip = which('ip');
  const isRoot = process.getuid?.() === 0;
  if (isRoot && ip) {
    const name = `wsc-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
    guard({ namespace: name }); // deleted by our handler if a signal comes mid-probe
    const add = spawnSync(ip, ['netns', 'add', name], { encoding: 'utf8' });
    if (add.status === 0) spawnSync(ip, ['netns', 'del', name]);
    unguard({ namespace: name });
    if (add.status === 0) return (cached = { mode: 'netns', reason: 'root: ip netns add/exec/del' });
  }
  const unshare = which('unshare');
  if (unshare) {
    const r = spawnSync(unshare, ['-rn', 'true'], { encoding: 'utf8' });
    if (r.status === 0) return (cached = { mode: 'unshare', reason: 'unprivileged user + network namespace (unshare -rn)' });
    return (cached = {
      mode: 'none',
      reason: `no network namespace: not root and unshare -rn failed (${(r.stderr || '').trim().split('\n')[0] || `exit ${r.status}`})`,
    });
  }
  return (cached = { mode: 'none', reason: 'no network namespace: neither `ip` as root nor `unshare` available' });
}

/**
 * Gate for wire-level tests: `skip` is true only where isolation is impossible
 * *and* CI is not set. Under CI=true the tests always run, so a CI machine
 * without the privileges fails loudly instead of passing by skipping.
 */
export function namespaceGate(): { skip: boolean; reason: string } {
  const s = isolationSupport();
  if (s.mode !== 'none') return { skip: false, reason: s.reason };
  if (process.env.CI === 'true') return { skip: false, reason: `CI=true: running anyway (${s.reason})` };
  return { skip: true, reason: s.reason };
}

export interface NamespaceRunOptions {
  args?: string[];
  /** Kill the scenario after this long (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Node flags; default `--import tsx` for .ts/.mts scripts (tsx resolved from `cwd`). */
  nodeArgs?: string[];
  /** Working directory of the scenario (default: this process's). */
  cwd?: string;
  /** Force a mode instead of the best available. */
  mode?: IsolationMode;
}

export interface NamespaceRun {
  mode: IsolationMode;
  /** The namespace's name (`ip netns`), or `unshare` for the anonymous kind. */
  namespace: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The last `reportResult()` payload the scenario printed, parsed. */
  result: unknown;
  durationMs: number;
}

const RESULT_TAG = 'WSC-RESULT ';

/** Called inside a scenario script: hand a JSON-able result back to the parent. */
export function reportResult(value: unknown): void {
  process.stdout.write(`${RESULT_TAG}${JSON.stringify(value)}\n`);
}

function parseResult(stdout: string): unknown {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_TAG));
  return line ? JSON.parse(line.slice(RESULT_TAG.length)) : undefined;
}

/** Network namespaces that exist now (`ip netns list`); used by tests to prove cleanup. */
export function listNamespaces(): string[] {
  const ip = which('ip');
  if (!ip) return [];
  const r = spawnSync(ip, ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout || '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

function run(cmd: string, args: string[], opts: { timeoutMs: number; env: NodeJS.ProcessEnv; cwd: string }) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }>((res) => {
    // detached: the child leads its own process group, so a timeout kills the
    // whole group (ip netns exec -> node) and nothing outlives the test.
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pgid = child.pid;
    if (pgid) guard({ pgid });
    child.once('close', () => pgid && unguard({ pgid }));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr, timedOut });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      res({ code: null, signal: null, stdout, stderr: stderr + String(e), timedOut });
    });
  });
}

// Namespaces this process created and has not deleted yet, and the process
// groups of scenarios still running. If this process exits or is told to stop
// mid-run (vitest tears a worker down with SIGTERM after a test timeout), the
// groups are killed and the namespaces deleted on the way out, so no `wsc-*`
// namespace and no detached scenario outlives the test that made it. (SIGKILL
// cannot be caught: nothing can clean up after that.)
const live = new Set<string>();
const groups = new Set<number>();
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
let exitHooked = false;
let signalsHooked = false;

function cleanupNow(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  groups.clear();
  const ip = live.size ? which('ip') : undefined;
  if (ip) for (const name of live) spawnSync(ip, ['netns', 'del', name]);
  live.clear();
}

function onStopSignal(sig: NodeJS.Signals): void {
  cleanupNow();
  unhookSignals();
  // Then do what the signal would have done without us (unless someone else handles it).
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function unhookSignals(): void {
  if (!signalsHooked) return;
  signalsHooked = false;
  for (const sig of STOP_SIGNALS) process.off(sig, onStopSignal);
}

/** Register a namespace or a running process group for cleanup if this process stops first. */
function guard(item: { namespace?: string; pgid?: number }): void {
  if (item.namespace) live.add(item.namespace);
  if (item.pgid) groups.add(item.pgid);
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', cleanupNow);
  }
  if (!signalsHooked) {
    signalsHooked = true;
    for (const sig of STOP_SIGNALS) process.on(sig, onStopSignal);
  }
}

function unguard(item: { namespace?: string; pgid?: number }): void {
  if (item.namespace) live.delete(item.namespace);
  if (item.pgid) groups.delete(item.pgid);
  if (live.size === 0 && groups.size === 0) unhookSignals(); // no lasting change to the process's signal handling
}

/**
 * Run `script` (a .ts or .js file) with node inside a fresh network namespace
 * whose loopback is up; the namespace is deleted afterwards, also on failure
 * or timeout. Throws when no isolation is available.
 */
export async function runInNamespace(script: string, opts: NamespaceRunOptions = {}): Promise<NamespaceRun> {
  const support = isolationSupport();
  const mode = opts.mode ?? (support.mode === 'none' ? undefined : support.mode);
  if (!mode) throw new Error(`cannot isolate: ${support.reason}`);
  const nodeArgs = opts.nodeArgs ?? (/\.[mc]?ts$/.test(script) ? ['--import', 'tsx'] : []);
  const argv = [process.execPath, ...nodeArgs, script, ...(opts.args ?? [])];
  const common = {
    timeoutMs: opts.timeoutMs ?? 60_000,
    // WSC_PARENT_NETNS: the namespace the run started from, which a fault must never touch (faults.ts).
    env: { ...process.env, ...opts.env, WSC_NAMESPACE: '1', WSC_PARENT_NETNS: ownNetns() },
    cwd: opts.cwd ?? process.cwd(),
  };
  const t0 = Date.now();
  if (mode === 'netns') {
    const ip = which('ip')!;
    const name = `wsc-${process.pid}-${randomBytes(4).toString('hex')}`;
    // Registered before it exists: a SIGINT arriving while `ip netns add` runs
    // must find our handler (not the default action, which would leave it behind).
    guard({ namespace: name });
    const add = spawnSync(ip, ['netns', 'add', name], { encoding: 'utf8' });
    if (add.status !== 0) {
      unguard({ namespace: name });
      throw new Error(`ip netns add ${name} failed: ${add.stderr.trim()}`);
    }
    try {
      const up = spawnSync(ip, ['netns', 'exec', name, ip, 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
      if (up.status !== 0) throw new Error(`bringing lo up in ${name} failed: ${up.stderr.trim()}`);
      const r = await run(ip, ['netns', 'exec', name, ...argv], { ...common, env: { ...common.env, WSC_NAMESPACE: name } });
      return { mode, namespace: name, ...r, result: safeParse(r.stdout), durationMs: Date.now() - t0 };
    } finally {
      spawnSync(ip, ['netns', 'del', name]);
      unguard({ namespace: name });
    }
  }
  // unshare -rn: bring lo up inside (harmless if `ip` is missing: the scenario then reports the failure).
  const shell = `ip link set lo up 2>/dev/null || /usr/sbin/ip link set lo up 2>/dev/null; exec "$@"`;
  const r = await run(which('unshare') ?? 'unshare', ['-rn', '--', 'sh', '-c', shell, 'sh', ...argv], common);
  return { mode, namespace: 'unshare', ...r, result: safeParse(r.stdout), durationMs: Date.now() - t0 };
}

function safeParse(stdout: string): unknown {
  try {
    return parseResult(stdout);
  } catch {
    return undefined;
  }
}

/** True when this process runs inside a namespace made by runInNamespace. */
export const inHarnessNamespace = (): boolean => process.env.WSC_NAMESPACE !== undefined;

/**
 * Gate for tests that need the loopback capture: run where a packet socket
 * opens; skip with a one-line reason elsewhere, except under CI=true, where
 * the test runs (and fails) rather than skip.
 */
export function wireGate(probe: () => { ok: true } | { ok: false; reason: string }): { skip: boolean; reason: string } {
  const a = probe();
  if (a.ok) return { skip: false, reason: 'capture available' };
  if (process.env.CI === 'true') return { skip: false, reason: `CI=true: running anyway (${a.reason})` };
  return { skip: true, reason: a.reason };
}
