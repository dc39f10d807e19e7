// Resource checks: is a closed socket really gone, at every layer?
//
//   handle  -> the library's table: answers WSAENOTSOCK, absent from openHandles()
//   fd      -> /proc/self/fd: the descriptor is gone (or now names a different file)
//   kernel  -> /proc/net/tcp{,6}: the socket left the table, or only a TIME_WAIT
//              with no owner (inode 0) remains, which Winsock's graceful close
//              leaves too and which no process can leak
//   port    -> after an abortive close the local port can be bound again
//
// A check needs facts from *before* the close (which fd, which socket inode,
// which endpoints), because afterwards the handle no longer says. track(h)
// records them; checkReleased / assertReleased / waitReleased use them.
import { readdirSync, readlinkSync } from 'node:fs';
import * as api from '../api.js';
import { setCloseObserver } from '../hooks.js';
import { SOCKET_ERROR, type SockAddr, type SOCKET } from '../constants.js';
import { WSA } from '../errors.js';
import { formatEndpoint } from './decode.js';
import { bindable, E } from './sys.js';
import { findConnections, kernelConnections, type KernelConnection } from './tcpstate.js';

export { openHandles, nativeFd } from '../api.js';

/** One open descriptor of this process. */
export interface FdInfo {
  fd: number;
  /** readlink of /proc/self/fd/N: a path, `socket:[inode]`, `pipe:[...]`, `anon_inode:...` */
  target: string;
  /** The socket inode when the fd is a socket. */
  socketInode?: number;
}

/** The process's descriptors from /proc/self/fd (the directory's own fd excluded). */
export function processFds(): FdInfo[] {
  const out: FdInfo[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // the fd readdir itself used, closed by now
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    out.push(m ? { fd, target, socketInode: Number(m[1]) } : { fd, target });
  }
  return out;
}

/** How many descriptors the process holds. */
export function fdCount(): number {
  return processFds().length;
}

/** Descriptors that are sockets. */
export function socketFds(): FdInfo[] {
  return processFds().filter((f) => f.socketInode !== undefined);
}

/** The socket inode behind a Linux fd, or undefined when the fd is not an open socket. */
export function socketInodeOfFd(fd: number): number | undefined {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** What a release check needs to know about a socket, recorded while it is open. */
export interface Tracked {
  handle: SOCKET;
  fd?: number;
  inode?: number;
  /** `addr:port` from getsockname, when bound. */
  local?: string;
  /** `addr:port` from getpeername, when connected. */
  remote?: string;
  family?: number;
}

function sockAddrOf(fn: typeof api.getsockname, h: SOCKET): SockAddr | undefined {
  const saved = api.WSAGetLastError();
  const out: SockAddr = { family: 0, address: '', port: 0 };
  const rc = fn(h, out);
  api.WSASetLastError(saved); // a probe must not disturb the program's last error
  return rc === 0 ? out : undefined;
}

/** The local endpoint of a live handle as a SockAddr (for `from:` in segment matches). */
export function localAddress(h: SOCKET): SockAddr | undefined {
  return sockAddrOf(api.getsockname, h);
}

/** The peer endpoint of a live handle. */
export function peerAddress(h: SOCKET): SockAddr | undefined {
  return sockAddrOf(api.getpeername, h);
}

/** Record a live handle's fd, socket inode and endpoints, for a release check after it is closed. */
export function track(h: SOCKET): Tracked {
  const fd = api.nativeFd(h);
  const t: Tracked = { handle: h };
  if (fd !== undefined) {
    t.fd = fd;
    const inode = socketInodeOfFd(fd);
    if (inode !== undefined) t.inode = inode;
  }
  const l = localAddress(h);
  if (l) {
    t.local = formatEndpoint(l.address, l.port);
    t.family = l.family;
  }
  const r = peerAddress(h);
  if (r) t.remote = formatEndpoint(r.address, r.port);
  return t;
}

export interface ReleaseOptions {
  fd?: number;
  inode?: number;
  local?: string;
  remote?: string;
  /** The close was abortive (RST): no TIME_WAIT may remain and the port must be bindable again. */
  abortive?: boolean;
  /** Check the local port can be bound again (default: when abortive). */
  checkPort?: boolean;
  /** Accept an unowned socket still finishing its close (FIN_WAIT_1/2, CLOSING, LAST_ACK). */
  allowOrphan?: boolean;
}

/**
 * What each layer was found to be, as fixed values a caller can compare
 * (the `checks` lines say the same in words, for people).
 */
export interface ReleaseStatus {
  /** released: answers WSAENOTSOCK; not-started: Winsock was cleaned up and the table no longer holds it; live: still usable. */
  handle: 'released' | 'not-started' | 'live';
  /** closed; reused: the number now names another file; open: still this socket; unknown: not tracked. */
  fd: 'closed' | 'reused' | 'open' | 'unknown';
  /** gone; time-wait: only an unowned TIME_WAIT remains; closing: an unowned FIN_WAIT/CLOSING/LAST_ACK; owned: still held; unknown. */
  kernel: 'gone' | 'time-wait' | 'closing' | 'owned' | 'unknown';
  /** bindable; other: taken by another socket, not this one; in-use: this connection still holds it; not-checked. */
  port: 'bindable' | 'other' | 'in-use' | 'not-checked';
}

export interface ReleaseReport {
  ok: boolean;
  status: ReleaseStatus;
  problems: string[];
  /** One line per layer saying what was found. */
  checks: { handle: string; fd: string; kernel: string; port: string };
  /** Kernel rows that matched the socket's endpoints. */
  rows: KernelConnection[];
}

/** Can a fresh socket bind `addr:port` (without SO_REUSEADDR)? Uses libc directly so no handle is issued. */
export function portBindable(local: string): { ok: boolean; errno?: number } {
  return bindable(local);
}

/** Check every layer; never throws for a failed check (see `problems`). */
// What track() saw of the most recent closes, taken just before each socket
// was closed: a bare handle given to checkReleased() after its close is then
// checked fully (fd, inode, kernel table), not only against the handle table.
// Bounded: handles are never reused, so an unbounded map would only grow.
const RECENT_CLOSES = 4096;
const closed = new Map<SOCKET, Tracked>();
setCloseObserver((h) => {
  closed.set(h, track(h));
  if (closed.size > RECENT_CLOSES) closed.delete(closed.keys().next().value!);
});

/** The record taken just before `h` was closed, if it was among the last 4096 closes. */
export function trackedAtClose(h: SOCKET): Tracked | undefined {
  return closed.get(h);
}

export function checkReleased(target: SOCKET | Tracked, opts: ReleaseOptions = {}): ReleaseReport {
  const t: Tracked = typeof target === 'number' ? (closed.get(target) ?? { handle: target }) : target;
  const fd = opts.fd ?? t.fd;
  const inode = opts.inode ?? t.inode;
  const local = opts.local ?? t.local;
  const remote = opts.remote ?? t.remote;
  const problems: string[] = [];
  const checks = { handle: '', fd: '', kernel: '', port: 'not checked' };
  const status: ReleaseStatus = { handle: 'live', fd: 'unknown', kernel: 'unknown', port: 'not-checked' };

  // 1. The handle: any call must fail with WSAENOTSOCK.
  const saved = api.WSAGetLastError();
  const probe: SockAddr = { family: 0, address: '', port: 0 };
  const rc = api.getsockname(t.handle, probe);
  const code = api.WSAGetLastError();
  api.WSASetLastError(saved);
  const listed = api.openHandles().includes(t.handle);
  if (rc === SOCKET_ERROR && code === WSA.WSAENOTSOCK && !listed) {
    checks.handle = `handle ${t.handle} answers WSAENOTSOCK`;
    status.handle = 'released';
  } else if (rc === SOCKET_ERROR && code === WSA.WSANOTINITIALISED && !listed) {
    // After the program's last WSACleanup every call answers WSANOTINITIALISED;
    // the table no longer holding the handle is then the evidence.
    checks.handle = `handle ${t.handle} not in the table (Winsock not started: WSANOTINITIALISED)`;
    status.handle = 'not-started';
  } else {
    checks.handle = `handle ${t.handle} still live (getsockname rc=${rc}, error ${code}${listed ? ', in openHandles()' : ''})`;
    problems.push(checks.handle);
  }

  // 2. The descriptor.
  if (fd === undefined) {
    checks.fd = 'fd unknown (track the handle before closing it)';
  } else {
    const nowInode = socketInodeOfFd(fd);
    let target: string | undefined;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      checks.fd = `fd ${fd} closed`;
      status.fd = 'closed';
    } else if (inode !== undefined && nowInode !== inode) {
      checks.fd = `fd ${fd} closed (number since reused for ${target})`;
      status.fd = 'reused';
    } else {
      checks.fd = `fd ${fd} still open (${target})`;
      status.fd = 'open';
      problems.push(checks.fd);
    }
  }
  // Any other descriptor of this process on the same socket (a dup) keeps it
  // alive: an unconnected socket is in no kernel table, so only this shows it.
  if (inode !== undefined) {
    const others = processFds().filter((f) => f.socketInode === inode && f.fd !== fd);
    if (others.length) {
      const line = `socket inode ${inode} still open as fd ${others.map((f) => f.fd).join(', ')}`;
      checks.fd += `; ${line}`;
      status.fd = 'open';
      problems.push(line);
    }
  }

  // 3. The kernel's socket.
  const all = kernelConnections();
  let rows: KernelConnection[] = [];
  if (inode !== undefined) {
    const byInode = all.filter((r) => r.inode === inode);
    if (byInode.length) problems.push(`kernel still has socket inode ${inode} (${byInode.map((r) => `${r.local} ${r.state}`).join(', ')})`);
    rows.push(...byInode);
  }
  if (local !== undefined) {
    const byTuple =
      remote !== undefined
        ? findConnections(local, remote, all)
        : findConnections(local, undefined, all).filter((r) => r.state === 'LISTEN');
    for (const r of byTuple) {
      if (rows.includes(r)) continue;
      rows.push(r);
      if (r.owned) {
        // Owned by some other descriptor (e.g. a listener sharing the port); only ours matters, checked by inode.
        if (inode === undefined) problems.push(`kernel socket ${r.local} -> ${r.remote} ${r.state} is still owned (inode ${r.inode})`);
      } else if (r.state === 'TIME_WAIT') {
        if (opts.abortive) problems.push(`abortive close left ${r.local} -> ${r.remote} in TIME_WAIT`);
      } else if (!opts.allowOrphan) {
        problems.push(`kernel socket ${r.local} -> ${r.remote} still closing (${r.state}, no owner)`);
      }
    }
  }
  rows = rows.filter((r, i) => rows.indexOf(r) === i);
  if (local === undefined && inode === undefined) checks.kernel = 'kernel not checked (no endpoint or inode known)';
  else if (rows.length === 0) {
    checks.kernel = 'kernel socket gone';
    status.kernel = 'gone';
  } else {
    const mine = rows.filter((r) => r.inode === inode || !r.owned);
    status.kernel = mine.some((r) => r.owned)
      ? 'owned'
      : mine.some((r) => r.state !== 'TIME_WAIT')
        ? 'closing'
        : mine.length
          ? 'time-wait'
          : 'gone';
    checks.kernel = rows
      .map((r) => `${r.local} -> ${r.remote} ${r.state}${r.owned ? ` (owned, inode ${r.inode})` : ' (no owner)'}`)
      .join('; ');
  }

  // 4. The port, where an abortive close should have freed it at once.
  if ((opts.checkPort ?? opts.abortive) && local !== undefined) {
    const b = portBindable(local);
    // An ephemeral port freed by the close may at once be taken by another
    // socket (another test binding port 0, another connection): that holder
    // is not this socket. Only a holder that is this connection (same peer or
    // inode) fails the check; the fd, inode and kernel checks above already
    // prove nothing of this socket is left elsewhere.
    const holders = b.ok || b.errno !== E.EADDRINUSE ? [] : kernelConnections().filter((c) => c.local === local);
    const ours = holders.filter((c) => c.remote === remote || (inode !== undefined && c.inode === inode));
    if (b.ok) {
      checks.port = `port of ${local} bindable again`;
      status.port = 'bindable';
    } else if (b.errno === E.EADDRINUSE && ours.length === 0) {
      status.port = 'other';
      const who = holders.length ? holders.map((c) => `-> ${c.remote} ${c.state}`).join(', ') : 'a socket outside the connection table';
      checks.port = `port of ${local} free of this socket (now used by ${who})`;
    } else {
      checks.port = `port of ${local} not bindable (errno ${b.errno})`;
      status.port = 'in-use';
      problems.push(checks.port);
    }
  }
  return { ok: problems.length === 0, status, problems, checks, rows };
}

/** Throw an Error listing every layer when the socket is not fully released. */
export function assertReleased(target: SOCKET | Tracked, opts: ReleaseOptions = {}): ReleaseReport {
  const r = checkReleased(target, opts);
  if (!r.ok) throw new Error(`socket not released:\n  ${r.problems.join('\n  ')}\n(checks: ${Object.values(r.checks).join('; ')})`);
  return r;
}

/**
 * Poll until the socket is released (the kernel side of a graceful close
 * finishes a moment after closesocket returns); rejects with the last report's
 * problems after `timeoutMs`.
 */
export async function waitReleased(target: SOCKET | Tracked, opts: ReleaseOptions & { timeoutMs?: number } = {}): Promise<ReleaseReport> {
  const end = Date.now() + (opts.timeoutMs ?? 2000);
  for (;;) {
    const r = checkReleased(target, opts);
    if (r.ok || Date.now() > end) return r.ok ? r : assertReleased(target, opts);
    await new Promise((res) => setTimeout(res, 10));
  }
}
