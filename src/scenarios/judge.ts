// The verdict: every expectation a scenario states, checked against what its
// run observed. Pure: a result read back from JSON is judged the same way.
import type { Segment } from '../harness/decode.js';
import { parseFlags } from '../harness/decode.js';
import type { Check, Scenario, ScenarioResult, Verdict } from './model.js';

/** Which side sent a segment: the server end has the listener's port. */
export function sideOf(r: Pick<ScenarioResult, 'server'>, s: Segment): 'client' | 'server' {
  const port = Number(/:(\d+)$/.exec(r.server)?.[1]);
  return s.srcPort === port ? 'server' : 'client';
}

/** `['client SYN', 'server SYN,ACK', 'client ACK dropped', ...]`: who sent what, in order. */
export function flow(r: Pick<ScenarioResult, 'server' | 'segments'>, from = 0): string[] {
  return r.segments.slice(from).map((s) => `${sideOf(r, s)} ${s.flags}${s.dropped ? ' dropped' : ''}`);
}

function parsePattern(p: string): { side: string; bits: number; dropped: boolean } {
  const [side = '', flags = '', extra] = p.trim().split(/\s+/);
  if (side !== 'client' && side !== 'server') throw new TypeError(`segment pattern ${JSON.stringify(p)} must start with client or server`);
  if (extra !== undefined && extra !== 'dropped')
    throw new TypeError(`segment pattern ${JSON.stringify(p)}: only "dropped" may follow the flags`);
  return { side, bits: parseFlags(flags), dropped: extra === 'dropped' };
}

export function judge(sc: Scenario, r: ScenarioResult): Verdict {
  const checks: Check[] = [];
  const add = (what: string, ok: boolean, expected: string, observed: string): void => void checks.push({ what, ok, expected, observed });
  const e = sc.expected;
  for (const [label, want] of Object.entries(e.calls ?? {})) {
    const c = r.calls.find((x) => x.call === label);
    const exp = want.error ? `${want.rc} (${want.error})` : `${want.rc}`;
    const obs = c ? (c.error ? `${c.rc} (${c.error})` : `${c.rc}`) : 'not called';
    add(`call ${label}`, !!c && c.rc === want.rc && (want.error ?? undefined) === (c.error ?? undefined), exp, obs);
  }
  if (r.captured) {
    if (e.segments?.length) {
      // An ordered subsequence: each pattern matches a later segment than the one before.
      let pos = 0;
      for (const p of e.segments) {
        const want = parsePattern(p);
        let j = pos;
        const hit = (x: Segment): boolean => sideOf(r, x) === want.side && x.flagBits === want.bits && !!x.dropped === want.dropped;
        while (j < r.segments.length && !hit(r.segments[j]!)) j++;
        const found = j < r.segments.length;
        add(`segment ${p}`, found, 'present, in order', found ? `#${j}` : `absent after #${pos}`);
        if (found) pos = j + 1;
      }
    }
    for (const p of e.never ?? []) {
      const [side = '', flags = ''] = p.split(/\s+/);
      const bits = parseFlags(flags);
      const n = r.segments.filter((s) => sideOf(r, s) === side && (s.flagBits & bits) === bits).length;
      add(`no segment ${p}`, n === 0, 'none', `${n}`);
    }
  }
  for (const [label, want] of Object.entries(e.states ?? {})) {
    const allowed = Array.isArray(want) ? want : [want];
    const got = r.states[label];
    add(`state ${label}`, got !== undefined && allowed.includes(got), allowed.join(' or '), got ?? 'not read');
  }
  for (const [label, want] of Object.entries(e.peer ?? {})) {
    const got = r.peer[label];
    add(`peer ${label}`, got === want, want, got ?? 'not observed');
  }
  for (const [name, range] of Object.entries(e.figures ?? {})) {
    const got = r.figures[name];
    const okRange = got !== undefined && (range.min === undefined || got >= range.min) && (range.max === undefined || got <= range.max);
    add(`figure ${name}`, okRange, `${range.min ?? '-inf'}..${range.max ?? 'inf'}`, got === undefined ? 'not measured' : `${got}`);
  }
  // The capture's `dropped` marks against the kernel's own count of what the nft rules dropped.
  const nft = r.figures['segments dropped by nft'];
  if (nft !== undefined && r.captured) {
    const marked = r.segments.filter((x) => x.dropped).length;
    add('dropped segments marked = nft counters', marked === nft, `${nft}`, `${marked}`);
  }
  for (const side of e.released ?? (Object.keys(r.releases) as (keyof typeof r.releases)[])) {
    const rep = r.releases[side];
    add(`release ${side}`, !!rep?.ok, 'released', rep ? (rep.ok ? 'released' : rep.problems.join('; ')) : 'not checked');
  }
  const failed = checks.filter((c) => !c.ok);
  const wire = r.captured ? '' : ' (wire not captured: segment checks not made)';
  const line = failed.length
    ? `FAIL: ${failed.map((c) => `${c.what}: expected ${c.expected}, observed ${c.observed}`).join('; ')}`
    : `PASS: ${checks.length} checks${wire}`;
  return { ok: failed.length === 0, line, checks };
}
