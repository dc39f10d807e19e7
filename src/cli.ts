#!/usr/bin/env node
// `winsock-compat`: the TCP lifecycle lab on the command line.
//
//   winsock-compat list                      the scenarios, by part of a connection's life
//   winsock-compat run [NAME...]             run them (no name: a short tour) and draw what the wire saw
//   winsock-compat trace --port P [-- CMD]   capture connections on loopback port P (while CMD runs)
//
// Every scenario runs real sockets through the Winsock API and prints its
// ladder diagram from a loopback capture, the calls with their return values
// and WSA codes, the kernel's states and a verdict. Scenarios that need faults
// or sysctls run inside a network namespace created for them and deleted
// after (also on Ctrl-C). Exit status: 0 when every verdict passed (a scenario
// that could not run here says so and does not fail the run), 1 when one
// failed, 2 for a usage error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendName } from './api.js';
import { captureAvailability } from './harness/capture.js';
import { isolationSupport } from './harness/netns.js';
import { connections, ladder, ladderSvg } from './harness/ladder.js';
import { contract, scenario, scenarios, tour, type Scenario, type ScenarioResult } from './scenarios/index.js';
import { runScenario } from './scenarios/lab.js';
import { trace, type TraceResult } from './harness/trace.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

const USAGE = `winsock-compat ${pkg.version}: a TCP connection's whole life, live, through the Winsock API

Usage:
  winsock-compat list                        list the scenarios
  winsock-compat run [NAME...]               run scenarios (no NAME: a short tour; --all: every one)
  winsock-compat trace --port P [-- CMD...]  capture loopback connections to or from port P,
                                             while CMD runs (or for --seconds S, or until Ctrl-C)

Options:
  --json        print machine-readable results (calls, segments, states, verdict)
  --pcap DIR    write each capture as DIR/NAME.pcap (tshark, Wireshark)
  --svg DIR     write each ladder diagram as DIR/NAME.svg
  --all         run: every scenario
  --no-capture  run without a packet capture (peer-side checks only)
  --port P      trace: the port to watch
  --seconds S   trace without CMD: stop after S seconds
  -h, --help    this text
  -V, --version the version

Environment: NO_COLOR turns colour off (it is off anyway when output is not a terminal).`;

class UsageError extends Error {}

function usageExit(message: string): never {
  process.stderr.write(`winsock-compat: ${message}\nRun 'winsock-compat --help' for usage.\n`);
  process.exit(2);
}

// --- colour: only on a terminal, never with NO_COLOR ------------------------------------
const colour = process.stdout.isTTY === true && !('NO_COLOR' in process.env);
const paint =
  (code: string) =>
  (s: string): string =>
    colour ? `\x1b[${code}m${s}\x1b[0m` : s;
const red = paint('31');
const green = paint('32');
const cyan = paint('36');
const dim = paint('2');
const bold = paint('1');

function paintLadder(text: string): string {
  if (!colour) return text;
  return text
    .split('\n')
    .map((l) => (/\(dropped\)/.test(l) ? dim(l) : /RST/.test(l) ? red(l) : /FIN|SYN/.test(l) ? cyan(l) : l))
    .join('\n');
}

// --- progress for scenarios that take seconds (stderr, so --json stays clean) -------------
function progress(sc: Scenario): () => void {
  if (!sc.seconds || sc.seconds < 1) return () => {};
  const t0 = Date.now();
  const line = (): string => `running ${sc.name} (about ${Math.ceil(sc.seconds!)} s) ... ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  if (!process.stderr.isTTY) {
    process.stderr.write(`running ${sc.name} (about ${Math.ceil(sc.seconds)} s)\n`);
    return () => {};
  }
  process.stderr.write(line());
  const timer = setInterval(() => process.stderr.write(`\r${line()}`), 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

// --- text output -----------------------------------------------------------------------
/** The last connection's diagram as SVG (the one a scenario is about when it opens several). */
function writeSvg(dir: string, sc: Scenario, r: ScenarioResult): void {
  const n = connections(r.segments).length;
  if (n) writeFileSync(join(dir, `${sc.name}.svg`), ladderSvg(r.segments, { title: sc.title, connection: n - 1 }));
}

function printResult(sc: Scenario, r: ScenarioResult): void {
  const out: string[] = [];
  out.push('', bold(`== ${sc.name}: ${sc.title} ==`));
  if (!r.ran) {
    out.push(`skipped: ${r.skipped}`);
    console.log(out.join('\n'));
    return;
  }
  out.push(`where: ${r.where === 'loopback' ? 'loopback' : `network namespace ${r.where}, created for this run and deleted after`}`);
  sc.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s}`));
  for (const n of r.notes) out.push(dim(`  ${n}`));
  if (r.captured && r.segments.length) {
    const conns = connections(r.segments);
    conns.forEach((c, i) => {
      if (conns.length > 1) out.push(`connection ${i + 1} of ${conns.length}: ${c.client} -> ${c.server}`);
      out.push(paintLadder(ladder(r.segments, { connection: i })));
    });
  } else if (r.captured) out.push('(no segments: nothing went on the wire)');
  else out.push(`(no capture: ${r.captureNote})`);
  out.push('calls:');
  for (const c of r.calls) {
    const rc = c.error ? `${c.rc} ${red(c.error)}` : `${c.rc}`;
    out.push(`  ${c.side.padEnd(8)} ${c.call} = ${rc}${c.ms >= 50 ? dim(` (${c.ms.toFixed(0)} ms)`) : ''}`);
  }
  const kv = (title: string, o: Record<string, string | number>): void => {
    const e = Object.entries(o);
    if (e.length) out.push(`${title}:`, ...e.map(([k, v]) => `  ${k}: ${v}`));
  };
  kv('peer saw', r.peer);
  kv('kernel states', r.states);
  kv('measured', r.figures);
  const rel = Object.entries(r.releases).map(
    ([side, x]) =>
      `${side} ${x.ok ? 'released' : 'NOT released'} (handle ${x.status.handle}, fd ${x.status.fd}, kernel ${x.status.kernel}, port ${x.status.port})`,
  );
  if (rel.length) out.push('release:', ...rel.map((l) => `  ${l}`));
  out.push(`verdict: ${r.verdict.ok ? green(r.verdict.line) : red(r.verdict.line)}`);
  console.log(out.join('\n'));
}

function printTrace(t: TraceResult): void {
  const out: string[] = [
    `trace of port ${t.port}: ${t.connections.length} connection(s)${t.command ? `, command exit ${t.command.code}` : ''}`,
  ];
  t.connections.forEach((c, i) => {
    out.push('', bold(`connection ${i + 1}: ${c.client} -> ${c.server}`));
    out.push(paintLadder(c.ladder));
    out.push(`verdict: ${c.verdict}`);
  });
  console.log(out.join('\n'));
}

// --- commands --------------------------------------------------------------------------
async function run(names: string[], o: { json: boolean; all: boolean; pcap?: string; svg?: string; capture: boolean }): Promise<number> {
  const chosen = o.all ? [...scenarios] : names.length ? names.map((n) => scenario(n)!) : [...tour];
  const avail = o.capture ? captureAvailability() : ({ ok: false, reason: 'disabled by --no-capture' } as const);
  for (const d of [o.pcap, o.svg]) if (d) mkdirSync(d, { recursive: true });
  // No capture here, but a namespace is possible: run every scenario in one, where `unshare -rn` grants CAP_NET_RAW.
  const isolate = o.capture && !avail.ok && isolationSupport().mode !== 'none';
  if (!o.json) {
    console.log(bold(`winsock-compat ${pkg.version}: ${chosen.length} scenario(s), real Winsock API (backend: ${backendName})`));
    console.log(
      avail.ok
        ? 'capture: AF_PACKET on lo, one copy of each packet'
        : isolate
          ? `capture: not here (${avail.reason}), so each scenario runs in a namespace of its own`
          : `capture unavailable (${avail.reason}): peer-side checks only`,
    );
  }
  const results: ScenarioResult[] = [];
  let failed = 0;
  for (const sc of chosen) {
    const done = o.json ? () => {} : progress(sc);
    let r: ScenarioResult;
    try {
      // A namespace run captures inside its namespace, where `unshare -rn` grants
      // CAP_NET_RAW even when this process has none.
      const capture = sc.namespace || isolate ? o.capture : avail.ok;
      r = await runScenario(sc, { capture, isolate, ...(o.pcap && capture ? { pcapPath: join(o.pcap, `${sc.name}.pcap`) } : {}) });
    } catch (e) {
      done();
      failed++;
      const msg = e instanceof Error ? e.message : String(e);
      if (o.json) results.push({ name: sc.name, error: msg } as unknown as ScenarioResult);
      else console.log(`\n${bold(`== ${sc.name} ==`)}\n${red(`scenario failed to run: ${msg}`)}`);
      continue;
    }
    done();
    if (r.ran && !r.verdict.ok) failed++;
    results.push(r);
    if (o.svg && r.captured) writeSvg(o.svg, sc, r);
    if (!o.json) printResult(sc, r);
  }
  if (o.json) console.log(JSON.stringify({ version: pkg.version, backend: backendName, results }, null, 2));
  else {
    const ran = results.filter((r) => r.ran).length;
    const skipped = results.filter((r) => r.ran === false).length;
    console.log(`\n${failed ? red(`${failed} failed`) : green('all passed')}: ${ran} ran${skipped ? `, ${skipped} skipped` : ''}`);
  }
  return failed ? 1 : 0;
}

function list(json: boolean): number {
  if (json) {
    const rows = scenarios.map((s) => ({
      name: s.name,
      title: s.title,
      topic: s.topic,
      namespace: !!s.namespace,
      seconds: s.seconds ?? 0,
      tour: !!s.tour,
      steps: s.steps,
    }));
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const topics: Record<Scenario['topic'], string> = {
    handshake: 'Opening: the handshake and listen',
    close: 'Closing: FIN, ACK and the states between',
    'time-wait': 'TIME_WAIT and 2MSL',
    winsock: "Winsock's teardown calls",
  };
  const w = Math.max(...scenarios.map((s) => s.name.length));
  for (const [topic, title] of Object.entries(topics)) {
    console.log(bold(title));
    for (const s of scenarios.filter((x) => x.topic === topic)) {
      const tags = [
        s.tour ? 'tour' : '',
        s.namespace ? 'namespace' : '',
        s.seconds && s.seconds >= 1 ? `~${Math.ceil(s.seconds)} s` : '',
      ].filter(Boolean);
      console.log(`  ${s.name.padEnd(w)}  ${s.title}${tags.length ? dim(` [${tags.join(', ')}]`) : ''}`);
    }
  }
  console.log(dim(`\nwinsock-compat run NAME... runs them; no NAME runs the tour (${tour.map((s) => s.name).join(', ')}).`));
  console.log(dim(`The same registry holds ${contract.length} contract scenarios, run by the Linux and Wine lanes (test/conformance).`));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  // `trace ... -- CMD ARGS`: everything after `--` is the command, not ours to parse.
  const dd = argv.indexOf('--');
  const [mine, command] = dd >= 0 ? [argv.slice(0, dd), argv.slice(dd + 1)] : [argv, []];
  let parsed;
  try {
    parsed = parseArgs({
      args: mine,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        pcap: { type: 'string' },
        svg: { type: 'string' },
        all: { type: 'boolean', default: false },
        'no-capture': { type: 'boolean', default: false },
        port: { type: 'string' },
        seconds: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  const { values: v, positionals: pos } = parsed;
  if (v.help) return (void console.log(USAGE), 0);
  if (v.version) return (void console.log(pkg.version), 0);
  const [cmd = 'run', ...names] = pos;
  if (cmd !== 'trace' && command.length) throw new UsageError(`'--' is only for trace's command`);
  for (const [flag, dir] of [
    ['--pcap', v.pcap],
    ['--svg', v.svg],
  ] as const)
    if (dir !== undefined && (dir === '' || dir.startsWith('-'))) throw new UsageError(`${flag} needs a folder`);
  switch (cmd) {
    case 'list':
      if (names.length) throw new UsageError(`list takes no names (got ${names.join(' ')})`);
      return list(v.json);
    case 'run': {
      const unknown = names.filter((n) => !scenario(n));
      if (unknown.length)
        throw new UsageError(
          `unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} (winsock-compat list shows them)`,
        );
      if (v.all && names.length) throw new UsageError('--all takes no names');
      return run(names, {
        json: v.json,
        all: v.all,
        capture: !v['no-capture'],
        ...(v.pcap ? { pcap: v.pcap } : {}),
        ...(v.svg ? { svg: v.svg } : {}),
      });
    }
    case 'trace': {
      if (names.length) throw new UsageError(`trace takes its command after '--' (got ${names.join(' ')})`);
      const port = Number(v.port);
      if (!v.port || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('trace needs --port P (1..65535)');
      const seconds = v.seconds === undefined ? undefined : Number(v.seconds);
      if (seconds !== undefined && !(seconds > 0)) throw new UsageError('--seconds needs a positive number');
      const t = await trace({
        port,
        command,
        ...(seconds ? { seconds } : {}),
        ...(v.pcap ? { pcapPath: join(v.pcap, `trace-${port}.pcap`) } : {}),
      });
      if (v.json) console.log(JSON.stringify(t, null, 2));
      else printTrace(t);
      return t.command && t.command.code !== 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command '${cmd}' (list, run, trace)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError) usageExit(e.message);
    process.stderr.write(`winsock-compat: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
