// Types of promises-cases.mjs for the TypeScript side. The cases stay plain
// JavaScript: they run in Windows Node under Wine.

export type Outcome = Record<string, unknown>;

export interface CaseCheck {
  call: string;
  /** The documented (Windows) result. A field may be `{ min, max }` for a numeric range. */
  expect: Outcome;
  /** Wine 8's measured deviation from `expect`, and why. */
  wine?: { expect: Outcome; reason: string };
}

/** FIN/RST-bearing segments each side sends, in order ('FIN' | 'RST'). */
export interface Packets {
  client: string[];
  server: string[];
}

export interface CaseContext {
  observe(name: string, o: Outcome): void;
  conn(p: { address: string; clientPort: number; serverPort: number }): void;
}

export interface PromiseCase {
  id: string;
  title: string;
  rule: string;
  checks: Record<string, CaseCheck>;
  packets?: Packets;
  winePackets?: { packets: Packets; reason: string };
  run(w: any, P: any, t: CaseContext): Promise<void>;
}

export const cases: PromiseCase[];
export function matches(want: Outcome, got: Outcome | undefined): boolean;
export function judge(check: CaseCheck, got: Outcome | undefined, lane: 'linux' | 'wine'): 'pass' | 'wine-deviation' | 'fail';
export function settled(p: Promise<unknown>, ms?: number): Promise<Outcome>;
export function sleep(ms: number): Promise<void>;
