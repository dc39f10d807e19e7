// Model-based fuzzing of the flat API: fast-check generates sequences of flat
// calls (bad arguments mixed in) on the sockets of two real loopback
// connections, a listener, an unconnected socket, a closed handle and handles
// never issued; each call's outcome must be one the model (model.ts) allows.
// After every sequence every socket is released and the process must hold
// exactly what it held before: descriptors, handles, epoll watches, timers,
// and the sentinel descriptors opened outside the model are unchanged.
//
// The commands are fast-check *async* commands, so promise-API calls can join
// the same sequences later (each is one more class with the same shape).
import fc from 'fast-check';
import * as net from 'node:net';
import * as W from '../../../src/index.js';
import type { SockAddr, SOCKET } from '../../../src/index.js';
import { queue } from '../../../src/queue-seam.js';
import { fdTarget, fileSentinel, snapshot, type ResourceSnapshot } from '../resources.js';
import {
  brokenFails,
  closed,
  delivered,
  DEVIATIONS,
  fails,
  finSent,
  handleGate,
  isRc,
  newSock,
  NOWHERE,
  resetPair,
  returns,
  throws,
  type Model,
  type MSock,
  type Outcome,
  type Result,
  type Settle,
  UNCONNECTED,
} from './model.js';

const E = W.WSA;
/** FUZZ_TRACE=1 prints each call before it is made (to find one that blocks). */
const TRACE = process.env.FUZZ_TRACE === '1';

// Slots: 0 listener, 1-2 and 3-4 connections (client, accepted), 5 an
// unconnected socket, 6 a handle closed before the sequence, 7 never issued,
// 8-9 UDP sockets (u1 unconnected, u2 connected to u1).
export const SLOTS = ['L', 'c1', 'a1', 'c2', 'a2', 'U', 'X', 'N', 'u1', 'u2'] as const;
const NEVER = 7;
const U1 = 8;
const U2 = 9;

export interface Real {
  h: SOCKET[];
  listenAddr: SockAddr;
  /** A loopback port nobody listens on. */
  refused: SockAddr;
  /** Each UDP slot's address. */
  udpAddr: Record<number, SockAddr>;
  /** Live descriptors that are not handles: must never be reached through a handle. */
  foreignFds: number[];
  /** Successful WSAStartup calls not yet matched by WSACleanup. */
  startups: number;
  issued: Set<number>;
  /** Promise calls of this sequence not yet settled (by their description): must be none after it. */
  unsettled: Set<string>;
}

/** A handle argument: a slot's handle, a number never issued, or a value of the wrong type. */
export type Target = { slot: number } | { never: string } | { wrongType: string };

const NEVER_VALUES: Record<string, (r: Real) => number> = {
  zero: () => 0,
  minusOne: () => -1,
  three: () => 3,
  foreignFd: (r) => r.foreignFds[0]!,
  foreignFd2: (r) => r.foreignFds[1]!,
  listenerPlus1: (r) => r.h[0]! + 1,
  nextHandle: (r) => Math.max(...r.issued) + 4,
  otherThread: () => 2 ** 32 + 0x1000,
  NaN: () => NaN,
  Infinity: () => Infinity,
  negZero: () => -0,
  half: (r) => r.h[1]! + 0.5,
  huge: () => 2 ** 53,
};
const WRONG_TYPES: Record<string, unknown> = {
  string: '4096',
  null: null,
  undefined: undefined,
  object: {},
  bigint: 4096n,
};

export const targetArb: fc.Arbitrary<Target> = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 1, max: 4 }).map((slot) => ({ slot })) },
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 6 }).map((slot) => ({ slot })) },
  { weight: 10, arbitrary: fc.integer({ min: U1, max: U2 }).map((slot) => ({ slot })) },
  { weight: 2, arbitrary: fc.constantFrom(...Object.keys(NEVER_VALUES)).map((never) => ({ never })) },
  { weight: 1, arbitrary: fc.constantFrom(...Object.keys(WRONG_TYPES)).map((wrongType) => ({ wrongType })) },
);

export const slotOf = (t: Target): number => ('slot' in t ? t.slot : NEVER);
export const targetName = (t: Target): string =>
  'slot' in t ? SLOTS[t.slot]! : 'never' in t ? `never:${t.never}` : `wrong:${t.wrongType}`;
export function handleValue(r: Real, t: Target): unknown {
  if ('slot' in t) return r.h[t.slot];
  if ('never' in t) return NEVER_VALUES[t.never]!(r);
  return WRONG_TYPES[t.wrongType];
}

/** The outcomes decided before the socket's state is looked at, or undefined. */
function gates(m: Model, t: Target, typeError: boolean): Outcome[] | undefined {
  if (typeError || 'wrongType' in t) return [throws('TypeError')];
  return handleGate(m, slotOf(t));
}

/** One flat call: how to make it, which outcomes the model allows, and whether it would block. */
export interface CallSpec {
  name: string;
  args: string;
  expect(m: Model, slot: number): Outcome[];
  invoke(r: Real, h: unknown): { rc: number; value?: unknown };
  /** A blocking call the model says would wait forever: not generated in that state. */
  wouldBlock?(m: Model, slot: number): boolean;
}

export class FlatCall implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly target: Target,
    readonly spec: CallSpec,
  ) {}

  check(m: Readonly<Model>): boolean {
    return !this.spec.wouldBlock?.(m as Model, slotOf(this.target));
  }

  async run(m: Model, r: Real): Promise<void> {
    const slot = slotOf(this.target);
    const allowed = this.spec.expect(m, slot);
    const h = handleValue(r, this.target);
    if (TRACE) process.stderr.write(`${this.toString()} ...`);
    W.WSASetLastError(0);
    let res: Result;
    try {
      const out = this.spec.invoke(r, h);
      res = { rc: out.rc, err: W.WSAGetLastError(), value: out.value };
    } catch (e) {
      res = { threw: e instanceof Error ? e.constructor.name : typeof e, message: String(e) };
    }
    const hit = allowed.find((o) => o.matches(res));
    if (!hit) {
      const got = isRc(res)
        ? `${res.rc}${res.rc === W.SOCKET_ERROR ? '/' + W.wsaErrorName(res.err) : ''}${res.value === undefined ? '' : ' ' + JSON.stringify(res.value)}`
        : `${res.threw}: ${res.message}`;
      throw new Error(`${this.toString()}: got ${got}; the model allows ${allowed.map((o) => o.label).join(' or ')}`);
    }
    if (TRACE) process.stderr.write(` ${hit.label}\n`);
    hit.apply?.(res);
    await settle(m, r, hit.settle ?? []);
  }

  toString(): string {
    return `${this.spec.name}(${targetName(this.target)}${this.spec.args ? ', ' + this.spec.args : ''})`;
  }
}

const pause = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Waits (bounded) for the asynchronous effects an outcome predicts: the peer sees the FIN or RST. */
export async function settle(m: Model, r: Real, waits: Settle[]): Promise<void> {
  await new Promise<void>((res) => setImmediate(res));
  for (const w of waits) {
    const deadline = Date.now() + 2000;
    for (;;) {
      const k = m.socks[w.slot]!.kind;
      if (m.startups === 0 || (k !== 'conn' && k !== 'udp')) break;
      let seen: string;
      if (w.unread !== undefined) {
        const argp = [0];
        if (W.ioctlsocket(r.h[w.slot]!, W.FIONREAD, argp) === 0 && argp[0]! >= w.unread) break;
        seen = `FIONREAD ${argp[0]}, expected ${w.unread}`;
      } else {
        const fds = [{ fd: r.h[w.slot]!, events: W.POLLRDNORM, revents: 0 }];
        if (W.WSAPoll(fds, 0) > 0 && (fds[0]!.revents & w.anyOf!) !== 0) break;
        seen = `revents 0x${fds[0]!.revents.toString(16)}, expected one of 0x${w.anyOf!.toString(16)}`;
      }
      if (Date.now() > deadline) throw new Error(`settling: after 2 s ${SLOTS[w.slot]} shows ${seen}`);
      await pause(1);
    }
  }
}

// --- the calls ------------------------------------------------------------------
const sock = (m: Model, slot: number): MSock => m.socks[slot]!;
const BUF = 1024;

/** WSAEFAULT cases of len, and those that are the wrong type. */
export type LenArg = { n: number } | { bad: 'over' | 'negative' | 'NaN' | 'fraction' } | { wrong: 'string' };
export const lenArb: fc.Arbitrary<LenArg> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 512 }).map((n) => ({ n })) },
  { weight: 1, arbitrary: fc.constant({ n: 0 }) },
  { weight: 2, arbitrary: fc.constantFrom('over', 'negative', 'NaN', 'fraction').map((bad) => ({ bad }) as LenArg) },
  { weight: 1, arbitrary: fc.constant({ wrong: 'string' } as LenArg) },
);
export const lenValue = (l: LenArg): unknown =>
  'n' in l ? l.n : 'wrong' in l ? '3' : { over: BUF + 1, negative: -1, NaN: NaN, fraction: 1.5 }[l.bad];
const lenName = (l: LenArg): string => ('n' in l ? String(l.n) : 'bad' in l ? l.bad : 'string');

export function send(t: Target, len: LenArg, flags: 0 | 0x8000, bufWrong: boolean): FlatCall {
  return new FlatCall(t, {
    name: 'send',
    args: `len=${lenName(len)}${flags ? ', flags=0x8000' : ''}${bufWrong ? ', buf=string' : ''}`,
    expect(m, slot) {
      const g = gates(m, t, bufWrong || 'wrong' in len);
      if (g) return g;
      if ('bad' in len) return [fails(E.WSAEFAULT)];
      if (!('n' in len)) return []; // (a wrong type was answered by the gate)
      const s = sock(m, slot);
      if (s.kind === 'udp') return udpSend(m, slot, s.udpPeer, len.n, flags);
      // Which comes first, an unknown flag or the socket's state, is not documented: either.
      const orFlags = (o: Outcome[]): Outcome[] => (flags ? [...o, fails(E.WSAEOPNOTSUPP)] : o);
      if (s.kind !== 'conn') {
        if (s.kind === 'idle' && s.connectFailed && DEVIATIONS.failedNonblockingConnect) return [anyFailure()];
        return orFlags([fails(E.WSAENOTCONN)]);
      }
      if (s.shutSend) return orFlags([fails(E.WSAESHUTDOWN)]);
      if (s.broken) return orFlags([brokenFails(s)]);
      if (flags) return [fails(E.WSAEOPNOTSUPP)];
      const out = returns(len.n);
      out.apply = () => (out.settle = delivered(m, slot, len.n));
      return [out];
    },
    invoke: (_r, h) => ({
      rc: W.send(h as SOCKET, (bufWrong ? 'abc' : Buffer.alloc(BUF, 0x61)) as Buffer, lenValue(len) as number, flags),
    }),
  });
}

/** A datagram of `n` bytes from `slot` to `to` (a slot, UNCONNECTED or NOWHERE): what Winsock allows. */
function udpSend(m: Model, slot: number, to: number, n: number, flags: number): Outcome[] {
  const s = sock(m, slot);
  if (s.shutSend) return flags ? [fails(E.WSAESHUTDOWN), fails(E.WSAEOPNOTSUPP)] : [fails(E.WSAESHUTDOWN)];
  if (flags) return [fails(E.WSAEOPNOTSUPP)];
  if (to === UNCONNECTED) return [fails(E.WSAENOTCONN)];
  const sent = returns(n);
  sent.apply = () => {
    const d = to >= 0 ? sock(m, to) : undefined;
    // A connected datagram socket takes datagrams from its peer only: for
    // anyone else its port is as good as closed.
    if (d?.kind === 'udp' && (d.udpPeer === UNCONNECTED || d.udpPeer === slot)) {
      d.dgrams.push(n);
      sent.settle = [{ slot: to, anyOf: W.POLLRDNORM }];
    } else if (s.udpPeer !== UNCONNECTED) {
      // A closed port answers with ICMP port unreachable, which a connected socket reports once.
      s.icmp = true;
    }
  };
  return s.icmp ? [sent, icmpReported(s)] : [sent];
}

/** The ICMP port unreachable a connected datagram socket reports once: Winsock's WSAECONNRESET. */
function icmpReported(s: MSock): Outcome {
  return fails(E.WSAECONNRESET, () => (s.icmp = false));
}

function udpRecv(s: MSock, len: number, flags: number): Outcome[] {
  if (s.shutRecv) return flags === 0x8000 ? [fails(E.WSAESHUTDOWN), fails(E.WSAEOPNOTSUPP)] : [fails(E.WSAESHUTDOWN)];
  if (flags === 0x8000) return [fails(E.WSAEOPNOTSUPP)];
  const peek = flags === W.MSG_PEEK;
  const extra = s.icmp ? [icmpReported(s)] : [];
  const d = s.dgrams[0];
  if (d === undefined) return [fails(E.WSAEWOULDBLOCK), ...extra];
  const take = () => {
    if (!peek) s.dgrams.shift();
  };
  // Winsock: a datagram larger than the buffer fails WSAEMSGSIZE (and is gone unless peeked).
  return [len >= d ? returns(d, take) : fails(E.WSAEMSGSIZE, take), ...extra];
}

export function sendto(t: Target, len: LenArg, to: 'peer' | 'any' | 'v6'): FlatCall {
  return new FlatCall(t, {
    name: 'sendto',
    args: `len=${lenName(len)}, to=${to}`,
    expect(m, slot) {
      const g = gates(m, t, 'wrong' in len);
      if (g) return g;
      if ('bad' in len) return [fails(E.WSAEFAULT)];
      if (!('n' in len)) return [];
      const s = sock(m, slot);
      // On a stream socket Winsock ignores the address: it is a send.
      if (s.kind !== 'udp') return send(t, len, 0, false).spec.expect(m, slot);
      if (to === 'v6') return [fails(E.WSAEAFNOSUPPORT)];
      if (to === 'any') return s.shutSend ? [fails(E.WSAESHUTDOWN)] : [fails(E.WSAEADDRNOTAVAIL)];
      return udpSend(m, slot, slot === U1 ? U2 : U1, len.n, 0);
    },
    invoke: (r, h) => {
      const slotAddr = 'slot' in t && t.slot === U1 ? r.udpAddr[U2]! : r.udpAddr[U1]!;
      const addr =
        to === 'peer'
          ? slotAddr
          : to === 'any'
            ? { family: W.AF_INET, address: '0.0.0.0', port: slotAddr.port }
            : { family: W.AF_INET6, address: '::1', port: slotAddr.port };
      return { rc: W.sendto(h as SOCKET, Buffer.alloc(BUF, 0x64), lenValue(len) as number, 0, addr) };
    },
  });
}

function anyFailure(): Outcome {
  return { label: '-1/any', matches: (r) => isRc(r) && r.rc === W.SOCKET_ERROR };
}

export function recv(t: Target, len: LenArg, flags: 0 | 2 | 0x8000): FlatCall {
  const peek = flags === W.MSG_PEEK;
  return new FlatCall(t, {
    name: 'recv',
    args: `len=${lenName(len)}${flags ? `, flags=${peek ? 'MSG_PEEK' : '0x8000'}` : ''}`,
    expect(m, slot) {
      const g = gates(m, t, 'wrong' in len);
      if (g) return g;
      if ('bad' in len) return [fails(E.WSAEFAULT)];
      if (!('n' in len)) return []; // (a wrong type was answered by the gate)
      const s = sock(m, slot);
      if (s.kind === 'udp') return udpRecv(s, len.n, flags);
      const orFlags = (o: Outcome[]): Outcome[] => (flags === 0x8000 ? [...o, fails(E.WSAEOPNOTSUPP)] : o);
      if (s.kind !== 'conn') {
        if (s.kind === 'idle' && s.connectFailed && DEVIATIONS.failedNonblockingConnect) return [anyFailure(), returns(0)];
        return orFlags([fails(E.WSAENOTCONN)]);
      }
      if (s.shutRecv) return orFlags([fails(E.WSAESHUTDOWN)]);
      const data = (max: number): Outcome => ({
        label: `1..${max} bytes`,
        matches: (r) => isRc(r) && r.rc >= 1 && r.rc <= max,
        apply: (r) => {
          if (isRc(r) && !peek) s.unread -= r.rc;
        },
      });
      if (s.broken) {
        const outs = orFlags([brokenFails(s)]);
        if (len.n === 0) outs.push(returns(0));
        if (DEVIATIONS.resetKeepsUnreadData && s.unread > 0 && len.n > 0 && flags !== 0x8000) outs.push(data(Math.min(len.n, s.unread)));
        return outs;
      }
      if (flags === 0x8000) return [fails(E.WSAEOPNOTSUPP)];
      // A zero-length recv waits for data like any other (Windows' "zero-byte
      // receive"), then returns 0; nonblocking, Linux may answer 0 at once.
      if (len.n === 0) return s.unread > 0 || s.finIn ? [returns(0)] : [returns(0), fails(E.WSAEWOULDBLOCK)];
      if (s.unread > 0) return [data(Math.min(len.n, s.unread))];
      if (s.finIn) return [returns(0)];
      return [fails(E.WSAEWOULDBLOCK)];
    },
    wouldBlock(m, slot) {
      const s = sock(m, slot);
      if (m.startups > 0 && 'slot' in t && 'n' in len && flags !== 0x8000 && s.kind === 'udp')
        return !s.nonblocking && !s.shutRecv && s.dgrams.length === 0;
      return (
        m.startups > 0 &&
        'slot' in t &&
        'n' in len &&
        flags !== 0x8000 &&
        s.kind === 'conn' &&
        !s.nonblocking &&
        !s.shutRecv &&
        !s.broken &&
        s.unread === 0 &&
        !s.finIn
      );
    },
    invoke: (_r, h) => ({ rc: W.recv(h as SOCKET, Buffer.alloc(BUF), lenValue(len) as number, flags) }),
  });
}

/** shutdown's effect on the model, shared by WSASendDisconnect / WSARecvDisconnect. */
export function shutdownOutcomes(m: Model, slot: number, how: number): Outcome[] {
  const s = sock(m, slot);
  const rd = how === W.SD_RECEIVE || how === W.SD_BOTH;
  const wr = how === W.SD_SEND || how === W.SD_BOTH;
  // Contract: UDP shutdown succeeds even unconnected; later send/recv answer WSAESHUTDOWN.
  if (s.kind === 'udp')
    return [
      returns(0, () => {
        s.shutRecv ||= rd;
        s.shutSend ||= wr;
      }),
    ];
  if (s.kind !== 'conn') return [fails(E.WSAENOTCONN)];
  const mark = () => {
    s.shutRecv ||= rd;
    s.shutSend ||= wr;
  };
  if (s.broken) {
    // Unspecified by the documentation on a connection already reset: 0 or a failure.
    return [returns(0, mark), fails(E.WSAENOTCONN), brokenFails(s)];
  }
  const out = returns(0);
  out.apply = () => {
    const waits: Settle[] = [];
    if (rd && !s.shutRecv) {
      s.shutRecv = true;
      // Contract: SD_RECEIVE / SD_BOTH with unread data resets the connection.
      if (s.unread > 0) waits.push(...resetPair(m, slot, [E.WSAECONNABORTED]));
    }
    if (wr && !s.shutSend) {
      s.shutSend = true;
      waits.push(...finSent(m, slot));
    }
    out.settle = waits;
  };
  return [out];
}

const HOW_VALUES: Record<string, unknown> = {
  SD_RECEIVE: 0,
  SD_SEND: 1,
  SD_BOTH: 2,
  three: 3,
  minusOne: -1,
  big: 2 ** 31,
  half: 0.5,
  NaN: NaN,
  string: '1',
};

export function shutdown(t: Target, howName: string): FlatCall {
  const how = HOW_VALUES[howName];
  return new FlatCall(t, {
    name: 'shutdown',
    args: howName,
    expect(m, slot) {
      const g = gates(m, t, typeof how !== 'number');
      if (g) return g;
      // Contract: a bad `how` is WSAEINVAL, checked before the socket's state.
      if (how !== 0 && how !== 1 && how !== 2) return [fails(E.WSAEINVAL)];
      return shutdownOutcomes(m, slot, how);
    },
    invoke: (_r, h) => ({ rc: W.shutdown(h as SOCKET, how as number) }),
  });
}

const DATA_VALUES: Record<string, unknown> = { none: undefined, null: null, buffer: Buffer.from('bye'), string: 'bye', number: 7 };

function disconnect(t: Target, which: 'send' | 'recv', dataName: string): FlatCall {
  const data = DATA_VALUES[dataName];
  return new FlatCall(t, {
    name: which === 'send' ? 'WSASendDisconnect' : 'WSARecvDisconnect',
    args: `data=${dataName}`,
    expect(m, slot) {
      const g = gates(m, t, data !== undefined && data !== null && !Buffer.isBuffer(data));
      if (g) return g;
      // Microsoft: disconnect data on TCP is WSAENOPROTOOPT.
      if (data) return [fails(E.WSAENOPROTOOPT)];
      return shutdownOutcomes(m, slot, which === 'send' ? W.SD_SEND : W.SD_RECEIVE);
    },
    invoke: (_r, h) => ({ rc: (which === 'send' ? W.WSASendDisconnect : W.WSARecvDisconnect)(h as SOCKET, data as Buffer) }),
  });
}

export function closesocket(t: Target): FlatCall {
  return new FlatCall(t, {
    name: 'closesocket',
    args: '',
    expect(m, slot) {
      const g = gates(m, t, false);
      if (g) return g;
      const s = sock(m, slot);
      const out = returns(0);
      out.apply = () => (out.settle = closed(m, slot));
      const p = s.kind === 'conn' ? sock(m, s.peer) : undefined;
      // Contract: linger {1,N} on a nonblocking socket with unsent data fails
      // WSAEWOULDBLOCK and keeps the handle; loopback may not have acknowledged yet.
      const unacked = s.sentRecently || (DEVIATIONS.finCountsAsUnsent && s.shutSend);
      if (s.kind === 'conn' && s.nonblocking && s.linger.l_onoff && s.linger.l_linger > 0) {
        if (unacked && !s.broken && p?.kind === 'conn') return [out, fails(E.WSAEWOULDBLOCK)];
        if (s.broken && DEVIATIONS.lingerOnResetConnection) return [out, fails(E.WSAEWOULDBLOCK)];
      }
      return [out];
    },
    // DEVIATIONS.lingerOnResetConnection: a blocking close with linger {1,N}
    // on a reset connection sleeps the full N s; with N up to 65535 (SO_DONTLINGER
    // FALSE after {0,65535}) that is a hang, so only N <= 2 is generated there.
    wouldBlock: (m, slot) => {
      const s = sock(m, slot);
      return (
        DEVIATIONS.lingerOnResetConnection &&
        m.startups > 0 &&
        'slot' in t &&
        s.kind === 'conn' &&
        !!s.broken &&
        !s.nonblocking &&
        s.linger.l_onoff !== 0 &&
        s.linger.l_linger > 2
      );
    },
    invoke: (_r, h) => ({ rc: W.closesocket(h as SOCKET) }),
  });
}

type LingerArg = { on: number; secs: number } | { wrong: 'number' | 'null' | 'stringField' };
const lingerArb: fc.Arbitrary<LingerArg> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ on: fc.constantFrom(0, 1), secs: fc.constantFrom(0, 0, 1, 2) }) },
  { weight: 1, arbitrary: fc.constant({ on: 0, secs: 65535 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { on: 1, secs: 65536 },
      { on: -1, secs: 0 },
      { on: 1, secs: 1.5 },
      { on: 1, secs: NaN },
      { on: 65536, secs: 0 },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('number', 'null', 'stringField').map((wrong) => ({ wrong }) as LingerArg) },
);
const U_SHORT = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffff;

function setLinger(t: Target, l: LingerArg): FlatCall {
  const value =
    'wrong' in l ? { number: 5, null: null, stringField: { l_onoff: '1', l_linger: 0 } }[l.wrong] : { l_onoff: l.on, l_linger: l.secs };
  return new FlatCall(t, {
    name: 'setsockopt',
    args: `SO_LINGER, ${'wrong' in l ? l.wrong : `{${l.on},${l.secs}}`}`,
    expect(m, slot) {
      const g = gates(m, t, 'wrong' in l);
      if (g) return g;
      if ('wrong' in l) return [];
      // Winsock's linger is two u_short: a value C cannot pass is refused by the
      // library itself, before the backend (ws2_32 on Windows) looks at the option.
      if (!U_SHORT(l.on) || !U_SHORT(l.secs)) return [fails(E.WSAEINVAL)];
      if (sock(m, slot).kind === 'udp') return [fails(E.WSAENOPROTOOPT)]; // a stream-only option
      return [returns(0, () => (sock(m, slot).linger = { l_onoff: l.on, l_linger: l.secs }))];
    },
    invoke: (_r, h) => ({ rc: W.setsockopt(h as SOCKET, W.SOL_SOCKET, W.SO_LINGER, value as W.Linger) }),
  });
}

function getLinger(t: Target, outWrong: boolean): FlatCall {
  return new FlatCall(t, {
    name: 'getsockopt',
    args: `SO_LINGER${outWrong ? ', out=number' : ''}`,
    expect(m, slot) {
      const g = gates(m, t, outWrong);
      if (g) return g;
      if (sock(m, slot).kind === 'udp') return [fails(E.WSAENOPROTOOPT)];
      const want = sock(m, slot).linger;
      return [
        {
          label: `0 {${want.l_onoff},${want.l_linger}}`,
          matches: (r) => isRc(r) && r.rc === 0 && JSON.stringify(r.value) === JSON.stringify(want),
        },
      ];
    },
    invoke: (_r, h) => {
      const out = { l_onoff: -1, l_linger: -1 };
      const rc = W.getsockopt(h as SOCKET, W.SOL_SOCKET, W.SO_LINGER, (outWrong ? 5 : out) as W.Linger);
      return { rc, value: { l_onoff: out.l_onoff, l_linger: out.l_linger } };
    },
  });
}

function dontLinger(t: Target, v: boolean): FlatCall {
  return new FlatCall(t, {
    name: 'setsockopt',
    args: `SO_DONTLINGER, ${v}`,
    expect(m, slot) {
      const g = gates(m, t, false);
      if (g) return g;
      if (sock(m, slot).kind === 'udp') return [fails(E.WSAENOPROTOOPT)];
      // Microsoft: SO_DONTLINGER TRUE is l_onoff = 0; FALSE turns lingering on.
      return [returns(0, () => (sock(m, slot).linger.l_onoff = v ? 0 : 1))];
    },
    invoke: (_r, h) => ({ rc: W.setsockopt(h as SOCKET, W.SOL_SOCKET, W.SO_DONTLINGER, v) }),
  });
}

function fionbio(t: Target, v: number | 'string' | 'notArray'): FlatCall {
  return new FlatCall(t, {
    name: 'ioctlsocket',
    args: `FIONBIO, ${v}`,
    expect(m, slot) {
      const g = gates(m, t, typeof v !== 'number');
      if (g) return g;
      return [returns(0, () => (sock(m, slot).nonblocking = v !== 0))];
    },
    invoke: (_r, h) => ({ rc: W.ioctlsocket(h as SOCKET, W.FIONBIO, (v === 'notArray' ? 1 : [v === 'string' ? '1' : v]) as number[]) }),
  });
}

function fionread(t: Target, badCmd: boolean): FlatCall {
  return new FlatCall(t, {
    name: 'ioctlsocket',
    args: badCmd ? 'cmd=0x1234' : 'FIONREAD',
    expect(m, slot) {
      const g = gates(m, t, false);
      if (g) return g;
      if (badCmd) return [fails(E.WSAEINVAL)];
      const s = sock(m, slot);
      const value = (ok: (n: number) => boolean, label: string): Outcome => ({
        label: `0 (${label})`,
        matches: (r) => isRc(r) && r.rc === 0 && typeof r.value === 'number' && ok(r.value),
      });
      if (s.kind === 'udp') {
        // Microsoft: on a datagram socket, all the data pending (the next recv gets one datagram).
        const total = s.dgrams.reduce((a, b) => a + b, 0);
        const first = s.dgrams[0] ?? 0;
        return [value((n) => n === total || (DEVIATIONS.udpFionreadFirstDatagram && n === first), `${total} bytes`)];
      }
      if (s.kind !== 'conn') return [value((n) => n === 0, '0 bytes')];
      if (s.broken) return [value((n) => n >= 0, 'any count'), brokenFails(s)];
      return [value((n) => n === s.unread, `${s.unread} bytes`)];
    },
    invoke: (_r, h) => {
      const argp = [-1];
      const rc = W.ioctlsocket(h as SOCKET, badCmd ? 0x1234 : W.FIONREAD, argp);
      return { rc, value: argp[0] };
    },
  });
}

export type ConnectTo = 'refused' | 'listener' | 'any' | 'v6';
export function connect(t: Target, to: ConnectTo): FlatCall {
  return new FlatCall(t, {
    name: 'connect',
    args: to,
    expect(m, slot) {
      const g = gates(m, t, false);
      if (g) return g;
      if (to === 'v6') return [fails(E.WSAEAFNOSUPPORT)];
      const s = sock(m, slot);
      if (s.kind === 'udp') {
        if (to === 'any') return [fails(E.WSAEADDRNOTAVAIL)];
        // A datagram socket's connect only names its peer: a port no model socket has.
        return [returns(0, () => (s.udpPeer = NOWHERE))];
      }
      if (s.kind === 'listener') return [fails(E.WSAEINVAL)];
      if (s.kind === 'conn') return [fails(E.WSAEISCONN)];
      if (s.connectFailed && DEVIATIONS.failedNonblockingConnect) return [anyFailure()];
      // Winsock: connecting to ADDR_ANY is WSAEADDRNOTAVAIL.
      if (to === 'any') return [fails(E.WSAEADDRNOTAVAIL)];
      if (s.nonblocking) return [fails(E.WSAEWOULDBLOCK, () => (s.connectFailed = s.connectTried = true))];
      return [fails(E.WSAECONNREFUSED, () => (s.connectTried = true))];
    },
    // A connect to the listener from the unconnected socket would make a
    // connection the model does not track: not generated.
    wouldBlock: (m, slot) => m.startups > 0 && to === 'listener' && sock(m, slot).kind === 'idle',
    invoke: (r, h) => {
      const addr =
        to === 'refused'
          ? r.refused
          : to === 'listener'
            ? r.listenAddr
            : to === 'any'
              ? { family: W.AF_INET, address: '0.0.0.0', port: r.refused.port }
              : { family: W.AF_INET6, address: '::1', port: r.refused.port };
      return { rc: W.connect(h as SOCKET, addr) };
    },
  });
}

const BACKLOGS: Record<string, unknown> = { five: 5, SOMAXCONN: W.SOMAXCONN, hint: W.SOMAXCONN_HINT(5), fraction: 1.5, string: '5' };

function listen(t: Target, backlogName: string): FlatCall {
  const backlog = BACKLOGS[backlogName];
  return new FlatCall(t, {
    name: 'listen',
    args: backlogName,
    expect(m, slot) {
      const g = gates(m, t, typeof backlog !== 'number');
      if (g) return g;
      // A backlog C cannot pass as an int is refused by the library itself,
      // before the backend (ws2_32 on Windows) looks at the socket.
      if (!Number.isInteger(backlog)) return [fails(E.WSAEINVAL)];
      if (sock(m, slot).kind === 'udp') return [fails(E.WSAEOPNOTSUPP)];
      const s = sock(m, slot);
      if (s.kind === 'listener') return [returns(0)];
      if (s.kind === 'conn') return [fails(E.WSAEISCONN)];
      const becomeListener = () => Object.assign(s, newSock('listener', { nonblocking: s.nonblocking, linger: s.linger }));
      if (s.connectTried) return [returns(0, becomeListener), fails(E.WSAEINVAL)];
      // Contract: listen on an unbound socket is WSAEINVAL.
      if (!s.bound) return [fails(E.WSAEINVAL)];
      return [returns(0, becomeListener)];
    },
    invoke: (_r, h) => ({ rc: W.listen(h as SOCKET, backlog as number) }),
  });
}

function bind(t: Target, v6: boolean): FlatCall {
  return new FlatCall(t, {
    name: 'bind',
    args: v6 ? '[::1]:0' : '127.0.0.1:0',
    expect(m, slot) {
      const g = gates(m, t, false);
      if (g) return g;
      // Microsoft: an address of another family is WSAEFAULT.
      if (v6) return [fails(E.WSAEFAULT)];
      const s = sock(m, slot);
      if (s.kind === 'idle' && s.connectTried) return [returns(0, () => (s.bound = true)), fails(E.WSAEINVAL)];
      if (s.kind !== 'idle' || s.bound) return [fails(E.WSAEINVAL)];
      return [returns(0, () => (s.bound = true))];
    },
    invoke: (_r, h) => ({
      rc: W.bind(h as SOCKET, v6 ? { family: W.AF_INET6, address: '::1', port: 0 } : { family: W.AF_INET, address: '127.0.0.1', port: 0 }),
    }),
  });
}

export function accept(t: Target, outWrong: boolean): FlatCall {
  return new FlatCall(t, {
    name: 'accept',
    args: outWrong ? 'addrOut=number' : '',
    expect(m, slot) {
      const g = gates(m, t, outWrong);
      if (g) return g;
      const s = sock(m, slot);
      if (s.kind === 'udp') return [fails(E.WSAEOPNOTSUPP)];
      if (s.kind !== 'listener') return [fails(E.WSAEINVAL)];
      // Nothing is ever pending on the model's listeners.
      return [fails(E.WSAEWOULDBLOCK)];
    },
    wouldBlock: (m, slot) => m.startups > 0 && 'slot' in t && !outWrong && sock(m, slot).kind === 'listener' && !sock(m, slot).nonblocking,
    invoke: (_r, h) => ({ rc: W.accept(h as SOCKET, (outWrong ? 5 : {}) as SockAddr) }),
  });
}

function getpeername(t: Target): FlatCall {
  return new FlatCall(t, {
    name: 'getpeername',
    args: '',
    expect(m, slot) {
      const g = gates(m, t, false);
      if (g) return g;
      const s = sock(m, slot);
      if (s.kind === 'udp') {
        if (s.udpPeer === UNCONNECTED) return [fails(E.WSAENOTCONN)];
        const want = s.udpPeer === NOWHERE ? undefined : m.ports[s.udpPeer];
        return [{ label: `0 (port ${want ?? 'any'})`, matches: (r) => isRc(r) && r.rc === 0 && (want === undefined || r.value === want) }];
      }
      if (s.kind !== 'conn') return [fails(E.WSAENOTCONN)];
      const port = m.ports[s.peer];
      const right: Outcome = { label: `0 (port ${port})`, matches: (r) => isRc(r) && r.rc === 0 && r.value === port };
      // Once the connection has ended (reset, or both FINs) the kernel may have no peer to name.
      return s.broken || (s.shutSend && s.finIn) ? [right, fails(E.WSAENOTCONN)] : [right];
    },
    invoke: (_r, h) => {
      const out = {} as SockAddr;
      const rc = W.getpeername(h as SOCKET, out);
      return { rc, value: rc === 0 ? out.port : undefined };
    },
  });
}

function poll(a: Target, b: Target): FlatCall {
  return new FlatCall(a, {
    name: 'WSAPoll',
    args: `[${targetName(a)}, ${targetName(b)}], 0`,
    expect(m) {
      if ('wrongType' in a || 'wrongType' in b) return [throws('TypeError')];
      if (m.startups === 0) return [fails(E.WSANOTINITIALISED)];
      const live = (t: Target) => {
        const k = sock(m, slotOf(t)).kind;
        return k !== 'closed' && k !== 'never';
      };
      // sock.c test_WSAPoll (checked on Windows): WSAENOTSOCK when no entry
      // names a socket; an entry that is not one (a negative fd included) is
      // POLLNVAL and not counted.
      if (!live(a) && !live(b)) return [fails(E.WSAENOTSOCK)];
      const want = (t: Target, rev: number): string | undefined => {
        if (!live(t)) return rev === W.POLLNVAL ? undefined : 'POLLNVAL';
        const s = sock(m, slotOf(t));
        if (s.kind === 'udp') return s.dgrams.length > 0 && !s.shutRecv && !(rev & W.POLLRDNORM) ? 'POLLRDNORM' : undefined;
        if (s.kind !== 'conn') return undefined;
        if (!s.broken && !s.shutSend && !(rev & W.POLLWRNORM)) return 'POLLWRNORM';
        if (!s.broken && s.unread > 0 && !s.shutRecv && !(rev & W.POLLRDNORM)) return 'POLLRDNORM';
        return undefined;
      };
      return [
        {
          label: 'count of entries ready (POLLNVAL not counted), POLLNVAL for dead handles, POLLWRNORM/POLLRDNORM where due',
          matches: (r) => {
            if (!isRc(r) || !Array.isArray(r.value)) return false;
            const [ra, rb] = r.value as number[];
            return r.rc === [ra, rb].filter((x) => x !== 0 && x !== W.POLLNVAL).length && !want(a, ra!) && !want(b, rb!);
          },
        },
      ];
    },
    invoke: (r, h) => {
      const fds = [
        { fd: h as number, events: W.POLLRDNORM | W.POLLWRNORM, revents: -1 },
        { fd: handleValue(r, b) as number, events: W.POLLRDNORM | W.POLLWRNORM, revents: -1 },
      ];
      const rc = W.WSAPoll(fds, 0);
      return { rc, value: fds.map((f) => f.revents) };
    },
  });
}

class Startup implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const rc = W.WSAStartup(W.MAKEWORD(2, 2));
    if (rc !== 0) throw new Error(`WSAStartup returned ${rc}`);
    m.startups++;
    r.startups++;
  }
  toString = () => 'WSAStartup(2.2)';
}

export class Cleanup implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    W.WSASetLastError(0);
    const rc = W.WSACleanup();
    if (m.startups === 0) {
      if (rc !== W.SOCKET_ERROR || W.WSAGetLastError() !== E.WSANOTINITIALISED)
        throw new Error(`WSACleanup() without WSAStartup: ${rc}/${W.WSAGetLastError()}`);
      return;
    }
    if (rc !== 0) throw new Error(`WSACleanup() returned ${rc}`);
    m.startups--;
    r.startups--;
    // Winsock: the last WSACleanup resets every socket; their handles are gone.
    if (m.startups === 0) for (const s of m.socks) if (s.kind !== 'never') s.kind = 'closed';
    await settle(m, r, []);
  }
  toString = () => 'WSACleanup()';
}

/** true about one time in five (seeded, unlike Math.random). */
export const rarely = fc.constantFrom(false, false, false, false, true);

export type Weighted = { arbitrary: fc.Arbitrary<fc.AsyncCommand<Model, Real>>; weight: number };

/** Every command, with its arguments, as one fast-check arbitrary; `extra` joins the flat calls (the promise calls). */
export function commandArbs(extra: Weighted[] = []): fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] {
  const t = targetArb;
  // How often each call comes up, in the order below: data calls most,
  // WSACleanup least (the last one ends every socket of the sequence).
  const weights = [8, 8, 3, 2, 2, 3, 1, 1, 3, 2, 1, 1, 1, 1, 1, 2, 1, 1, 4];
  const arbs = [
    fc.tuple(t, lenArb, fc.constantFrom<0 | 0x8000>(0, 0, 0, 0, 0x8000), rarely).map(([a, l, f, w]) => send(a, l, f, w)),
    fc.tuple(t, lenArb, fc.constantFrom<0 | 2 | 0x8000>(0, 0, 0, 2, 0x8000)).map(([a, l, f]) => recv(a, l, f)),
    fc.tuple(t, fc.constantFrom(...Object.keys(HOW_VALUES), 'SD_SEND', 'SD_RECEIVE', 'SD_BOTH')).map(([a, h]) => shutdown(a, h)),
    fc
      .tuple(t, fc.constantFrom<'send' | 'recv'>('send', 'recv'), fc.constantFrom(...Object.keys(DATA_VALUES), 'none', 'none'))
      .map(([a, w, d]) => disconnect(a, w, d)),
    t.map((a) => closesocket(a)),
    fc.tuple(t, lingerArb).map(([a, l]) => setLinger(a, l)),
    fc.tuple(t, rarely).map(([a, w]) => getLinger(a, w)),
    fc.tuple(t, fc.boolean()).map(([a, v]) => dontLinger(a, v)),
    fc.tuple(t, fc.constantFrom<number | 'string' | 'notArray'>(0, 1, 7, 0, 1, 'string', 'notArray')).map(([a, v]) => fionbio(a, v)),
    fc.tuple(t, rarely).map(([a, b]) => fionread(a, b)),
    fc.tuple(t, fc.constantFrom<ConnectTo>('refused', 'listener', 'any', 'v6')).map(([a, to]) => connect(a, to)),
    fc.tuple(t, fc.constantFrom(...Object.keys(BACKLOGS))).map(([a, b]) => listen(a, b)),
    fc.tuple(t, rarely).map(([a, v6]) => bind(a, v6)),
    fc.tuple(t, rarely).map(([a, w]) => accept(a, w)),
    t.map((a) => getpeername(a)),
    fc.tuple(t, t).map(([a, b]) => poll(a, b)),
    fc.constant(new Startup()),
    fc.constant(new Cleanup()),
    fc
      .tuple(t, lenArb, fc.constantFrom<'peer' | 'any' | 'v6'>('peer', 'peer', 'peer', 'peer', 'any', 'v6'))
      .map(([a, l, to]) => sendto(a, l, to)),
  ] as fc.Arbitrary<fc.AsyncCommand<Model, Real>>[];
  return [fc.oneof(...arbs.map((arbitrary, i) => ({ arbitrary, weight: weights[i]! })), ...extra)];
}

// --- one sequence: set up, run, release, check ----------------------------------
function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`setup: ${what} failed: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

function localPort(h: SOCKET): number {
  const a = {} as SockAddr;
  return W.getsockname(h, a) === 0 ? a.port : 0;
}

/** Sockets for one sequence: the model's view and the real handles. */
export function setup(issued: Set<number>, foreignFds: number[]): { model: Model; real: Real } {
  check(W.WSAStartup(W.MAKEWORD(2, 2)), 'WSAStartup');
  const tcp = () => check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
  const L = tcp();
  check(W.bind(L, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  check(W.listen(L, 8), 'listen');
  const listenAddr = {} as SockAddr;
  check(W.getsockname(L, listenAddr), 'getsockname');
  const pair = (): [SOCKET, SOCKET] => {
    const c = tcp();
    check(W.connect(c, listenAddr), 'connect');
    return [c, check(W.accept(L), 'accept')];
  };
  const [c1, a1] = pair();
  const [c2, a2] = pair();
  const U = tcp();
  const X = tcp();
  check(W.closesocket(X), 'closesocket');
  // A port nobody listens on: bound, read, closed (nothing else binds it meanwhile on loopback's ephemeral range).
  const probe = tcp();
  check(W.bind(probe, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
  const refused = { family: W.AF_INET, address: '127.0.0.1', port: localPort(probe) };
  check(W.closesocket(probe), 'closesocket');
  const udp = () => {
    const u = check(W.socket(W.AF_INET, W.SOCK_DGRAM, W.IPPROTO_UDP), 'socket');
    check(W.bind(u, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
    const a = {} as SockAddr;
    check(W.getsockname(u, a), 'getsockname');
    return [u, a] as const;
  };
  const [u1, u1addr] = udp();
  const [u2, u2addr] = udp();
  check(W.connect(u2, u1addr), 'connect');
  const h = [L, c1, a1, c2, a2, U, X, 0, u1, u2];
  for (const x of [L, c1, a1, c2, a2, U, X, probe, u1, u2]) {
    if (issued.has(x)) throw new Error(`handle ${x} was issued twice in this process`);
    issued.add(x);
  }
  const model: Model = {
    startups: 1,
    ports: [],
    socks: [
      newSock('listener'),
      newSock('conn', { peer: 2 }),
      newSock('conn', { peer: 1 }),
      newSock('conn', { peer: 4 }),
      newSock('conn', { peer: 3 }),
      newSock('idle'),
      newSock('closed'),
      newSock('never'),
      newSock('udp'),
      newSock('udp', { udpPeer: U1 }),
    ],
  };
  model.ports = h.map((x, i) => (i <= 5 || i >= U1 ? localPort(x) : 0));
  const real: Real = {
    h,
    listenAddr,
    refused,
    udpAddr: { [U1]: u1addr, [U2]: u2addr },
    foreignFds,
    startups: 1,
    issued,
    unsettled: new Set(),
  };
  return { model, real };
}

/** Closes whatever the sequence left open and ends its WSAStartup calls. */
export async function teardown(r: Real): Promise<void> {
  if (r.startups === 0) {
    W.WSAStartup(W.MAKEWORD(2, 2));
    r.startups = 1;
  }
  for (const h of W.openHandles()) {
    // A blocking linger {1,N} close may sleep N s (DEVIATIONS.lingerOnResetConnection): keep it short.
    const l = { l_onoff: 0, l_linger: 0 };
    if (W.getsockopt(h, W.SOL_SOCKET, W.SO_LINGER, l) === 0 && l.l_onoff && l.l_linger > 2)
      W.setsockopt(h, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 2 });
    if (W.closesocket(h) !== 0) {
      // Nonblocking linger {1,N} with unsent data: WSAEWOULDBLOCK; drop the linger and close.
      W.setsockopt(h, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 0, l_linger: 0 });
      if (W.closesocket(h) !== 0) throw new Error(`teardown: closesocket(${h}) failed: ${W.wsaErrorName(W.WSAGetLastError())}`);
    }
  }
  while (r.startups > 0) {
    W.WSACleanup();
    r.startups--;
  }
  await new Promise<void>((res) => setImmediate(res));
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  maxCommands?: number;
  /** Commands that join the flat calls (promise-calls.ts). */
  extraCommands?: Weighted[];
  /** Called with each failing sequence's message (fast-check's report, shrunk). */
  log?: (line: string) => void;
}

export interface FuzzReport {
  runs: number;
  seed: number;
  commands: number;
  ms: number;
}

/** Foreign descriptors outside the model: a file and a TCP connection of Node's own `net`. */
async function sentinels() {
  const file = fileSentinel();
  const server = net.createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((res) => server.once('connection', res));
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((res) => client.once('connect', () => res()));
  const echo = await accepted;
  echo.on('data', (d) => echo.write(d));
  const fdOf = (x: unknown) => (x as { _handle: { fd: number } })._handle.fd;
  const fds = [fdOf(client), fdOf(echo), fdOf(server)];
  const links = new Map(fds.map((fd) => [fd, fdTarget(fd)]));
  return {
    fds: [file.fd, ...fds],
    check(): string[] {
      const bad = file.check();
      for (const [fd, link] of links) if (fdTarget(fd) !== link) bad.push(`net sentinel fd ${fd}: was ${link}, now ${fdTarget(fd)}`);
      return bad;
    },
    async echo(): Promise<boolean> {
      const got = new Promise<string>((res) => client.once('data', (d) => res(d.toString())));
      client.write('ping');
      return (await Promise.race([got, new Promise<string>((res) => setTimeout(() => res('timeout'), 2000))])) === 'ping';
    },
    async close() {
      client.destroy();
      echo.destroy();
      await new Promise<void>((res) => server.close(() => res()));
      file.close();
    },
  };
}

// Timers may fall below the baseline (the test runner's own come and go), never above it.
const differs = (a: ResourceSnapshot, b: ResourceSnapshot): string[] =>
  (Object.keys(a) as (keyof ResourceSnapshot)[])
    .filter((k) => (k === 'timers' ? b[k] > a[k] : a[k] !== b[k]))
    .map((k) => `${k}: ${a[k]} before, ${b[k]} after`);

/** Runs `runs` seeded sequences; throws fast-check's shrunk counterexample on the first failure. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const sent = await sentinels();
  const issued = new Set<number>();
  let commands = 0;
  const t0 = performance.now();
  try {
    // One sequence first so that lazily opened descriptors (koffi, libuv) are in the baseline.
    const warm = setup(issued, sent.fds);
    await teardown(warm.real);
    await pause(20); // libuv registers the sentinels' reads with epoll on a later loop turn
    const baseline = snapshot();
    const prop = fc.asyncProperty(
      fc.commands(commandArbs(opts.extraCommands), { maxCommands: opts.maxCommands ?? 40, size: 'max' }),
      async (cmds) => {
        const { model, real } = setup(issued, sent.fds);
        if (TRACE) process.stderr.write('--- sequence\n');
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          commands += [...cmds].length;
          // Every promise the sequence made settled, and nothing waits in the promise layer's queues.
          const waiting = queue.pending?.() ?? [];
          if (real.unsettled.size || waiting.length)
            throw new Error(`after the sequence: promises left pending: ${[...real.unsettled].join(', ')} ${JSON.stringify(waiting)}`);
        } finally {
          await teardown(real);
        }
        const problems = [...differs(baseline, snapshot()), ...sent.check()];
        if (problems.length) throw new Error(`after the sequence: ${problems.join('; ')}`);
      },
    );
    await fc.assert(prop, { numRuns: opts.runs, seed: opts.seed, includeErrorInReport: true });
    if (!(await sent.echo())) throw new Error('the net sentinel connection no longer echoes');
  } finally {
    await sent.close();
  }
  return { runs: opts.runs, seed: opts.seed, commands, ms: Math.round(performance.now() - t0) };
}
