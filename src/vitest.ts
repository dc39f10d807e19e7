// vitest matchers for wire-level and resource assertions (`winsock-compat/vitest`).
// Importing this module registers them with vitest's `expect`:
//
//   import 'winsock-compat/vitest';
//   expect(capture).toContainSegment({ from: client, flags: 'FIN' });
//   expect(capture).toHaveNoSegment({ flags: 'RST' });
//   expect(capture).toHaveSegmentCount({ from: client, flags: 'FIN' }, 1);
//   expect(tracked).toBeReleased();            // tracked = track(handle) before closesocket
//   expect(handle).toBeInTcpState('CLOSE_WAIT');
//
// What a matcher accepts as "segments": a Capture (drained on the spot), an
// array of Segment, or any object with a `segments` array (a ScenarioResult).
// vitest is a peer dependency: this file imports it, the library does not.
import { expect } from 'vitest';
import { Capture, findSegments, formatSegment, type Segment, type SegmentMatch } from './harness/capture.js';
import { checkReleased, type ReleaseOptions, type Tracked } from './harness/resources.js';
import { fdTcpState, connectionState, type TcpState } from './harness/tcpstate.js';
import { nativeFd } from './api.js';

type Segments = Capture | readonly Segment[] | { segments: readonly Segment[] };

const isSegment = (x: unknown): boolean =>
  !!x && typeof x === 'object' && typeof (x as Segment).flagBits === 'number' && typeof (x as Segment).src === 'string';

/**
 * The segments in `v`, or undefined when `v` holds none: an array of anything
 * else (say `r.calls`) is refused rather than searched, since nothing in it
 * could match and `toHaveNoSegment` would pass whatever happened.
 */
function segmentsOf(v: unknown): readonly Segment[] | undefined {
  if (v instanceof Capture) return v.segments;
  const arr = Array.isArray(v)
    ? (v as unknown[])
    : v && typeof v === 'object' && Array.isArray((v as { segments?: unknown }).segments)
      ? (v as { segments: unknown[] }).segments
      : undefined;
  return arr?.every(isSegment) ? (arr as Segment[]) : undefined;
}

function listing(segs: readonly Segment[]): string {
  if (!segs.length) return '  (no segments captured)';
  return segs.map((s) => '  ' + formatSegment(s, segs[0]!.time)).join('\n');
}

const notSegments = (received: unknown) => ({
  pass: false,
  message: () =>
    `expected a Capture, a Segment[] or an object with .segments, got ${Array.isArray(received) ? 'an array of something else' : typeof received}`,
});

function describeMatch(m: SegmentMatch): string {
  return JSON.stringify(m, (_k, v: unknown) => v);
}

expect.extend({
  toContainSegment(received: unknown, m: SegmentMatch) {
    const segs = segmentsOf(received);
    if (!segs) return notSegments(received);
    const hits = findSegments(segs, m);
    return {
      pass: hits.length > 0,
      message: () =>
        hits.length > 0
          ? `expected no segment matching ${describeMatch(m)}, found ${hits.length}:\n${listing(hits)}`
          : `expected a segment matching ${describeMatch(m)}; captured:\n${listing(segs)}`,
    };
  },

  toHaveNoSegment(received: unknown, m: SegmentMatch) {
    const segs = segmentsOf(received);
    if (!segs) return notSegments(received);
    const hits = findSegments(segs, m);
    return {
      pass: hits.length === 0,
      message: () =>
        hits.length === 0
          ? `expected a segment matching ${describeMatch(m)}; captured:\n${listing(segs)}`
          : `expected no segment matching ${describeMatch(m)}, found ${hits.length}:\n${listing(hits)}\nall captured:\n${listing(segs)}`,
    };
  },

  toHaveSegmentCount(received: unknown, m: SegmentMatch, n: number) {
    const segs = segmentsOf(received);
    if (!segs) return notSegments(received);
    const hits = findSegments(segs, m);
    return {
      pass: hits.length === n,
      message: () =>
        `expected ${this.isNot ? 'not ' : ''}${n} segment(s) matching ${describeMatch(m)}, found ${hits.length}; captured:\n${listing(segs)}`,
    };
  },

  toBeReleased(received: unknown, opts: ReleaseOptions = {}) {
    if (typeof received !== 'number' && !(received && typeof received === 'object' && 'handle' in received)) {
      return { pass: false, message: () => `expected a SOCKET handle or a track(handle) record, got ${typeof received}` };
    }
    const r = checkReleased(received as number | Tracked, opts);
    return {
      pass: r.ok,
      message: () =>
        r.ok
          ? `expected the socket not to be released, but: ${Object.values(r.checks).join('; ')}`
          : `expected the socket to be released:\n  ${r.problems.join('\n  ')}\n(checks: ${Object.values(r.checks).join('; ')})`,
    };
  },

  /** A live handle's state (TCP_INFO), or a `{ local, remote }` pair's state in the kernel's table. */
  toBeInTcpState(received: unknown, state: TcpState) {
    let actual: TcpState | undefined;
    if (typeof received === 'number') {
      const fd = nativeFd(received);
      actual = fd === undefined ? undefined : fdTcpState(fd);
    } else if (received && typeof received === 'object' && 'local' in received && 'remote' in received) {
      const t = received as { local: string; remote: string };
      actual = connectionState(t.local, t.remote);
    }
    return {
      pass: actual === state,
      message: () => `expected TCP state ${this.isNot ? 'not ' : ''}${state}, got ${actual ?? 'no TCP socket'}`,
    };
  },
});

interface WireMatchers<R = unknown> {
  /** Some captured segment matches (flags listed must all be set). */
  toContainSegment(m: SegmentMatch): R;
  /** No captured segment matches. */
  toHaveNoSegment(m: SegmentMatch): R;
  /** Exactly `n` captured segments match. */
  toHaveSegmentCount(m: SegmentMatch, n: number): R;
  /** Handle answers WSAENOTSOCK, fd gone, kernel socket gone or unowned TIME_WAIT (see assertReleased). */
  toBeReleased(opts?: ReleaseOptions): R;
  /** TCP state by Windows' name: a live handle (TCP_INFO) or a `{ local, remote }` pair (kernel table). */
  toBeInTcpState(state: TcpState): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends WireMatchers<T> {}
}

export type { Segments, WireMatchers };
