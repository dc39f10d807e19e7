// Ladder diagrams: states inferred from segments alone (RFC 793's machine),
// including the three-segment close, simultaneous close (CLOSING), resets and
// a capture joined mid-connection; the text layout and the SVG.
import { describe, expect, it } from 'vitest';
import { RelativeNumbering, TCP_FLAGS, type Segment } from '../../src/harness/capture.js';
import { connections, inferStates, ladder, ladderModel, ladderSvg } from '../../src/harness/ladder.js';

const { SYN, ACK, FIN, RST, PSH } = TCP_FLAGS;
const C = '127.0.0.1:40000';
const S = '127.0.0.1:5000';

/** Build a conversation: each step is [from 'c'|'s', flags, seq, ack, len]. */
function conv(steps: ['c' | 's', number, number, number, number?][], a = C, b = S): Segment[] {
  const n = new RelativeNumbering();
  return steps.map(([who, flagBits, seq, ack, len = 0], i) => {
    const [src, dst] = who === 'c' ? [a, b] : [b, a];
    const [srcAddr, srcPort] = [src.split(':')[0]!, Number(src.split(':')[1])];
    const [dstAddr, dstPort] = [dst.split(':')[0]!, Number(dst.split(':')[1])];
    const flags = (['SYN', 'FIN', 'RST', 'PSH', 'ACK'] as const).filter((f) => flagBits & TCP_FLAGS[f]).join(',');
    return n.apply({
      time: 1000 + i / 1000,
      src,
      dst,
      srcAddr,
      srcPort,
      dstAddr,
      dstPort,
      ipVersion: 4,
      flags,
      flagBits,
      seq,
      ack,
      len,
      window: 512,
    });
  });
}

const handshake: ['c' | 's', number, number, number, number?][] = [
  ['c', SYN, 100, 0],
  ['s', SYN | ACK, 900, 101],
  ['c', ACK, 101, 901],
];

const statesOf = (segs: Segment[]) => {
  const m = ladderModel(segs);
  return {
    client: [m.initial.client, ...m.rows.flatMap((r) => r.clientPath)],
    server: [m.initial.server, ...m.rows.flatMap((r) => r.serverPath)],
  };
};

describe('state inference', () => {
  it('four-segment close: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT / CLOSE_WAIT, LAST_ACK, CLOSED', () => {
    const segs = conv([...handshake, ['c', FIN | ACK, 101, 901], ['s', ACK, 901, 102], ['s', FIN | ACK, 901, 102], ['c', ACK, 102, 902]]);
    expect(statesOf(segs)).toEqual({
      client: ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT'],
      server: ['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    });
  });
  it('three-segment close (ACK riding on the FIN): FIN_WAIT_1 straight to TIME_WAIT', () => {
    const segs = conv([...handshake, ['c', FIN | ACK, 101, 901], ['s', FIN | ACK, 901, 102], ['c', ACK, 102, 902]]);
    expect(inferStates(segs)).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    // FIN_WAIT_2 lasts no time at all here: it is entered and left on the same segment.
    expect(statesOf(segs).client).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(ladderModel(segs).rows[4]).toMatchObject({ client: 'TIME_WAIT', clientPath: ['FIN_WAIT_2', 'TIME_WAIT'] });
  });
  it('simultaneous close passes through CLOSING on both sides', () => {
    const segs = conv([...handshake, ['c', FIN | ACK, 101, 901], ['s', FIN | ACK, 901, 101], ['c', ACK, 102, 902], ['s', ACK, 902, 102]]);
    const st = statesOf(segs);
    expect(st.client).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    expect(st.server).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
  });
  it('a RST closes both sides at once; data lengths are tracked in seq', () => {
    const segs = conv([...handshake, ['s', PSH | ACK, 901, 101, 10], ['c', ACK, 101, 911], ['c', RST | ACK, 101, 911]]);
    expect(inferStates(segs)).toEqual({ client: 'CLOSED', server: 'CLOSED' });
    expect(segs[5]).toMatchObject({ relSeq: 1, relAck: 11 });
  });
  it('a capture joined mid-connection starts both sides ESTABLISHED', () => {
    const segs = conv([
      ['c', FIN | ACK, 5000, 7000],
      ['s', FIN | ACK, 7000, 5001],
      ['c', ACK, 5001, 7001],
    ]);
    const m = ladderModel(segs);
    expect(m.initial).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    expect(m.final).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
  });
  it('a capture that starts at the SYN,ACK (the SYN missed) still follows both sides', () => {
    const segs = conv([...handshake, ['c', FIN | ACK, 101, 901], ['s', FIN | ACK, 901, 102], ['c', ACK, 102, 902]]).slice(1);
    const m = ladderModel(segs);
    expect(m.initial).toEqual({ client: 'SYN_SENT', server: 'LISTEN' });
    expect(m.rows[0]).toMatchObject({ client: 'ESTABLISHED', server: 'SYN_RCVD' });
    expect(m.final).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
  });
  it('splits connections by endpoint pair and by a new SYN on a reused pair', () => {
    const first = conv([...handshake, ['c', RST, 101, 0]]);
    const other = conv(handshake, '127.0.0.1:40001');
    const again = conv(handshake);
    expect(connections([...first, ...other, ...again]).map((c) => [c.client, c.segments.length])).toEqual([
      [C, 4],
      ['127.0.0.1:40001', 3],
      [C, 3],
    ]);
    expect(ladderModel([...first, ...other], { connection: 1 }).client).toBe('127.0.0.1:40001');
    expect(() => ladderModel([])).toThrow(/no TCP segments/);
  });
});

describe('rendering', () => {
  const segs = conv([
    ...handshake,
    ['c', PSH | ACK, 101, 901, 5],
    ['s', ACK, 901, 106],
    ['c', FIN | ACK, 106, 901],
    ['s', ACK, 901, 107],
    ['s', FIN | ACK, 901, 107],
    ['c', ACK, 107, 902],
  ]);

  it('text: one row per segment, arrows by direction, relative numbers, states where they change', () => {
    const text = ladder(segs, { title: 'graceful', names: { client: 'A', server: 'B' } });
    const lines = text.split('\n');
    expect(lines[0]).toBe('graceful');
    expect(lines[1]).toMatch(/^ +A 127\.0\.0\.1:40000 +B 127\.0\.0\.1:5000$/);
    expect(lines[2]).toMatch(/ms +CLOSED +LISTEN$/);
    expect(lines[3]).toMatch(/0\.000 +SYN_SENT +-- SYN seq=0 -+> +SYN_RCVD$/);
    expect(lines[4]).toMatch(/ESTABLISHED +<-+ SYN,ACK seq=0 ack=1 --$/);
    expect(lines[6]).toMatch(/-- PSH,ACK seq=1 ack=1 len=5 -+>$/);
    expect(lines[8]).toMatch(/FIN_WAIT_1 +-- FIN,ACK seq=6 ack=1 -+> +CLOSE_WAIT$/);
    expect(lines[9]).toMatch(/FIN_WAIT_2 +<-+ ACK seq=1 ack=7 --$/);
    expect(lines[10]).toMatch(/TIME_WAIT +<-+ FIN,ACK seq=1 ack=7 -- +LAST_ACK$/);
    expect(lines[11]).toMatch(/-- ACK seq=7 ack=2 -+> +CLOSED$/);
    expect(lines.at(-1)).toMatch(/final: A TIME_WAIT, B CLOSED/);
    // Arrows line up: every right arrow's head is in the same column.
    const heads = lines.filter((l) => /-+>/.test(l)).map((l) => l.indexOf('>'));
    expect(new Set(heads).size).toBe(1);
  });

  it('SVG: a well-formed document with one arrow per segment, RST drawn in red', () => {
    const svg = ladderSvg([...segs.slice(0, 3), ...conv([['c', RST | ACK, 101, 901]]).map((s) => ({ ...s, relSeq: 1, relAck: 1 }))], {
      title: 'a <b> & c',
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    expect(svg.match(/marker-end=/g)).toHaveLength(4);
    expect(svg).toMatch(/stroke="#c00"[^>]*marker-end="url\(#ahr\)"/);
    expect(svg).toContain('RST,ACK seq=1 ack=1');
    // Balanced tags (no stray '<' from labels).
    expect(svg.match(/<text/g)!.length).toBe(svg.match(/<\/text>/g)!.length);
  });
});
