// Trace a program you did not write: capture loopback connections to or from
// one port (optionally while a command runs), then describe each connection's
// teardown: who closed first, with FIN or RST, the final states on the wire and
// who holds TIME_WAIT (confirmed in the kernel's table when the sockets live in
// this namespace).
import { spawn } from 'node:child_process';
import { startCapture } from './capture.js';
import { TCP_FLAGS, type Segment } from './decode.js';
import { connections, ladder, ladderModel } from './ladder.js';
import { findConnections } from './tcpstate.js';

export interface TraceOptions {
  port: number;
  /** Run this (argv) and capture until it exits; without it, capture for `seconds` or until SIGINT. */
  command?: string[];
  seconds?: number;
  pcapPath?: string;
}

export interface TracedConnection {
  client: string;
  server: string;
  segments: Segment[];
  ladder: string;
  /** Who sent the first FIN or RST. */
  closedFirst: 'client' | 'server' | 'nobody';
  /** How the first closer ended: FIN (graceful) or RST (abortive). */
  closedWith: 'FIN' | 'RST' | 'none';
  resets: { client: number; server: number };
  final: { client: string; server: string };
  /** The end that holds TIME_WAIT (inferred from the wire; `kernel` says if the table agrees). */
  timeWaitHolder: 'client' | 'server' | 'both' | 'none';
  kernel: string;
  verdict: string;
}

export interface TraceResult {
  port: number;
  command?: { argv: string[]; code: number | null; signal: string | null };
  connections: TracedConnection[];
}

function describe(segments: Segment[], index: number): TracedConnection {
  const c = connections(segments)[index]!;
  const m = ladderModel(segments, { connection: index });
  const first = c.segments.find((s) => s.flagBits & (TCP_FLAGS.FIN | TCP_FLAGS.RST));
  const side = (s: Segment): 'client' | 'server' => (s.src === c.client ? 'client' : 'server');
  const closedFirst = first ? side(first) : 'nobody';
  const closedWith = !first ? 'none' : first.flagBits & TCP_FLAGS.RST ? 'RST' : 'FIN';
  const resets = {
    client: c.segments.filter((s) => side(s) === 'client' && s.flagBits & TCP_FLAGS.RST).length,
    server: c.segments.filter((s) => side(s) === 'server' && s.flagBits & TCP_FLAGS.RST).length,
  };
  const tw = (['client', 'server'] as const).filter((k) => m.final[k] === 'TIME_WAIT');
  const timeWaitHolder = tw.length === 2 ? 'both' : tw.length === 1 ? tw[0]! : 'none';
  const rows = [...findConnections(c.client, c.server), ...findConnections(c.server, c.client)];
  const kernel = rows.length
    ? rows.map((r) => `${r.local} ${r.state}${r.owned ? '' : ' (no owner)'}`).join(', ')
    : 'no sockets left in this namespace';
  const verdict =
    closedFirst === 'nobody'
      ? `not closed during the trace; states ${m.final.client} / ${m.final.server}`
      : `${closedFirst} closed first with ${closedWith}` +
        (resets.client + resets.server
          ? `; RST from ${[resets.client ? 'client' : '', resets.server ? 'server' : ''].filter(Boolean).join(' and ')}`
          : '; no RST') +
        ` | final: client ${m.final.client}, server ${m.final.server} | TIME_WAIT: ${timeWaitHolder} | kernel: ${kernel}`;
  return {
    client: c.client,
    server: c.server,
    segments: c.segments,
    ladder: ladder(segments, { connection: index }),
    closedFirst,
    closedWith,
    resets,
    final: m.final,
    timeWaitHolder,
    kernel,
    verdict,
  };
}

export async function trace(o: TraceOptions): Promise<TraceResult> {
  const cap = startCapture({ ports: [o.port] });
  let command: TraceResult['command'];
  try {
    if (o.command?.length) {
      const [cmd, ...args] = o.command;
      command = await new Promise((resolve) => {
        const child = spawn(cmd!, args, { stdio: ['ignore', 'inherit', 'inherit'] });
        // Ctrl-C goes to the whole foreground group: let the command end, then report.
        const ignore = (): void => {};
        process.on('SIGINT', ignore);
        child.on('error', (e) => {
          process.off('SIGINT', ignore);
          process.stderr.write(`winsock-compat trace: ${cmd}: ${e.message}\n`);
          resolve({ argv: o.command!, code: 127, signal: null });
        });
        child.on('exit', (code, signal) => {
          process.off('SIGINT', ignore);
          resolve({ argv: o.command!, code, signal });
        });
      });
    } else {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          process.off('SIGINT', done);
          resolve();
        };
        const timer = setTimeout(done, (o.seconds ?? 3600) * 1000);
        process.on('SIGINT', done);
      });
    }
    await cap.settle(100, 2000);
    if (o.pcapPath) cap.writePcap(o.pcapPath);
  } finally {
    cap.stop();
  }
  const segments = [...cap.stop()];
  const n = connections(segments).length;
  return { port: o.port, ...(command ? { command } : {}), connections: Array.from({ length: n }, (_, i) => describe(segments, i)) };
}
