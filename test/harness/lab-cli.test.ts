// The command line, run as a child process the way a user runs it: `npm start`
// (the tour), `list`, usage errors (exit 2), `--json` checked against the
// `--pcap` capture read back by tshark, and plain output when piped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarios, tour } from '../../src/scenarios/index.js';
import type { ScenarioResult } from '../../src/scenarios/model.js';
import { isolated, packageRoot, titled, wire } from './helpers.js';

const cli = join(packageRoot, 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'wsc-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function wsc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 25_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('winsock-compat (the command line)', () => {
  it.skipIf(wire.skip || isolated.skip)(
    titled('npm start prints the tour: a diagram and a passing verdict per scenario, exit 0', wire),
    () => {
      const r = spawnSync('npm', ['start', '--silent'], { cwd: packageRoot, encoding: 'utf8', timeout: 25_000 });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const verdicts = r.stdout.split('\n').filter((l) => l.startsWith('verdict: '));
      expect(verdicts).toHaveLength(tour.length);
      for (const v of verdicts) expect(v).toMatch(/^verdict: PASS: \d+ checks$/);
      expect(r.stdout).toMatch(/FIN_WAIT_1 +-- FIN,ACK seq=1 ack=1 -+>  CLOSE_WAIT/);
      expect(r.stdout).toMatch(/TIME_WAIT +<-+ FIN,ACK seq=1 ack=2 --  LAST_ACK/);
      expect(r.stdout).toMatch(/-- ACK seq=2 ack=2 \(dropped\) -+x/); // time-wait-lost-ack's lost ACK
      expect(r.stdout).toMatch(/CLOSED +-- RST,ACK seq=1 ack=1 -+>  CLOSED/);
      // Piped: no colour codes.
      expect(r.stdout).not.toMatch(/\x1b\[/);
    },
  );

  it('list names every scenario of the registry, once', () => {
    const { code, out } = wsc(['list', '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(out) as { name: string }[]).map((s) => s.name)).toEqual(scenarios.map((s) => s.name));
    const text = wsc(['list']);
    for (const s of scenarios) expect(text.out).toContain(`  ${s.name} `);
  });

  it('usage errors exit 2 with one clear line: unknown scenario, unknown option, a folder option without its folder', () => {
    for (const [args, msg] of [
      [['run', 'no-such-scenario'], /unknown scenario 'no-such-scenario'/],
      [['--frobnicate'], /Unknown option '--frobnicate'/],
      [['run', 'handshake', '--svg'], /--svg <value>' argument missing/],
      [['run', 'handshake', '--pcap', '--json'], /--pcap needs a folder|argument is ambiguous/],
      [['launch'], /unknown command 'launch'/],
      [['trace'], /trace needs --port P/],
    ] as const) {
      const r = wsc([...args]);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.out).toBe('');
    }
  });

  it('--help and --version', () => {
    const h = wsc(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^winsock-compat \d+\.\d+\.\d+: /);
    for (const word of ['list', 'run [NAME...]', 'trace --port P', '--json', '--pcap DIR', '--svg DIR', 'NO_COLOR'])
      expect(h.out).toContain(word);
    const v = wsc(['-V']);
    expect(v.out.trim()).toBe(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  });

  it.skipIf(wire.skip)(titled('--json matches the --pcap capture read by tshark, and --svg draws the same segments', wire), () => {
    const dir = join(tmp, 'out');
    const { code, out, err } = wsc(['run', 'four-way-close', '--json', '--pcap', dir, '--svg', dir]);
    expect(code, err).toBe(0);
    const r = (JSON.parse(out) as { results: ScenarioResult[] }).results[0]!;
    expect(r.verdict.ok, r.verdict.line).toBe(true);
    const t = spawnSync('tshark', ['-r', join(dir, 'four-way-close.pcap'), '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.flags.str'], {
      encoding: 'utf8',
    });
    expect(t.status, t.stderr).toBe(0);
    const wireRows = t.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(wireRows).toHaveLength(r.segments.length);
    const tsharkFlags = (f: string): string =>
      [
        ['S', 'SYN'],
        ['F', 'FIN'],
        ['R', 'RST'],
        ['P', 'PSH'],
        ['A', 'ACK'],
      ]
        .filter(([c]) => f.includes(c!))
        .map(([, n]) => n)
        .join(',');
    r.segments.forEach((s, i) => {
      expect(Number(wireRows[i]![0])).toBe(s.srcPort);
      expect(tsharkFlags(wireRows[i]![1]!)).toBe(s.flags);
    });
    // The text diagram of another run has one arrow per segment its own pcap holds.
    const text = wsc(['run', 'time-wait-lost-ack', '--pcap', join(dir, 'text')], { NO_COLOR: '1' });
    expect(text.code, text.err).toBe(0);
    const arrows = text.out.split('\n').filter((l) => /^ *\d+\.\d{3}  .*(-->|<--| x-|-x( |$))/.test(l));
    const t2 = spawnSync('tshark', ['-r', join(dir, 'text', 'time-wait-lost-ack.pcap'), '-T', 'fields', '-e', 'tcp.flags.str'], {
      encoding: 'utf8',
    });
    expect(arrows.length).toBe(t2.stdout.trim().split('\n').length);
    expect(arrows.filter((l) => l.includes('(dropped)'))).toHaveLength(1);
    const svg = readFileSync(join(dir, 'four-way-close.svg'), 'utf8');
    expect(svg.match(/<line [^>]*marker-end/g)).toHaveLength(r.segments.length);
  });

  it.skipIf(wire.skip)(titled('on a terminal: colour and a progress line for a slow scenario; NO_COLOR turns colour off', wire), () => {
    // `script` gives the command a pseudo-terminal, as a user's shell would.
    const onTty = (env: string) =>
      spawnSync('script', ['-qec', `${env} ${process.execPath} ${cli} run linger-timeout-rst`, '/dev/null'], {
        encoding: 'utf8',
        timeout: 25_000,
      });
    const tty = onTty('');
    expect(tty.status, tty.stderr).toBe(0);
    expect(tty.stdout).toMatch(/\x1b\[32mPASS: /); // the verdict in green
    expect(tty.stdout).toMatch(/running linger-timeout-rst \(about 2 s\) \.\.\. 1 s/); // the progress line, updated each second
    const plain = onTty('NO_COLOR=1');
    expect(plain.stdout).not.toMatch(/\x1b\[3\dm/);
    expect(plain.stdout).toMatch(/verdict: PASS: /);
  });

  // Without root: a user who cannot capture here still gets every diagram, from a namespace of its own.
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const nobodyGate = (() => {
    if (process.getuid?.() !== 0) return { skip: true, reason: 'needs root to become an unprivileged user' };
    const p = spawnSync(asNobody[0]!, [...asNobody.slice(1), 'sh', '-c', `test -r ${cli} && unshare -rn true`], { encoding: 'utf8' });
    return p.status === 0
      ? { skip: false, reason: '' }
      : { skip: true, reason: `an unprivileged user cannot read dist/ or unshare -rn here (${p.stderr.trim()})` };
  })();
  it.skipIf(nobodyGate.skip)(
    titled('as an unprivileged user: each scenario runs in its own user + network namespace, captured', nobodyGate),
    () => {
      const r = spawnSync(asNobody[0]!, [...asNobody.slice(1), process.execPath, cli, 'run', 'four-way-close', 'fin-retransmit'], {
        encoding: 'utf8',
        timeout: 25_000,
        cwd: tmpdir(),
      });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/^capture: not here \(packet capture needs CAP_NET_RAW/m);
      expect(r.stdout.match(/^where: network namespace anonymous \(unshare -rn\)/gm)).toHaveLength(2);
      expect(r.stdout.match(/^verdict: PASS: \d+ checks$/gm)).toHaveLength(2); // with the wire checks
      expect(r.stdout).toMatch(/FIN,ACK seq=1 ack=1 \(dropped\) -+x/);
    },
  );

  it('--no-capture: the peer-side checks still judge, and the verdict says the wire was not checked', () => {
    const { code, out, err } = wsc(['run', 'four-way-close', 'linger-zero-rst', '--no-capture']);
    expect(code, err).toBe(0);
    expect(out).toMatch(/^capture unavailable \(disabled by --no-capture\): peer-side checks only$/m);
    expect(out).not.toMatch(/SYN seq=0/);
    expect(out).toMatch(/server recv after client FIN: EOF/);
    expect(out).toMatch(/server recv after abortive close: WSAECONNRESET/);
    expect(out.match(/^verdict: PASS: \d+ checks \(wire not captured: segment checks not made\)$/gm)).toHaveLength(2);
  });

  it.skipIf(wire.skip)(titled('the text output shows the calls with return values and WSA codes', wire), () => {
    const { code, out } = wsc(['run', 'wsasenddisconnect-fin'], { NO_COLOR: '1' });
    expect(code).toBe(0);
    expect(out).toMatch(/client +WSASendDisconnect\(client\) = 0/);
    expect(out).toMatch(/client +send\(client\) after WSASendDisconnect = -1 WSAESHUTDOWN/);
    expect(out).toMatch(/^verdict: PASS/m);
    expect(out).not.toMatch(/\x1b\[/);
  });
});
