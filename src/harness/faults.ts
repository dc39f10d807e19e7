// Faults: nft rules that drop chosen segments, and per-namespace sysctls.
//
// Only ever inside a private network namespace this run created (netns.ts):
// every function here first checks that this process's network namespace is
// not the machine's own, and refuses otherwise (DESIGN.md: never change
// nftables, tc or sysctls of the machine's own namespace). The rules live in
// one table of our own, deleted by clear() and, in any case, with the namespace.
//
// Why the input hook: on loopback the capture sees a segment as it leaves
// (dev_queue_xmit, after the output hook), so a rule on input drops it after
// the capture saw it: the ladder shows the segment leaving and never arriving,
// which is what a loss on the wire looks like.
import { spawnSync } from 'node:child_process';
import { readlinkSync, writeFileSync } from 'node:fs';
import { parseFlags, TCP_FLAGS } from './decode.js';

const TABLE = 'wsc_fault';

/**
 * Is this process in a network namespace other than the one its run started
 * from (WSC_PARENT_NETNS, set by netns.ts) and other than PID 1's (when that
 * can be read)? Anything less refuses: an unknown place is not a private one.
 */
export function inPrivateNamespace(): { ok: boolean; reason: string } {
  if (process.env.WSC_NAMESPACE === undefined)
    return { ok: false, reason: 'not started in a namespace of the harness (WSC_NAMESPACE unset)' };
  let mine: string;
  try {
    mine = readlinkSync('/proc/self/ns/net');
  } catch {
    return { ok: false, reason: 'this process cannot read its own network namespace' };
  }
  const parent = process.env.WSC_PARENT_NETNS;
  if (!parent) return { ok: false, reason: 'the namespace the run started from is unknown (WSC_PARENT_NETNS unset)' };
  if (mine === parent) return { ok: false, reason: `this is the namespace the run started from (${mine})` };
  try {
    if (readlinkSync('/proc/1/ns/net') === mine) return { ok: false, reason: `this is the machine's own network namespace (${mine})` };
  } catch {
    /* PID 1 not readable (not root, or a container): the parent check above stands */
  }
  return { ok: true, reason: `${mine}, not ${parent}` };
}

function mustBePrivate(what: string): void {
  const p = inPrivateNamespace();
  if (!p.ok) throw new Error(`refusing to ${what}: ${p.reason}`);
}

/** Set sysctls (`net.ipv4.tcp_synack_retries` -> value) in this private namespace. */
export function setSysctls(values: Record<string, string | number>): void {
  if (Object.keys(values).length === 0) return;
  mustBePrivate('set sysctls');
  for (const [k, v] of Object.entries(values)) writeFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, String(v));
}

/** Which segments a rule drops: by direction (a port at either end), flags and count. */
export interface DropSpec {
  /** Segments to this TCP port (client -> server when it is the listener's). */
  dport?: number;
  /** Segments from this TCP port. */
  sport?: number;
  /** These flags must be exactly the segment's (`'ACK'`: a pure ACK). */
  exactFlags?: string;
  /** These flags must all be set (`'FIN'`). */
  flags?: string;
}

const ALL = TCP_FLAGS.FIN | TCP_FLAGS.SYN | TCP_FLAGS.RST | TCP_FLAGS.PSH | TCP_FLAGS.ACK | TCP_FLAGS.URG;
const nftFlags = (bits: number): string =>
  (['fin', 'syn', 'rst', 'psh', 'ack', 'urg'] as const).filter((_, i) => bits & (1 << i)).join('|') || '0';

/** The nft rule text for a spec (exposed for tests and the lab's report). */
export function ruleText(d: DropSpec): string {
  const parts = ['meta l4proto tcp'];
  if (d.sport !== undefined) parts.push(`tcp sport ${d.sport}`);
  if (d.dport !== undefined) parts.push(`tcp dport ${d.dport}`);
  if (d.exactFlags) parts.push(`tcp flags & (${nftFlags(ALL)}) == ${nftFlags(parseFlags(d.exactFlags))}`);
  if (d.flags) {
    const f = nftFlags(parseFlags(d.flags));
    parts.push(`tcp flags & (${f}) == ${f}`);
  }
  return `${parts.join(' ')} counter drop`;
}

function nft(script: string): void {
  const r = spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8' });
  if (r.error) throw new Error(`nft not available: ${r.error.message} (Debian package nftables)`);
  if (r.status !== 0) throw new Error(`nft failed: ${r.stderr.trim()}`);
}

/** Install drop rules (replacing any of ours) on the input hook of this private namespace. */
export function dropRules(specs: DropSpec[]): string[] {
  mustBePrivate('add nft rules');
  const rules = specs.map(ruleText);
  nft(
    [
      `table inet ${TABLE} {}`,
      `delete table inet ${TABLE}`,
      `table inet ${TABLE} {`,
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      ...rules.map((r) => `    ${r}`),
      '  }',
      '}',
    ].join('\n'),
  );
  return rules;
}

/** Packets each of our rules has dropped so far (the kernel's counters, in rule order). */
export function droppedCounts(): number[] {
  const r = spawnSync('nft', ['list', 'table', 'inet', TABLE], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return [...r.stdout.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
}

/** Remove our table (no-op when there is none). */
export function clearRules(): void {
  if (!inPrivateNamespace().ok) return;
  spawnSync('nft', ['delete', 'table', 'inet', TABLE], { encoding: 'utf8' });
}
