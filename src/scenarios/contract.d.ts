// Types of contract.js (the contract scenarios of the registry) for the TypeScript side.
// The scenarios themselves stay plain JavaScript: they run in Windows Node under Wine.

/** A call's outcome: `ret`, WSAGetLastError() as `wsa` when ret is -1, and any other observed field. */
export interface Outcome {
  ret: number;
  wsa?: number;
  [field: string]: unknown;
}

export interface Check {
  call: string;
  /** The documented Winsock result. A field may be `{ min, max }` for a numeric range. */
  expect: Outcome;
  /** Wine 8's measured deviation from `expect`, and why. */
  wine?: { expect: Outcome; reason: string };
}

/** FIN/RST-bearing segments each side sends, in order ('FIN' | 'RST'). */
export interface Packets {
  client: string[];
  server: string[];
}

export interface ScenarioContext {
  observe(name: string, o: Outcome): void;
  conn(p: { address: string; clientPort: number; serverPort: number }): void;
}

export interface Scenario {
  id: string;
  title: string;
  rule: string;
  checks: Record<string, Check>;
  packets?: Packets;
  winePackets?: { packets: Packets; reason: string };
  run(w: unknown, t: ScenarioContext): Promise<void>;
}

export const scenarios: Scenario[];
export function judge(check: Check, got: Outcome | undefined, lane: 'linux' | 'wine'): 'pass' | 'wine-deviation' | 'fail';
export function outcomeMatches(want: Outcome, got: Outcome | undefined): boolean;
export function obs(w: unknown, fn: () => number): Outcome;
export function sleep(ms: number): Promise<void>;
export function waitFor(w: unknown, s: number, events: number, ms?: number): Promise<number>;
export function tcpPair(
  w: unknown,
  family?: number,
): Promise<{ c: number; a: number; address: string; clientPort: number; serverPort: number }>;
