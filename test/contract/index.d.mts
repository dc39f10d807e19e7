// Types of the contract files for the TypeScript side (vitest, test/windows/).
import type { Outcome } from '../conformance/scenarios.d.mts';

export interface Check {
  call: string;
  /** The sock.c ok() this re-expresses (its test function is the contract's `rule`). */
  cite: string;
  /** Windows' answer (sock.c, checked on Windows). */
  expect: Outcome | Record<string, unknown>;
  /** Wine 8's measured answer where it differs, and why. */
  wine?: { expect: Record<string, unknown>; reason: string };
}

export interface Contract {
  id: string;
  title: string;
  /** The sock.c test function(s) re-expressed. */
  rule: string;
  checks: Record<string, Check>;
  run(w: unknown, t: { observe(name: string, o: Record<string, unknown>): void; conn(p: unknown): void }): Promise<void>;
}

export const contracts: Contract[];
