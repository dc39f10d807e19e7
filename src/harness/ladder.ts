// Ladder (sequence) diagrams of one TCP connection from a capture: two
// columns, one arrow per segment, and each side's TCP state as it changes.
//
// The states are *inferred from the segments* with RFC 793's state machine
// (section 3.2, figure 6), not read from the kernel: the diagram must be
// drawable from a pcap alone, after the sockets are gone. Loopback delivery is
// effectively instantaneous, so a segment's send and receipt share one row: the
// sender's new state and the receiver's new state are printed on the same line.
import { formatSegment, TCP_FLAGS, type Segment } from './decode.js';
import type { TcpState } from './tcpstate.js';

export interface Connection {
  /** The endpoint that sent the first SYN (or, without one, the first segment). */
  client: string;
  server: string;
  segments: Segment[];
}

/** Split segments into connections (by endpoint pair and SYN), in order of first appearance. */
export function connections(segments: readonly Segment[]): Connection[] {
  const out: Connection[] = [];
  const open = new Map<string, Connection>();
  for (const s of segments) {
    const key = [s.src, s.dst].sort().join(' ');
    let c = open.get(key);
    const freshSyn = (s.flagBits & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN;
    // A new SYN on a pair whose connection already carried more than its handshake starts a new connection.
    if (!c || (freshSyn && c.segments.some((x) => !(x.flagBits & TCP_FLAGS.SYN)))) {
      c = { client: s.src, server: s.dst, segments: [] };
      if (!freshSyn && s.flagBits & TCP_FLAGS.SYN) [c.client, c.server] = [s.dst, s.src]; // first seen is SYN,ACK
      open.set(key, c);
      out.push(c);
    }
    c.segments.push(s);
  }
  return out;
}

export interface LadderRow {
  segment: Segment;
  /** 'right': client -> server. */
  direction: 'right' | 'left';
  label: string;
  /** New state of each side after this segment, when it changed. */
  client?: TcpState;
  server?: TcpState;
  /** Every state each side entered on this row (usually one; two when a transient state is passed). */
  clientPath: TcpState[];
  serverPath: TcpState[];
  /** Milliseconds since the connection's first segment. */
  ms: number;
}

export interface LadderModel {
  client: string;
  server: string;
  initial: { client: TcpState; server: TcpState };
  rows: LadderRow[];
  final: { client: TcpState; server: TcpState };
}

export interface LadderOptions {
  /** Which connection to draw when the segments hold several (index or a predicate); default the first. */
  connection?: number | ((c: Connection) => boolean);
  /** Column titles (default `client`, `server`). */
  names?: { client?: string; server?: string };
  title?: string;
}

const seqGE = (a: number, b: number): boolean => ((a - b) | 0) >= 0; // RFC 1982 serial comparison

class Side {
  finEnd: number | undefined; // sequence number just past our FIN
  synEnd: number | undefined; // just past our SYN
  /** Every state entered, in order (one row can pass through two: FIN_WAIT_1 -> CLOSING). */
  readonly path: TcpState[] = [];
  private current: TcpState;
  constructor(initial: TcpState) {
    this.current = initial;
  }
  get state(): TcpState {
    return this.current;
  }
  set state(v: TcpState) {
    if (v !== this.current) this.path.push(v);
    this.current = v;
  }

  sent(s: Segment): void {
    const f = s.flagBits;
    if (f & TCP_FLAGS.RST) return void (this.state = 'CLOSED');
    if (f & TCP_FLAGS.SYN) {
      this.synEnd = (s.seq + 1) >>> 0;
      if (!(f & TCP_FLAGS.ACK)) this.state = 'SYN_SENT';
      // A SYN,ACK from a side still seen as LISTEN: the capture missed the SYN it answers.
      else if (this.state === 'LISTEN') this.state = 'SYN_RCVD';
    }
    if (f & TCP_FLAGS.FIN) {
      this.finEnd = (s.seq + s.len + (f & TCP_FLAGS.SYN ? 1 : 0) + 1) >>> 0;
      if (this.state === 'ESTABLISHED' || this.state === 'SYN_RCVD') this.state = 'FIN_WAIT_1';
      else if (this.state === 'CLOSE_WAIT') this.state = 'LAST_ACK';
    }
  }

  received(s: Segment): void {
    const f = s.flagBits;
    if (f & TCP_FLAGS.RST) {
      if (this.state !== 'LISTEN') this.state = 'CLOSED';
      return;
    }
    if (f & TCP_FLAGS.SYN) {
      if (!(f & TCP_FLAGS.ACK) && (this.state === 'LISTEN' || this.state === 'CLOSED')) this.state = 'SYN_RCVD';
      else if (f & TCP_FLAGS.ACK && this.state === 'SYN_SENT') this.state = 'ESTABLISHED';
    }
    if (f & TCP_FLAGS.ACK) {
      if (this.state === 'SYN_RCVD' && this.synEnd !== undefined && seqGE(s.ack, this.synEnd)) this.state = 'ESTABLISHED';
      const finAcked = this.finEnd !== undefined && seqGE(s.ack, this.finEnd);
      if (finAcked) {
        if (this.state === 'FIN_WAIT_1') this.state = 'FIN_WAIT_2';
        else if (this.state === 'CLOSING') this.state = 'TIME_WAIT';
        else if (this.state === 'LAST_ACK') this.state = 'CLOSED';
      }
    }
    if (f & TCP_FLAGS.FIN) {
      if (this.state === 'ESTABLISHED' || this.state === 'SYN_RCVD') this.state = 'CLOSE_WAIT';
      else if (this.state === 'FIN_WAIT_1') this.state = 'CLOSING';
      else if (this.state === 'FIN_WAIT_2') this.state = 'TIME_WAIT';
    }
  }
}

function pick(segments: readonly Segment[], which: LadderOptions['connection']): Connection {
  const all = connections(segments);
  if (all.length === 0) throw new Error('no TCP segments to draw');
  const c = typeof which === 'function' ? all.find(which) : all[which ?? 0];
  if (!c) throw new Error(`no such connection (have ${all.length})`);
  return c;
}

export function segmentLabel(s: Segment): string {
  let l = `${s.flags} seq=${s.relSeq}`;
  if (s.flagBits & TCP_FLAGS.ACK) l += ` ack=${s.relAck}`;
  if (s.len) l += ` len=${s.len}`;
  if (s.dropped) l += ' (dropped)';
  return l;
}

/** Each side's state, segment by segment (RFC 793 transitions driven by the captured segments). */
export function ladderModel(segments: readonly Segment[], opts: LadderOptions = {}): LadderModel {
  const c = pick(segments, opts.connection);
  const first = c.segments[0]!;
  // A capture that starts with the SYN saw the whole life; one that starts with
  // the SYN,ACK joined just after the client's SYN (SYN_SENT); otherwise assume
  // both established.
  const fromStart = (first.flagBits & TCP_FLAGS.SYN) !== 0;
  const fromSynAck = fromStart && (first.flagBits & TCP_FLAGS.ACK) !== 0;
  const cl = new Side(fromSynAck ? 'SYN_SENT' : fromStart ? 'CLOSED' : 'ESTABLISHED');
  const sv = new Side(fromStart ? 'LISTEN' : 'ESTABLISHED');
  const initial = { client: cl.state, server: sv.state };
  const rows: LadderRow[] = [];
  // A FIN whose receiver then sends its own FIN *without* acknowledging it
  // crossed that FIN in flight (simultaneous close): the receiver was still
  // ESTABLISHED when it sent, so its receipt is applied after its own FIN
  // (FIN_WAIT_1 -> CLOSING), not before (which would show CLOSE_WAIT).
  const deferred = new Map<Side, Segment>();
  const crossed = (i: number, fin: Segment): boolean => {
    const finEnd = (fin.seq + fin.len + 1) >>> 0;
    for (const later of c.segments.slice(i + 1)) {
      if (later.src !== fin.dst || later.dropped) continue;
      if (later.flagBits & TCP_FLAGS.ACK && seqGE(later.ack, finEnd)) return false;
      if (later.flagBits & TCP_FLAGS.FIN) return true;
    }
    return false;
  };
  for (const [i, s] of c.segments.entries()) {
    const right = s.src === c.client;
    const [from, to] = right ? [cl, sv] : [sv, cl];
    const before = [cl.state, sv.state];
    const mark = [cl.path.length, sv.path.length] as const;
    from.sent(s);
    const late = deferred.get(from);
    if (late && s.flagBits & TCP_FLAGS.FIN) {
      deferred.delete(from);
      from.received({ ...late, flagBits: TCP_FLAGS.FIN });
    }
    // A dropped segment left its sender but never reached the other side.
    if (s.dropped) {
      /* nothing received */
    } else if (s.flagBits & TCP_FLAGS.FIN && !(s.flagBits & TCP_FLAGS.RST) && crossed(i, s)) {
      deferred.set(to, s);
      to.received({ ...s, flagBits: s.flagBits & ~TCP_FLAGS.FIN });
    } else to.received(s);
    const row: LadderRow = {
      segment: s,
      direction: right ? 'right' : 'left',
      label: segmentLabel(s),
      ms: (s.time - first.time) * 1000,
      clientPath: cl.path.slice(mark[0]),
      serverPath: sv.path.slice(mark[1]),
    };
    if (cl.state !== before[0]) row.client = cl.state;
    if (sv.state !== before[1]) row.server = sv.state;
    rows.push(row);
  }
  return { client: c.client, server: c.server, initial, rows, final: { client: cl.state, server: sv.state } };
}

/** The final inferred states of the (first) connection. */
export function inferStates(segments: readonly Segment[], opts: LadderOptions = {}): LadderModel['final'] {
  return ladderModel(segments, opts).final;
}

const STATE_W = 12;
const ARROW_W = 44;

function arrow(label: string, right: boolean, lost = false): string {
  const inner = ` ${label} `;
  const dashes = Math.max(4, ARROW_W - inner.length - 1); // one column for the arrowhead
  // A dropped segment's arrow ends in `x` before the far side: it never arrived.
  if (lost) return right ? `--${inner}${'-'.repeat(dashes - 3)}x ` : ` x${'-'.repeat(dashes - 3)}${inner}--`;
  return right ? `--${inner}${'-'.repeat(dashes - 2)}>` : `<${'-'.repeat(dashes - 2)}${inner}--`;
}

/** A text ladder diagram, one line per segment. */
export function ladder(segments: readonly Segment[], opts: LadderOptions = {}): string {
  const m = ladderModel(segments, opts);
  const cn = opts.names?.client ?? 'client';
  const sn = opts.names?.server ?? 'server';
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  const pad = ' '.repeat(10);
  const left = `${cn} ${m.client}`;
  lines.push(`${pad}${left.padEnd(STATE_W + 1 + ARROW_W + 2)}${sn} ${m.server}`);
  lines.push(`${'ms'.padStart(8)}  ${m.initial.client.padEnd(STATE_W)} ${' '.repeat(ARROW_W)}  ${m.initial.server}`);
  for (const r of m.rows) {
    const a = arrow(r.label, r.direction === 'right', r.segment.dropped).padEnd(ARROW_W);
    lines.push(`${r.ms.toFixed(3).padStart(8)}  ${(r.client ?? '').padEnd(STATE_W)} ${a}  ${r.server ?? ''}`.trimEnd());
  }
  lines.push(`${pad}final: ${cn} ${m.final.client}, ${sn} ${m.final.server}`);
  return lines.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The same diagram as a standalone SVG document. */
export function ladderSvg(segments: readonly Segment[], opts: LadderOptions = {}): string {
  const m = ladderModel(segments, opts);
  const cn = opts.names?.client ?? 'client';
  const sn = opts.names?.server ?? 'server';
  const xl = 190;
  const xr = 610;
  const top = opts.title ? 84 : 60;
  const step = 34;
  const height = top + (m.rows.length + 1) * step + 40;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="${height}" viewBox="0 0 800 ${height}" font-family="monospace" font-size="12">`,
    `<defs><marker id="ah" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#222"/></marker>` +
      `<marker id="ahr" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#c00"/></marker></defs>`,
    `<rect width="800" height="${height}" fill="#fff"/>`,
  );
  if (opts.title) out.push(`<text x="400" y="24" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  const hy = top - 28;
  out.push(
    `<text x="${xl}" y="${hy}" text-anchor="middle" font-weight="bold">${esc(`${cn} ${m.client}`)}</text>`,
    `<text x="${xr}" y="${hy}" text-anchor="middle" font-weight="bold">${esc(`${sn} ${m.server}`)}</text>`,
    `<line x1="${xl}" y1="${top - 14}" x2="${xl}" y2="${height - 30}" stroke="#888"/>`,
    `<line x1="${xr}" y1="${top - 14}" x2="${xr}" y2="${height - 30}" stroke="#888"/>`,
    `<text x="${xl - 8}" y="${top}" text-anchor="end" fill="#046">${m.initial.client}</text>`,
    `<text x="${xr + 8}" y="${top}" fill="#046">${m.initial.server}</text>`,
  );
  m.rows.forEach((r, i) => {
    const y = top + (i + 1) * step;
    const right = r.direction === 'right';
    const [x1, x2] = right ? [xl, xr] : [xr, xl];
    const rst = (r.segment.flagBits & TCP_FLAGS.RST) !== 0;
    const lost = r.segment.dropped === true;
    const color = rst ? '#c00' : lost ? '#999' : r.segment.flagBits & (TCP_FLAGS.FIN | TCP_FLAGS.SYN) ? '#05a' : '#222';
    // A dropped segment stops two thirds of the way across, dashed, with no arrowhead.
    const xe = lost ? x1 + ((x2 - x1) * 2) / 3 : x2;
    const ye = lost ? y - 10 + (16 * 2) / 3 : y + 6;
    out.push(
      `<line x1="${x1}" y1="${y - 10}" x2="${xe}" y2="${ye}" stroke="${color}" stroke-width="${rst ? 2 : 1.2}"${lost ? ' stroke-dasharray="4 3"' : ` marker-end="url(#${rst ? 'ahr' : 'ah'})"`}/>`,
      `<text x="${(xl + xr) / 2}" y="${y - 6}" text-anchor="middle" fill="${color}">${esc(r.label)}</text>`,
      `<text x="8" y="${y}" fill="#888" font-size="10">${r.ms.toFixed(3)} ms</text>`,
    );
    if (r.client) out.push(`<text x="${xl - 8}" y="${y + 10}" text-anchor="end" fill="#046">${r.client}</text>`);
    if (r.server) out.push(`<text x="${xr + 8}" y="${y + 10}" fill="#046">${r.server}</text>`);
  });
  out.push(
    `<text x="400" y="${height - 10}" text-anchor="middle" fill="#444">${esc(`final: ${cn} ${m.final.client}, ${sn} ${m.final.server}`)}</text>`,
    '</svg>',
  );
  return out.join('\n');
}

/** tcpdump-like listing of a connection (useful next to the diagram in failure messages). */
export function listing(segments: readonly Segment[]): string {
  const t0 = segments[0]?.time;
  return segments.map((s) => formatSegment(s, t0)).join('\n');
}
