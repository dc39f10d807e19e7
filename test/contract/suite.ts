// Runs one contract (a sock.c function's expectations, test/contract/*.mjs)
// through the library on this OS, one vitest test per expectation, so a
// failing test's name says which Windows-checked rule broke.
import { beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { outcomeMatches } from '../conformance/scenarios.mjs';
import { contracts } from './index.mjs';

export function contractSuite(id: string): void {
  const c = contracts.find((x) => x.id === id);
  if (!c) throw new Error(`no contract ${id}`);
  describe(`${c.title} (sock.c ${c.rule})`, () => {
    const observed: Record<string, Record<string, unknown>> = {};
    beforeAll(async () => {
      if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
      try {
        await c.run(W, { observe: (name, o) => void (observed[name] = o), conn: () => {} });
      } finally {
        W.WSACleanup();
      }
    });
    for (const [name, check] of Object.entries(c.checks)) {
      it(`${name}: ${check.call} (${check.cite})`, () => {
        const got = observed[name];
        expect(got, 'the step ran').toBeDefined();
        if (!outcomeMatches(check.expect as never, got as never)) expect(got).toEqual(expect.objectContaining(check.expect));
      });
    }
  });
}
