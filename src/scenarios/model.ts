// The scenario model: what one file in src/scenarios/ exports, and what a run
// of it returns. The CLI, the tests, the docs generator and the Wine lane all
// read scenarios through the registry (index.ts), never through a list of
// their own.
import type { Segment } from '../harness/decode.js';
import type { ReleaseReport } from '../harness/resources.js';
import type { TcpState } from '../harness/tcpstate.js';
import type { Lab } from './lab.js';

export type Side = 'client' | 'server' | 'listener';

/** The expected outcome, checked by judge() after the run. */
export interface Expected {
  /** Winsock calls by label: the documented return value and, when it is SOCKET_ERROR, the WSA code name. */
  calls?: Record<string, { rc: number; error?: string }>;
  /**
   * Segments that must appear in this order (other segments may come between):
   * `'client SYN'`, `'server FIN,ACK'` (exact flags), `'client ACK dropped'`.
   */
  segments?: string[];
  /** Segments that must not appear: `'client RST'` (any segment with those flags). */
  never?: string[];
  /** Kernel states (TCP_INFO while held, the kernel's table after) at labelled moments; a list allows either. */
  states?: Record<string, TcpState | TcpState[]>;
  /** What the far side's recv returned at labelled moments: `EOF`, `WSAECONNRESET`, `bytes:5`, `TIMEOUT`. */
  peer?: Record<string, string>;
  /** Measured figures and their allowed range. */
  figures?: Record<string, { min?: number; max?: number }>;
  /** Sockets whose release check must pass (default: every socket the run tracked). */
  released?: Side[];
}

export interface ScenarioOptions {
  /** Capture on lo (default true; without capture privileges the scenario still runs, `captured` false). */
  capture?: boolean;
  /** Address family: AF_INET (default) or AF_INET6 (Winsock numbers). */
  af?: number;
  /** Linger scenarios: N seconds (default 1). */
  lingerSeconds?: number;
  /** Write the capture here as pcap. */
  pcapPath?: string;
}

export interface Scenario {
  /** The command-line name: `winsock-compat run NAME`. */
  name: string;
  title: string;
  /** The part of a connection's life it shows (groups `list` and docs/lab.md). */
  topic: 'handshake' | 'close' | 'time-wait' | 'winsock';
  /** What the run does, in order, in words. */
  steps: string[];
  expected: Expected;
  /** Needs a private network namespace (faults, sysctls); the sysctls set there before the run. */
  namespace?: { sysctls?: Record<string, string | number> };
  /** About how long a run takes, in seconds (the CLI shows a progress line from 1 s on). */
  seconds?: number;
  /** Part of the default tour (`winsock-compat run` with no name). */
  tour?: boolean;
  /** The steps, against the real API, observed by the lab. */
  run(x: Lab, o: ScenarioOptions): Promise<void>;
}

export interface ApiCall {
  side: Side;
  call: string;
  rc: number;
  /** WSA error name when rc is SOCKET_ERROR. */
  error?: string;
  /** Index of the next segment when the call returned (segments before it were emitted by then). */
  segIndex: number;
  /** Wall-clock time (s since epoch) just before the call, and how long it took (ms). */
  time: number;
  ms: number;
}

export interface Check {
  /** `call shutdown(client, SD_SEND)`, `segment client FIN,ACK`, `state client after SD_SEND`, `figure ...`, `release client`. */
  what: string;
  ok: boolean;
  expected: string;
  observed: string;
}

export interface Verdict {
  ok: boolean;
  /** One line: `PASS: 9 checks` or `FAIL: state server after EOF: expected CLOSE_WAIT, observed ESTABLISHED`. */
  line: string;
  checks: Check[];
}

export interface ScenarioResult {
  name: string;
  title: string;
  /** true when the run happened; false with `skipped` saying why in one line (no namespace possible). */
  ran: boolean;
  skipped?: string;
  captured: boolean;
  /** Why there is no capture, when there is none. */
  captureNote?: string;
  /** Where it ran: `loopback`, or the namespace's name. */
  where: string;
  client: string;
  server: string;
  segments: Segment[];
  calls: ApiCall[];
  /** What the far side observed, e.g. `{ 'server recv': 'EOF' }`. */
  peer: Record<string, string>;
  /** Kernel states at labelled moments. */
  states: Record<string, TcpState>;
  /** Index into segments at labelled moments. */
  marks: Record<string, number>;
  releases: Record<string, ReleaseReport>;
  /** Measured figures (units in the name: `ms`, `s`, `bytes`). */
  figures: Record<string, number>;
  /** Lines of explanation the run produced (rules installed, what a figure means). */
  notes: string[];
  /** Frames the kernel dropped from the capture for lack of buffer (0 means the capture is complete). */
  captureDrops: number;
  /** Descriptor snapshots: sockets held before setup and after cleanup. */
  fds: { socketsBefore: number; socketsAfter: number };
  verdict: Verdict;
  ms: number;
}
