// TCP state, named the way Windows names it (MIB_TCP_STATE / TCPSTATE).
//
// Two sources, because neither covers everything:
// - getsockopt(TCP_INFO) on a descriptor we still hold: exact, for our own sockets.
// - the kernel's table (/proc/net/tcp and /proc/net/tcp6) for any connection in
//   this network namespace, including sockets nobody owns any more: a closed
//   socket in TIME_WAIT or an orphaned FIN_WAIT_2 shows inode 0 there.
//   /proc/net is per network namespace, so inside a namespace the harness created
//   it lists only that namespace's sockets.
import { readFileSync } from 'node:fs';
import { bytesToIp } from '../sockaddr.js';
import { formatEndpoint } from './decode.js';
import { endpointMatcher, type EndpointSpec } from './match.js';
import { tcpInfo } from './sys.js';

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'SYN_RCVD'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT';

/** Windows' MIB_TCP_STATE numbers for the same names (MIB_TCP_STATE_CLOSED = 1 ...). */
export const MIB_TCP_STATE: Record<TcpState, number> = {
  CLOSED: 1,
  LISTEN: 2,
  SYN_SENT: 3,
  SYN_RCVD: 4,
  ESTABLISHED: 5,
  FIN_WAIT_1: 6,
  FIN_WAIT_2: 7,
  CLOSE_WAIT: 8,
  CLOSING: 9,
  LAST_ACK: 10,
  TIME_WAIT: 11,
};

/** Linux's enum (include/net/tcp_states.h) -> Windows name. */
const LINUX_STATES: Record<number, TcpState> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RCVD',
  4: 'FIN_WAIT_1',
  5: 'FIN_WAIT_2',
  6: 'TIME_WAIT',
  7: 'CLOSED',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'SYN_RCVD', // TCP_NEW_SYN_RECV: a request socket, still SYN_RCVD to the peer
};

export function linuxStateName(n: number): TcpState {
  const s = LINUX_STATES[n];
  if (!s) throw new RangeError(`unknown Linux TCP state ${n}`);
  return s;
}

/**
 * State of a TCP socket we hold, by Linux fd (TCP_INFO's first byte is tcpi_state).
 * undefined when the fd is not a TCP socket (or not open).
 */
export function fdTcpState(fd: number): TcpState | undefined {
  if (process.platform !== 'linux') throw new Error('fdTcpState needs Linux (TCP_INFO through libc)');
  const info = tcpInfo(fd);
  return info && LINUX_STATES[info.state];
}

/** One row of the kernel's TCP table. */
export interface KernelConnection {
  local: string;
  remote: string;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  state: TcpState;
  /** Linux state number as in the table (hex `st` column). */
  linuxState: number;
  txQueue: number;
  rxQueue: number;
  uid: number;
  /** Socket inode; 0 means no process owns it (TIME_WAIT, orphans). */
  inode: number;
  /** true when some descriptor still refers to the socket. */
  owned: boolean;
  /**
   * The timer pending on the socket (`tr` column): none, retransmit (also the
   * SYN+ACK timer of a SYN_RCVD entry), keepalive, time-wait, probe (zero window).
   */
  timer: 'none' | 'retransmit' | 'keepalive' | 'time-wait' | 'probe';
  /** Seconds until that timer fires (`tm->when`, in USER_HZ = 100 ticks a second). */
  timerSeconds: number;
  /** Retransmissions so far (`retrnsmt`; for SYN_RCVD, the SYN+ACKs sent again). */
  retransmits: number;
  ipVersion: 4 | 6;
}

// /proc/net/tcp prints addresses as the raw bytes of the in-kernel (network
// order) value read as host-order 32-bit words in hex: on a little-endian CPU
// 127.0.0.1 is `0100007F`. Ports are plain hex host numbers.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function wordBytes(hex8: string): number[] {
  const v = parseInt(hex8, 16);
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return littleEndian ? b.reverse() : b;
}

function decodeAddr(hex: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  return bytesToIp(Uint8Array.from(bytes));
}

const TIMERS: Record<number, KernelConnection['timer']> = { 0: 'none', 1: 'retransmit', 2: 'keepalive', 3: 'time-wait', 4: 'probe' };

/** Parse the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string, ipVersion: 4 | 6): KernelConnection[] {
  const out: KernelConnection[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [lh, lp] = f[1]!.split(':') as [string, string];
    const [rh, rp] = f[2]!.split(':') as [string, string];
    const [tx, rx] = f[4]!.split(':') as [string, string];
    const linuxState = parseInt(f[3]!, 16);
    const localAddr = decodeAddr(lh);
    const remoteAddr = decodeAddr(rh);
    const localPort = parseInt(lp, 16);
    const remotePort = parseInt(rp, 16);
    const inode = Number(f[9]);
    const [tr, when] = f[5]!.split(':') as [string, string];
    out.push({
      local: formatEndpoint(localAddr, localPort),
      remote: formatEndpoint(remoteAddr, remotePort),
      localAddr,
      localPort,
      remoteAddr,
      remotePort,
      state: LINUX_STATES[linuxState] ?? 'CLOSED',
      linuxState,
      txQueue: parseInt(tx, 16),
      rxQueue: parseInt(rx, 16),
      uid: Number(f[7]),
      inode,
      owned: inode !== 0,
      timer: TIMERS[parseInt(tr, 16)] ?? 'none',
      timerSeconds: parseInt(when, 16) / 100,
      retransmits: parseInt(f[6]!, 16),
      ipVersion,
    });
  }
  return out;
}

/** Every TCP socket in this network namespace (IPv4 and IPv6 tables). */
export function kernelConnections(): KernelConnection[] {
  const read = (p: string): string => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return ''; // no IPv6 in this kernel/namespace
    }
  };
  return [...parseProcNetTcp(read('/proc/net/tcp'), 4), ...parseProcNetTcp(read('/proc/net/tcp6'), 6)];
}

/** An endpoint as `addr:port`, a port number, or a SockAddr-like object. */
export type EndpointLike = EndpointSpec;

/** Rows whose local (and, when given, remote) endpoint match. */
export function findConnections(local: EndpointLike, remote?: EndpointLike, rows = kernelConnections()): KernelConnection[] {
  const l = endpointMatcher(local);
  const r = remote === undefined ? undefined : endpointMatcher(remote);
  return rows.filter((c) => l(c.localAddr, c.localPort) && (!r || r(c.remoteAddr, c.remotePort)));
}

/**
 * State of the connection local <-> remote as the kernel has it; CLOSED when
 * the kernel has no such socket any more (CLOSED is not a state the table shows).
 */
export function connectionState(local: EndpointLike, remote: EndpointLike): TcpState {
  return findConnections(local, remote)[0]?.state ?? 'CLOSED';
}

/** Poll the kernel's table until `pred(state)` holds; resolves with the state, rejects after timeoutMs. */
export async function waitForConnectionState(
  local: EndpointLike,
  remote: EndpointLike,
  want: TcpState | ((s: TcpState) => boolean),
  timeoutMs = 2000,
): Promise<TcpState> {
  const pred = typeof want === 'function' ? want : (s: TcpState) => s === want;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = connectionState(local, remote);
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`connection ${String(local)} -> ${String(remote)} stayed ${s} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
