// The verdict is earned: judge() fails a result that breaks any stated
// expectation (a call's code, a segment missing or out of order, a dropped
// segment that arrived, a state, a figure out of range, a release), and names it.
import { describe, expect, it } from 'vitest';
import { decodeFrame, RelativeNumbering, TCP_FLAGS, type Segment } from '../../src/harness/decode.js';
import { judge } from '../../src/scenarios/judge.js';
import type { Scenario, ScenarioResult } from '../../src/scenarios/model.js';

// Real segments, built as frames and decoded: client 127.0.0.1:40000, server :5000.
function seg(fromClient: boolean, flags: number, seq: number, ack: number, numbering: RelativeNumbering, dropped = false): Segment {
  const f = Buffer.alloc(14 + 20 + 20);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(40, 16);
  f[23] = 6;
  Buffer.from([127, 0, 0, 1]).copy(f, 26);
  Buffer.from([127, 0, 0, 1]).copy(f, 30);
  f.writeUInt16BE(fromClient ? 40000 : 5000, 34);
  f.writeUInt16BE(fromClient ? 5000 : 40000, 36);
  f.writeUInt32BE(seq, 38);
  f.writeUInt32BE(ack, 42);
  f[46] = 0x50;
  f[47] = flags;
  const s = numbering.apply(decodeFrame(f, 1)!);
  return dropped ? { ...s, dropped } : s;
}

const { SYN, ACK, FIN } = TCP_FLAGS;
function result(opts: { dropLastAck?: boolean; rc?: number } = {}): ScenarioResult {
  const n = new RelativeNumbering();
  const segments = [
    seg(true, SYN, 100, 0, n),
    seg(false, SYN | ACK, 900, 101, n),
    seg(true, ACK, 101, 901, n),
    seg(true, FIN | ACK, 101, 901, n),
    seg(false, FIN | ACK, 901, 102, n),
    seg(true, ACK, 102, 902, n, opts.dropLastAck),
  ];
  return {
    name: 't',
    title: 't',
    ran: true,
    captured: true,
    where: 'loopback',
    client: '127.0.0.1:40000',
    server: '127.0.0.1:5000',
    segments,
    calls: [{ side: 'client', call: 'shutdown(client, SD_SEND)', rc: opts.rc ?? 0, segIndex: 4, time: 1, ms: 0 }],
    peer: { 'server recv': 'EOF' },
    states: { 'client final': 'TIME_WAIT' },
    marks: {},
    releases: {},
    figures: { 'FIN retransmitted after ms': 210 },
    notes: [],
    captureDrops: 0,
    fds: { socketsBefore: 0, socketsAfter: 0 },
    verdict: { ok: false, line: '', checks: [] },
    ms: 0,
  };
}

const sc = {
  name: 't',
  title: 't',
  topic: 'close',
  steps: [],
  expected: {
    calls: { 'shutdown(client, SD_SEND)': { rc: 0 } },
    segments: ['client SYN', 'server SYN,ACK', 'client ACK', 'client FIN,ACK', 'server FIN,ACK', 'client ACK'],
    never: ['client RST'],
    states: { 'client final': 'TIME_WAIT' },
    peer: { 'server recv': 'EOF' },
    figures: { 'FIN retransmitted after ms': { min: 150, max: 1500 } },
  },
  run: async () => {},
} satisfies Scenario;

describe('judge', () => {
  it('passes a result that meets every expectation, counting each check', () => {
    const v = judge(sc, result());
    expect(v.line).toBe('PASS: 11 checks');
    expect(v.ok).toBe(true);
  });
  it('fails a wrong return code, naming the call', () => {
    expect(judge(sc, result({ rc: -1 })).line).toBe('FAIL: call shutdown(client, SD_SEND): expected 0, observed -1');
  });
  it('a dropped segment does not count as delivered', () => {
    expect(judge(sc, result({ dropLastAck: true })).line).toBe(
      'FAIL: segment client ACK: expected present, in order, observed absent after #5',
    );
    expect(judge({ ...sc, expected: { segments: ['client FIN,ACK', 'client ACK dropped'] } }, result({ dropLastAck: true })).ok).toBe(true);
  });
  it('order matters, and states, peers, figures and never-patterns are checked', () => {
    expect(judge({ ...sc, expected: { segments: ['server FIN,ACK', 'client FIN,ACK'] } }, result()).ok).toBe(false);
    expect(judge({ ...sc, expected: { states: { 'client final': 'CLOSED' } } }, result()).line).toMatch(
      /state client final: expected CLOSED, observed TIME_WAIT/,
    );
    expect(judge({ ...sc, expected: { peer: { 'server recv': 'WSAECONNRESET' } } }, result()).ok).toBe(false);
    expect(judge({ ...sc, expected: { figures: { 'FIN retransmitted after ms': { max: 100 } } } }, result()).ok).toBe(false);
    expect(judge({ ...sc, expected: { figures: { 'not measured': { min: 0 } } } }, result()).line).toMatch(/not measured/);
    expect(judge({ ...sc, expected: { never: ['client FIN'] } }, result()).ok).toBe(false);
  });
  it("the capture's dropped marks must agree with nft's own counters", () => {
    const agree = result({ dropLastAck: true });
    agree.figures['segments dropped by nft'] = 1;
    expect(judge({ ...sc, expected: {} }, agree).ok).toBe(true);
    const disagree = result();
    disagree.figures['segments dropped by nft'] = 1;
    expect(judge({ ...sc, expected: {} }, disagree).line).toBe('FAIL: dropped segments marked = nft counters: expected 1, observed 0');
  });
  it('refuses a malformed pattern instead of matching nothing', () => {
    expect(() => judge({ ...sc, expected: { segments: ['clinet SYN'] } }, result())).toThrow(/must start with client or server/);
    expect(() => judge({ ...sc, expected: { segments: ['client SYNN'] } }, result())).toThrow(/unknown TCP flag/);
  });
});
