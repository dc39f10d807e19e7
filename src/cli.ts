// `npm start`: run a graceful four-way close and an abortive close on loopback
// with the real Winsock API, and print what the wire and the kernel saw: a
// ladder diagram from the capture, then one verdict line per scenario.
//
// Without capture privileges (no CAP_NET_RAW) it says so in one line and still
// runs both scenarios, judging from what the peer observed instead.
// Options: --no-capture (peer-side checks only), --svg DIR (write each diagram
// as SVG), --pcap DIR (write each capture as pcap).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureAvailability } from './harness/capture.js';
import { ladder, ladderSvg } from './harness/ladder.js';
import { runScenario, type ScenarioName, type ScenarioResult } from './harness/scenarios.js';
import { connectionState } from './harness/tcpstate.js';
import { backendName } from './api.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const wantCapture = !args.includes('--no-capture');
const svgDir = opt('--svg');
const pcapDir = opt('--pcap');

const avail = wantCapture ? captureAvailability() : ({ ok: false, reason: 'disabled by --no-capture' } as const);
console.log(`winsock-compat: teardown scenarios on loopback, real Winsock API (backend: ${backendName})`);
console.log(
  avail.ok ? 'capture: AF_PACKET on lo, one copy of each packet' : `capture unavailable (${avail.reason}): peer-side checks only`,
);

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function verdict(r: ScenarioResult): string {
  const rel = Object.values(r.releases);
  // No release report at all proves nothing: say "not checked", never "yes".
  const judged = (ok: boolean): string => (rel.length === 0 ? 'not checked' : yesNo(ok));
  const handles = judged(rel.every((x) => x.checks.handle.includes('WSAENOTSOCK') || x.checks.handle.includes('not in the table')));
  const fds = judged(rel.every((x) => /closed/.test(x.checks.fd) && !/still open/.test(x.checks.fd)));
  // Final states from the kernel's table after everything closed (CLOSED = gone).
  const states = `client ${connectionState(r.client, r.server)}, server ${connectionState(r.server, r.client)}`;
  let fin: string;
  let rst: string;
  if (r.captured) {
    const finFrom = [...new Set(r.segments.filter((s) => s.flags.includes('FIN')).map((s) => (s.src === r.client ? 'client' : 'server')))];
    const rstFrom = [...new Set(r.segments.filter((s) => s.flags.includes('RST')).map((s) => (s.src === r.client ? 'client' : 'server')))];
    fin = finFrom.length ? `yes (${finFrom.join(', ')})` : 'no';
    rst = rstFrom.length ? `yes (${rstFrom.join(', ')})` : 'no';
  } else {
    // Peer-side evidence: EOF means the peer got a FIN; WSAECONNRESET means a RST.
    const seen = Object.values(r.peer);
    fin = `${yesNo(seen.includes('EOF'))} (peer saw EOF, not captured)`;
    rst = `${yesNo(seen.includes('WSAECONNRESET'))} (peer saw WSAECONNRESET, not captured)`;
  }
  return `verdict: FIN emitted: ${fin} | RST emitted: ${rst} | handle released: ${handles} | fd released: ${fds} | final states: ${states}`;
}

const runs: [ScenarioName, string][] = [
  ['four-way-close', 'Graceful close: shutdown(SD_SEND), recv = 0, closesocket on both sides'],
  ['linger-zero-rst', 'Abortive close: SO_LINGER {1,0}, closesocket'],
];

let failed = false;
for (const [name, title] of runs) {
  console.log(`\n== ${title} ==`);
  try {
    if (pcapDir) mkdirSync(pcapDir, { recursive: true });
    const r = await runScenario(name, { capture: avail.ok, ...(pcapDir && avail.ok ? { pcapPath: join(pcapDir, `${name}.pcap`) } : {}) });
    console.log(`calls: ${r.calls.map((c) => `${c.call} = ${c.rc}${c.error ? ` (${c.error})` : ''}`).join('; ')}`);
    console.log(
      `peer:  ${Object.entries(r.peer)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    );
    if (r.captured && r.segments.length) {
      console.log(ladder(r.segments));
      if (svgDir) {
        mkdirSync(svgDir, { recursive: true });
        writeFileSync(join(svgDir, `${name}.svg`), ladderSvg(r.segments, { title }));
      }
    }
    console.log(verdict(r));
  } catch (e) {
    failed = true;
    console.log(`scenario failed to run: ${e instanceof Error ? e.message : String(e)}`);
  }
}
// The command reports; it does not judge. A scenario that could not even run is the only failure.
process.exitCode = failed ? 1 : 0;
