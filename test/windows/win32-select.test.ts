// win32-select.ts's own logic, on any OS: ws2_32's select is replaced by a
// scripted fake, so the native fd_set it builds (count, 8-aligned SOCKET
// array), the timeval (two 32-bit longs, NULL for "forever") and how it reads
// the rewritten sets back are checked without Windows. What ws2_32 decides is
// the Wine lane's part (src/scenarios/contract/porting.js).
import { beforeEach, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({ impl: null as null | ((...a: unknown[]) => number), lastError: 0 }));

vi.mock('../../native-bindings/ws2_32-select.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../native-bindings/ws2_32-select.js')>();
  return { ...real, WS: { select: (...a: unknown[]) => fake.impl!(...a), WSAGetLastError: () => fake.lastError } };
});

const { select } = await import('../../src/backends/win32-select.js');
const { WSAGetLastError } = await import('../../src/errors.js');

const { win32Record } = await import('../helpers.js');
const a = await win32Record(0x100n);
const b = await win32Record(0x1_0000_0000_0104n); // above 2^32: must stay exact

/** The SOCKETs of a native fd_set. */
const socketsOf = (buf: Buffer | null): bigint[] =>
  buf ? Array.from({ length: buf.readUInt32LE(0) }, (_, i) => buf.readBigUInt64LE(8 + 8 * i)) : [];

/** Rewrites a native fd_set to `keep`, as ws2_32 does. */
function rewrite(buf: Buffer | null, keep: bigint[]): void {
  if (!buf) return;
  buf.writeUInt32LE(keep.length, 0);
  keep.forEach((s, i) => buf.writeBigUInt64LE(s, 8 + 8 * i));
}

beforeEach(() => {
  fake.impl = null;
  fake.lastError = 0;
});

it('builds one native fd_set per non-empty list and a 32-bit timeval; reads the ready SOCKETs back', () => {
  let seen: { nfds: unknown; r: bigint[]; w: bigint[]; e: unknown; tv: number[] } | undefined;
  fake.impl = (nfds, r, w, e, tv) => {
    const t = tv as Buffer;
    seen = { nfds, r: socketsOf(r as Buffer), w: socketsOf(w as Buffer), e, tv: [t.readInt32LE(0), t.readInt32LE(4)] };
    rewrite(r as Buffer, [0x1_0000_0000_0104n]);
    rewrite(w as Buffer, []);
    return 1;
  };
  const ready: [boolean[], boolean[], boolean[]] = [[], [], []];
  expect(select([[a, b], [a], []], 2500, ready)).toBe(1);
  expect(seen).toEqual({ nfds: 0, r: [0x100n, 0x1_0000_0000_0104n], w: [0x100n], e: null, tv: [2, 500_000] });
  expect(ready).toEqual([[false, true], [false], []]);
});

it('a negative timeout is a NULL timeval (wait forever)', () => {
  let tv: unknown = 'unset';
  fake.impl = (_n, r, _w, _e, t) => ((tv = t), rewrite(r as Buffer, []), 0);
  expect(select([[a], [], []], -1, [[], [], []])).toBe(0);
  expect(tv).toBeNull();
});

it("SOCKET_ERROR records ws2_32's WSAGetLastError", () => {
  fake.impl = () => -1;
  fake.lastError = 10038;
  expect(select([[a], [], []], 0, [[], [], []])).toBe(-1);
  expect(WSAGetLastError()).toBe(10038);
});
