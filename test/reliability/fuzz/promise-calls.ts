// The promise API (src/promises.ts) in the model-based fuzzer: each promise
// call is its flat call awaited, so the model's answer for the flat call
// (flat-calls.ts's CallSpec.expect, taken in the blocking column: the promise
// API waits whatever FIONBIO says) is the answer the promise must settle with:
//   resolves v            <-> the flat call returns v
//   rejects WinsockError  <-> SOCKET_ERROR with that WSA code (code, errno and syscall named)
//   rejects TypeError/... <-> the flat call throws it (never a synchronous throw)
// and WSAGetLastError() is left as it was. Where the flat call would block
// (WSAEWOULDBLOCK, or a blocking call the model says waits forever), the
// promise is made with an AbortSignal, given a turn of the loop, then aborted:
// it must reject with an AbortError and leave the socket as it was (an
// aborted recv consumed nothing: FIONREAD unchanged). promise closesocket and
// gracefulClose run where their result is determined and quick (no linger
// {1,N} wait; gracefulClose with a short timeout).
import fc from 'fast-check';
import * as W from '../../../src/index.js';
import * as P from '../../../src/promises.js';
import type { SockAddr, SOCKET } from '../../../src/index.js';
import {
  accept,
  Cleanup,
  closesocket,
  connect,
  type CallSpec,
  type ConnectTo,
  type FlatCall,
  handleValue,
  lenArb,
  lenValue,
  type LenArg,
  rarely,
  recv,
  type Real,
  send,
  sendto,
  settle,
  shutdown,
  slotOf,
  type Target,
  targetArb,
  targetName,
  type Weighted,
} from './flat-calls.js';
import { closed, fails, finSent, isRc, type Model, type Outcome, type Result, type Settle } from './model.js';

const E = W.WSA;
const TRACE = process.env.FUZZ_TRACE === '1';
/** Every await of a promise the API made is bounded by this: past it, the promise is reported as pending. */
const BOUND_MS = 3000;
/** A value WSAGetLastError() holds across a promise call: the promise API must leave it. */
const LAST_ERROR_MARK = 4242;

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown } | { pending: true };

/** Awaits `p` for at most `ms`; `r.unsettled` names it until it settles (the after-sequence check). */
async function bounded(r: Real, what: string, p: Promise<unknown>, ms: number): Promise<Settled> {
  r.unsettled.add(what);
  const settled: Promise<Settled> = p.then(
    (value) => (r.unsettled.delete(what), { ok: true, value }),
    (error) => (r.unsettled.delete(what), { ok: false, error }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Settled>((res) => (timer = setTimeout(() => res({ pending: true }), ms)));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A settled promise in the flat call's terms (Result), or a description of what no flat call can give. */
function asResult(s: Settled, syscall: string): Result | string {
  if ('pending' in s) return `still pending after ${BOUND_MS} ms`;
  if (s.ok) {
    const v = s.value;
    // connect resolves undefined (the flat 0); accept the new SOCKET; the rest a count.
    return { rc: v === undefined ? 0 : (v as number), err: 0, value: v };
  }
  const e = s.error;
  if (e instanceof P.WinsockError) {
    if (e.code !== W.wsaErrorName(e.errno) || e.syscall !== syscall)
      return `WinsockError with code ${e.code}, errno ${e.errno}, syscall ${e.syscall} (expected syscall ${syscall})`;
    if (e.errno === E.WSAEWOULDBLOCK) return 'a rejection with WSAEWOULDBLOCK';
    return { rc: W.SOCKET_ERROR, err: e.errno };
  }
  if (e instanceof TypeError || e instanceof RangeError) return { threw: e.constructor.name, message: e.message };
  return `rejected with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

const isAbortError = (e: unknown, reason: unknown): boolean => e instanceof DOMException && e.name === 'AbortError' && e.cause === reason;

const wouldBlockOutcome = (o: Outcome): boolean => o.matches({ rc: W.SOCKET_ERROR, err: E.WSAEWOULDBLOCK });

/** The flat call's allowed outcomes in the blocking column (FIONBIO off), as the promise API waits either way. */
function blockingColumn(m: Model, slot: number, f: () => Outcome[]): Outcome[] {
  const s = m.socks[slot]!;
  const nb = s.nonblocking;
  s.nonblocking = false;
  try {
    return f();
  } finally {
    s.nonblocking = nb;
  }
}

/** What the model says a socket's FIONREAD is, where it knows exactly (a live connection or a datagram socket). */
function fionreadOf(m: Model, slot: number): number | undefined {
  const s = m.socks[slot];
  if (!s || m.startups === 0 || s.broken) return undefined;
  if (s.kind === 'conn') return s.unread;
  if (s.kind === 'udp') return s.dgrams[0] ?? 0;
  return undefined;
}

/**
 * One promise call made from a flat call's spec: `promise` makes it with the
 * same arguments plus `{ signal }`. `blocks` says whether the spec's
 * `wouldBlock` means "waits" (recv, accept: abort it) or "not generated"
 * (connect to the listener from the unconnected socket).
 */
export class PromiseCall implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly flat: FlatCall,
    readonly promise: (r: Real, h: unknown, options: P.Options) => Promise<unknown>,
    readonly blocks: boolean,
    readonly preAborted: boolean,
  ) {}

  get spec(): CallSpec {
    return this.flat.spec;
  }

  check(m: Readonly<Model>): boolean {
    return this.blocks || !this.spec.wouldBlock?.(m as Model, slotOf(this.flat.target));
  }

  async run(m: Model, r: Real): Promise<void> {
    const slot = slotOf(this.flat.target);
    const allowed = blockingColumn(m, slot, () => this.spec.expect(m, slot));
    const waits = allowed.some(wouldBlockOutcome) || (this.blocks && !!this.spec.wouldBlock?.(m, slot));
    const h = handleValue(r, this.flat.target);
    const before = fionreadOf(m, slot);
    if (TRACE) process.stderr.write(`${this.toString()} ...`);
    const ac = new AbortController();
    const reason = new Error(`fuzz abort of ${this.toString()}`);
    if (this.preAborted) ac.abort(reason);
    W.WSASetLastError(LAST_ERROR_MARK);
    let p: Promise<unknown>;
    try {
      p = this.promise(r, h, { signal: ac.signal });
    } catch (e) {
      throw new Error(`${this.toString()}: threw synchronously: ${String(e)}`);
    }
    const fail = (why: string) => new Error(`${this.toString()}: ${why}`);
    if (this.preAborted || waits) {
      // A signal aborted before the call rejects it at once; otherwise the loop
      // gets a turn (the call may settle: a zero-length recv, an ICMP error), then the abort.
      let s = await bounded(r, this.toString(), p, this.preAborted ? BOUND_MS : 1);
      const settledFirst = !('pending' in s);
      if (!settledFirst) {
        ac.abort(reason);
        s = await bounded(r, this.toString(), p, BOUND_MS);
      }
      if (W.WSAGetLastError() !== LAST_ERROR_MARK) throw fail(`WSAGetLastError() changed to ${W.WSAGetLastError()}`);
      if (this.preAborted || !settledFirst) {
        if ('pending' in s) throw fail(`still pending ${BOUND_MS} ms after its signal was aborted`);
        if (s.ok || !isAbortError(s.error, reason)) {
          const got = asResult(s, this.spec.name);
          throw fail(`aborted, expected an AbortError (cause: the reason); got ${typeof got === 'string' ? got : JSON.stringify(got)}`);
        }
        if (TRACE) process.stderr.write(' AbortError\n');
        // Nothing happened to the socket: an aborted recv consumed nothing.
        const now = fionreadOf(m, slot);
        if (before !== undefined && now === before) {
          const argp = [-1];
          if (W.ioctlsocket(r.h[slot]!, W.FIONREAD, argp) !== 0 || argp[0] !== before)
            throw fail(`after the abort FIONREAD is ${argp[0]}, expected ${before} (the aborted call consumed data)`);
        }
        return;
      }
      return this.match(
        m,
        r,
        allowed.filter((o) => !wouldBlockOutcome(o)),
        s,
      );
    }
    const s = await bounded(r, this.toString(), p, BOUND_MS);
    if (W.WSAGetLastError() !== LAST_ERROR_MARK) throw fail(`WSAGetLastError() changed to ${W.WSAGetLastError()}`);
    return this.match(m, r, allowed, s);
  }

  private async match(m: Model, r: Real, allowed: Outcome[], s: Settled): Promise<void> {
    const res = asResult(s, this.spec.name);
    const hit = typeof res === 'string' ? undefined : allowed.find((o) => o.matches(res));
    if (!hit) {
      const got =
        typeof res === 'string'
          ? res
          : isRc(res)
            ? `${res.rc}${res.rc === W.SOCKET_ERROR ? '/' + W.wsaErrorName(res.err) : ''}`
            : `${res.threw}: ${res.message}`;
      throw new Error(`${this.toString()}: got ${got}; the model allows ${allowed.map((o) => o.label).join(' or ') || 'nothing'}`);
    }
    if (TRACE) process.stderr.write(` ${hit.label}\n`);
    hit.apply?.(res as Result);
    await settle(m, r, hit.settle ?? []);
  }

  toString(): string {
    const f = this.flat.toString();
    return `P.${f.slice(0, -1)}${this.preAborted ? ', aborted signal' : ''})`;
  }
}

const BUF = 1024;

function pSend(t: Target, len: LenArg, flags: 0 | 0x8000, bufWrong: boolean, pre: boolean): PromiseCall {
  const flat = send(t, len, flags, bufWrong);
  return new PromiseCall(
    flat,
    (_r, h, o) => P.send(h as SOCKET, (bufWrong ? 'abc' : Buffer.alloc(BUF, 0x61)) as unknown as Buffer, lenValue(len) as number, flags, o),
    true,
    pre,
  );
}

function pRecv(t: Target, len: LenArg, flags: 0 | 2 | 0x8000, pre: boolean): PromiseCall {
  return new PromiseCall(
    recv(t, len, flags),
    (_r, h, o) => P.recv(h as SOCKET, Buffer.alloc(BUF), lenValue(len) as number, flags, o),
    true,
    pre,
  );
}

function pSendto(t: Target, len: LenArg, to: 'peer' | 'any' | 'v6', pre: boolean): PromiseCall {
  const flat = sendto(t, len, to);
  return new PromiseCall(
    flat,
    (r, h, o) => {
      const slotAddr = 'slot' in t && t.slot === 8 ? r.udpAddr[9]! : r.udpAddr[8]!;
      const addr: SockAddr =
        to === 'peer'
          ? slotAddr
          : to === 'any'
            ? { family: W.AF_INET, address: '0.0.0.0', port: slotAddr.port }
            : { family: W.AF_INET6, address: '::1', port: slotAddr.port };
      return P.sendto(h as SOCKET, Buffer.alloc(BUF, 0x64), lenValue(len) as number, 0, addr, o);
    },
    true,
    pre,
  );
}

function pAccept(t: Target, outWrong: boolean, pre: boolean): PromiseCall {
  return new PromiseCall(accept(t, outWrong), (_r, h, o) => P.accept(h as SOCKET, (outWrong ? 5 : {}) as SockAddr, o), true, pre);
}

function pConnect(t: Target, to: ConnectTo, pre: boolean): PromiseCall {
  return new PromiseCall(
    connect(t, to),
    (r, h, o) => {
      const addr =
        to === 'refused'
          ? r.refused
          : to === 'listener'
            ? r.listenAddr
            : to === 'any'
              ? { family: W.AF_INET, address: '0.0.0.0', port: r.refused.port }
              : { family: W.AF_INET6, address: '::1', port: r.refused.port };
      return P.connect(h as SOCKET, addr, o);
    },
    false,
    pre,
  );
}

/** Linger {1,N}, N > 0, on a connection: the promise close may wait up to N s (not generated). */
const lingers = (m: Model, slot: number): boolean => {
  const s = m.socks[slot]!;
  return m.startups > 0 && s.kind === 'conn' && s.linger.l_onoff !== 0 && s.linger.l_linger > 0;
};

/** promise closesocket: the flat call's outcome in the blocking column, never WSAEWOULDBLOCK. */
class PromiseClose extends PromiseCall {
  constructor(t: Target, pre: boolean) {
    super(closesocket(t), (_r, h, o) => P.closesocket(h as SOCKET, o), false, pre);
  }
  check(m: Readonly<Model>): boolean {
    return !('slot' in this.flat.target && lingers(m as Model, this.flat.target.slot));
  }
}

const GRACEFUL_TIMEOUT_MS = 30;

/**
 * gracefulClose(s, { timeoutMs: 30 }): SD_SEND, read until the peer's FIN,
 * close (abortively at the timeout). Generated on anything but a datagram
 * socket (which has no FIN to wait for) and a lingering connection.
 */
class GracefulClose implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly target: Target,
    readonly preAborted: boolean,
  ) {}

  check(m: Readonly<Model>): boolean {
    if (!('slot' in this.target)) return true;
    const s = m.socks[this.target.slot]!;
    return m.startups === 0 || (s.kind !== 'udp' && !lingers(m as Model, this.target.slot));
  }

  /** The outcomes: rejection codes that leave the handle as it was, or the result it resolves with. */
  expect(
    m: Model,
    slot: number,
  ): { rejects: string[]; resolves?: (v: P.GracefulCloseResult) => string | undefined; apply?: () => Settle[] } {
    if ('wrongType' in this.target) return { rejects: ['TypeError'] };
    if (m.startups === 0) return { rejects: ['WSANOTINITIALISED'] };
    const s = m.socks[slot]!;
    if (s.kind === 'closed' || s.kind === 'never') return { rejects: ['WSAENOTSOCK'] };
    if (s.kind !== 'conn') return { rejects: ['WSAENOTCONN'] };
    const close = (): Settle[] => {
      const waits: Settle[] = [];
      if (!s.shutSend) {
        s.shutSend = true;
        waits.push(...finSent(m, slot));
      }
      s.unread = 0; // read and discarded (or, at a reset, moot)
      return [...waits, ...closed(m, slot)];
    };
    if (s.broken) {
      // Whether shutdown succeeds on a reset connection is open (the flat model allows 0 or a failure): either
      // it rejects (WSAENOTCONN, the handle stays) or the reset is reported as `error` and the socket closed.
      // (If shutdown succeeds, the recv after SD_RECEIVE answers WSAESHUTDOWN: the socket's own state wins.)
      const codes = [...s.broken, ...(s.shutRecv ? [E.WSAESHUTDOWN] : [])].map((c) => W.wsaErrorName(c));
      return {
        rejects: ['WSAENOTCONN'],
        resolves: (v) =>
          !v.graceful && !v.timedOut && v.error && codes.includes(v.error.code)
            ? undefined
            : `graceful false with error ${codes.join('|')}`,
        apply: close,
      };
    }
    const unread = s.unread;
    if (s.shutRecv) {
      // Reading after SD_RECEIVE is WSAESHUTDOWN: reported as `error`, then closed.
      return {
        rejects: [],
        resolves: (v) =>
          !v.graceful && !v.timedOut && v.error?.code === 'WSAESHUTDOWN' && v.bytesDrained === 0 ? undefined : 'error WSAESHUTDOWN',
        apply: close,
      };
    }
    if (s.finIn)
      return {
        rejects: [],
        resolves: (v) =>
          v.graceful && !v.timedOut && !v.error && v.bytesDrained === unread ? undefined : `graceful, ${unread} bytes drained`,
        apply: close,
      };
    // The peer is alive and has not sent its FIN: the timeout passes; an abortive close (linger {1,0}).
    return {
      rejects: [],
      resolves: (v) =>
        !v.graceful && v.timedOut && !v.error && v.bytesDrained === unread ? undefined : `timed out, ${unread} bytes drained`,
      apply: () => {
        s.linger = { l_onoff: 1, l_linger: 0 };
        return close();
      },
    };
  }

  async run(m: Model, r: Real): Promise<void> {
    const slot = slotOf(this.target);
    const want = this.preAborted ? { rejects: ['AbortError'] } : this.expect(m, slot);
    const ac = new AbortController();
    const reason = new Error('fuzz abort');
    if (this.preAborted) ac.abort(reason);
    if (TRACE) process.stderr.write(`${this.toString()} ...`);
    W.WSASetLastError(LAST_ERROR_MARK);
    let p: Promise<P.GracefulCloseResult>;
    try {
      p = P.gracefulClose(handleValue(r, this.target) as SOCKET, { timeoutMs: GRACEFUL_TIMEOUT_MS, signal: ac.signal });
    } catch (e) {
      throw new Error(`${this.toString()}: threw synchronously: ${String(e)}`);
    }
    const s = await bounded(r, this.toString(), p, BOUND_MS);
    const fail = (why: string) =>
      new Error(`${this.toString()}: ${why}; the model allows ${[...want.rejects, want.resolves ? 'a result' : ''].join(' or ')}`);
    if ('pending' in s) throw fail(`still pending after ${BOUND_MS} ms`);
    if (W.WSAGetLastError() !== LAST_ERROR_MARK) throw fail(`WSAGetLastError() changed to ${W.WSAGetLastError()}`);
    if (!s.ok) {
      const e = s.error;
      const name = isAbortError(e, reason)
        ? 'AbortError'
        : e instanceof P.WinsockError
          ? e.code
          : e instanceof TypeError || e instanceof RangeError
            ? e.constructor.name
            : String(e);
      if (!want.rejects.includes(name)) throw fail(`rejected with ${name}`);
      if (TRACE) process.stderr.write(` rejected ${name}\n`);
      return;
    }
    const v = s.value as P.GracefulCloseResult;
    const shown = JSON.stringify({ ...v, error: v.error?.code });
    const why = want.resolves ? want.resolves(v) : 'no result';
    if (why !== undefined) throw fail(`resolved ${shown}, expected ${why}`);
    if (TRACE) process.stderr.write(` ${shown}\n`);
    await settle(m, r, want.apply?.() ?? []);
  }

  toString(): string {
    return `P.gracefulClose(${targetName(this.target)}, timeoutMs=${GRACEFUL_TIMEOUT_MS}${this.preAborted ? ', aborted signal' : ''})`;
  }
}

/** What happens while a promise recv waits: a flat call on its peer or on its own socket, or the last WSACleanup. */
type WhileWaiting = 'peerSend' | 'peerShutdown' | 'peerClose' | 'close' | 'cleanup';

/**
 * A promise recv that waits (the flat recv would block) while another call
 * happens, then settles as a recv made after that call would: data from the
 * peer resolves it (MSG_PEEK leaves the bytes), the peer's FIN resolves 0, a
 * reset rejects with the reset's code, the model's "still would block" is
 * aborted; closing its own socket (or the last WSACleanup) rejects it with
 * WSA_OPERATION_ABORTED, syscall 'recv'.
 */
class RecvWhile implements fc.AsyncCommand<Model, Real> {
  readonly recvCall: FlatCall;
  constructor(
    readonly slot: number,
    readonly len: number,
    readonly peek: boolean,
    readonly then: WhileWaiting,
    readonly n: number,
  ) {
    this.recvCall = recv({ slot }, { n: len }, peek ? 2 : 0);
  }

  private peerSlot(m: Model): number | undefined {
    const s = m.socks[this.slot]!;
    if (s.kind === 'conn') return s.peer;
    if (s.kind === 'udp') return this.slot === 8 ? 9 : 8;
    return undefined;
  }

  private action(m: Model): FlatCall | Cleanup {
    const peer = this.peerSlot(m)!;
    if (this.then === 'peerSend') return send({ slot: peer }, { n: this.n }, 0, false);
    if (this.then === 'peerShutdown') return shutdown({ slot: peer }, 'SD_SEND');
    if (this.then === 'peerClose') return closesocket({ slot: peer });
    if (this.then === 'close') return closesocket({ slot: this.slot });
    return new Cleanup();
  }

  check(m: Readonly<Model>): boolean {
    const mm = m as Model;
    const s = mm.socks[this.slot]!;
    if (mm.startups === 0 || (s.kind !== 'conn' && s.kind !== 'udp')) return false;
    if (!blockingColumn(mm, this.slot, () => this.recvCall.spec.expect(mm, this.slot)).some(wouldBlockOutcome)) return false;
    // Closing with linger {1,N} may wait or fail WSAEWOULDBLOCK (then nothing settles the recv): not generated.
    const closing = this.then === 'close' ? this.slot : this.then === 'peerClose' ? this.peerSlot(mm) : undefined;
    const c = closing === undefined ? undefined : mm.socks[closing];
    if (c && c.linger.l_onoff && c.linger.l_linger > 0) return false;
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    if (TRACE) process.stderr.write(`${what} ...`);
    const ac = new AbortController();
    const reason = new Error(`fuzz abort of ${what}`);
    W.WSASetLastError(LAST_ERROR_MARK);
    const p = P.recv(r.h[this.slot]!, Buffer.alloc(BUF), this.len, this.peek ? W.MSG_PEEK : 0, { signal: ac.signal });
    const before = blockingColumn(m, this.slot, () => this.recvCall.spec.expect(m, this.slot)).filter((o) => !wouldBlockOutcome(o));
    const early = await bounded(r, what, p, 1);
    if (!('pending' in early)) {
      // Allowed when the model says the recv may also answer at once (a datagram socket's ICMP error).
      const res = asResult(early, 'recv');
      const hit = typeof res === 'string' ? undefined : before.find((o) => o.matches(res));
      if (!hit)
        throw new Error(
          `${what}: settled before anything happened: ${JSON.stringify(res)}; the model allows waiting or ${before.map((o) => o.label).join(' or ')}`,
        );
      hit.apply?.(res as Result);
      return;
    }
    // The call in between, checked against the model like any other, but
    // without waiting for its data to show in FIONREAD (the recv takes it).
    const act = this.action(m);
    if (act instanceof Cleanup) await act.run(m, r);
    else {
      const allowed = act.spec.expect(m, slotOf(act.target));
      W.WSASetLastError(0);
      let res: Result;
      try {
        const out = act.spec.invoke(r, r.h[slotOf(act.target)]);
        res = { rc: out.rc, err: W.WSAGetLastError() };
      } catch (e) {
        res = { threw: String(e), message: String(e) };
      }
      const hit = allowed.find((o) => o.matches(res));
      if (!hit)
        throw new Error(
          `${what}: ${act.toString()} got ${JSON.stringify(res)}; the model allows ${allowed.map((o) => o.label).join(' or ')}`,
        );
      hit.apply?.(res);
      // (Data for this socket is not waited for: the recv may take it first.)
      const mine = (w: Settle) => w.slot === this.slot && (w.unread !== undefined || w.anyOf === W.POLLRDNORM);
      await settle(
        m,
        r,
        (hit.settle ?? []).filter((w) => !mine(w)),
      );
    }
    // The flat calls above (and settle's own) set WSAGetLastError; from here only the promise runs.
    W.WSASetLastError(LAST_ERROR_MARK);
    const s = m.socks[this.slot]!;
    let allowed: Outcome[];
    let waits = false;
    if (s.kind === 'closed') allowed = [fails(E.WSA_OPERATION_ABORTED)];
    else {
      allowed = blockingColumn(m, this.slot, () => this.recvCall.spec.expect(m, this.slot));
      waits = allowed.some(wouldBlockOutcome);
    }
    let got = await bounded(r, what, p, waits ? 20 : BOUND_MS);
    if (waits && 'pending' in got) {
      ac.abort(reason);
      got = await bounded(r, what, p, BOUND_MS);
      if (!('pending' in got) && !got.ok && isAbortError(got.error, reason)) {
        if (TRACE) process.stderr.write(' still waiting: AbortError\n');
        return;
      }
    }
    if (W.WSAGetLastError() !== LAST_ERROR_MARK) throw new Error(`${what}: WSAGetLastError() changed to ${W.WSAGetLastError()}`);
    const res = asResult(got, 'recv');
    const hit = typeof res === 'string' ? undefined : allowed.filter((o) => !wouldBlockOutcome(o)).find((o) => o.matches(res));
    if (!hit)
      throw new Error(
        `${what}: the recv got ${typeof res === 'string' ? res : JSON.stringify(res)}; the model allows ${allowed.map((o) => o.label).join(' or ')}`,
      );
    if (TRACE) process.stderr.write(` ${hit.label}\n`);
    hit.apply?.(res as Result);
    const live = m.socks[this.slot]!;
    await settle(m, r, live.kind === 'conn' && live.unread > 0 ? [{ slot: this.slot, unread: live.unread }] : []);
  }

  toString(): string {
    const then = this.then === 'peerSend' ? `peerSend ${this.n}` : this.then;
    return `P.recv(${targetName({ slot: this.slot })}, len=${this.len}${this.peek ? ', MSG_PEEK' : ''}) while ${then}`;
  }
}

/** The promise calls, weighted to join the flat ones (commandArbs' extra). */
export function promiseCommandArbs(): Weighted[] {
  const t = targetArb;
  const pre = fc.constantFrom(false, false, false, false, false, false, false, false, false, true);
  const arb = (a: fc.Arbitrary<fc.AsyncCommand<Model, Real>>, weight: number): Weighted => ({ arbitrary: a, weight });
  return [
    arb(
      fc.tuple(t, lenArb, fc.constantFrom<0 | 0x8000>(0, 0, 0, 0, 0x8000), rarely, pre).map(([a, l, f, w, p]) => pSend(a, l, f, w, p)),
      5,
    ),
    arb(
      fc.tuple(t, lenArb, fc.constantFrom<0 | 2 | 0x8000>(0, 0, 0, 2, 0x8000), pre).map(([a, l, f, p]) => pRecv(a, l, f, p)),
      6,
    ),
    arb(
      fc
        .tuple(t, lenArb, fc.constantFrom<'peer' | 'any' | 'v6'>('peer', 'peer', 'peer', 'any', 'v6'), pre)
        .map(([a, l, to, p]) => pSendto(a, l, to, p)),
      2,
    ),
    arb(
      fc.tuple(t, rarely, pre).map(([a, w, p]) => pAccept(a, w, p)),
      1,
    ),
    arb(
      fc.tuple(t, fc.constantFrom<ConnectTo>('refused', 'listener', 'any', 'v6'), pre).map(([a, to, p]) => pConnect(a, to, p)),
      1,
    ),
    arb(
      fc.tuple(t, pre).map(([a, p]) => new PromiseClose(a, p)),
      1,
    ),
    arb(
      fc.tuple(t, pre).map(([a, p]) => new GracefulClose(a, p)),
      1,
    ),
    arb(
      fc
        .tuple(
          fc.constantFrom(1, 2, 3, 4, 8, 9),
          fc.integer({ min: 1, max: 512 }),
          rarely,
          fc.constantFrom<WhileWaiting>('peerSend', 'peerSend', 'peerSend', 'peerShutdown', 'peerClose', 'close', 'cleanup'),
          fc.integer({ min: 1, max: 512 }),
        )
        .map(([slot, len, peek, then, n]) => new RecvWhile(slot, len, peek, then, n)),
      4,
    ),
  ];
}
