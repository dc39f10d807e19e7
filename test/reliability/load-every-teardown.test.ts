// Load with data integrity and every teardown kind (issue 11, item 3): a
// promise-API server and 200 concurrent clients (half node:net, half the
// promise API), each with a checksummed payload and a seeded teardown; every
// side must observe exactly what Winsock promises, and the process's
// descriptors and handles return to where they started. `npm run load` runs
// 1,000 and writes docs/reliability.md. The seed is printed; rerun one with
// LOAD_SEED=<seed>.
import { expect, it } from 'vitest';
import { KINDS, report, runLoad } from '../../scripts/load-every-teardown.js';

const CONNECTIONS = 200;
const seed = Number(process.env.LOAD_SEED ?? Math.floor(Math.random() * 2 ** 31));

it(`${CONNECTIONS} concurrent connections, every teardown kind, each side observing what Winsock promises (seed ${seed})`, async () => {
  console.log(`load-every-teardown: seed ${seed} (rerun: LOAD_SEED=${seed} npx vitest run test/reliability/load-every-teardown.test.ts)`);
  const { result: r, where } = await runLoad({ connections: CONNECTIONS, seed, deadlineMs: 12_000, timeoutMs: 26_000 });
  console.log(report(r, `LOAD_SEED=${seed} npx vitest run test/reliability/load-every-teardown.test.ts`, where));

  expect(r.seed).toBe(seed);
  expect(r.connections).toBe(CONNECTIONS);
  expect(r.clients).toEqual({ net: CONNECTIONS / 2, lib: CONNECTIONS / 2 });
  // All 2N ends existed at once (the run holds every send until then).
  expect(r.peakConcurrent).toBe(2 * CONNECTIONS);
  // Every kind ran, and every abortive variant (the plan starts with one of each combination).
  for (const k of KINDS) expect(Object.keys(r.kinds).some((x) => x.startsWith(k))).toBe(true);
  expect(Object.keys(r.kinds)).toHaveLength(KINDS.length - 1 + 3);
  // Nothing but the promised outcomes; a failure names its connection, seed and kind.
  expect(r.failures).toEqual([]);
  expect(r.failureCount).toBe(0);
  expect(r.table.every((t) => t.expected)).toBe(true);
  expect(r.table.reduce((n, t) => n + t.count, 0)).toBe(2 * CONNECTIONS);
  // Real traffic, some of it larger than a send buffer can ever hold.
  expect(r.bytes.verified).toBeGreaterThan(1 << 20);
  expect(r.bytes.sent).toBeGreaterThanOrEqual(r.bytes.verified);
  // Lingering closes waited out their second before resetting.
  expect(r.lingerWaitMs.min).toBeGreaterThanOrEqual(950);
  // Descriptors and handles back to where they started.
  expect(r.fds.after).toBe(r.fds.before);
  expect(r.fds.socketsAfter).toBe(r.fds.socketsBefore);
  expect(r.fds.peak).toBeGreaterThanOrEqual(r.fds.before + 2 * CONNECTIONS);
  expect(r.handles.after).toBe(r.handles.before);
}, 30_000);
