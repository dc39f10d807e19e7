// The vitest matchers of winsock-compat/vitest: they pass and fail on the
// right inputs and their failure messages show the captured segments.
import { describe, expect, it } from 'vitest';
import { RelativeNumbering, TCP_FLAGS, type Segment, type SegmentMatch } from '../../src/harness/capture.js';
import { track } from '../../src/harness/resources.js';
import * as W from '../../src/index.js';
import '../../src/vitest.js';

function seg(src: string, dst: string, flagBits: number, seq: number, ack: number): Segment {
  const [sa, sp] = src.split(':');
  const [da, dp] = dst.split(':');
  const flags = (['SYN', 'FIN', 'RST', 'PSH', 'ACK'] as const).filter((f) => flagBits & TCP_FLAGS[f]).join(',');
  return new RelativeNumbering().apply({
    time: 1,
    src,
    dst,
    srcAddr: sa!,
    srcPort: Number(sp),
    dstAddr: da!,
    dstPort: Number(dp),
    ipVersion: 4,
    flags,
    flagBits,
    seq,
    ack,
    len: 0,
    window: 1,
  });
}

const client = '127.0.0.1:40000';
const server = '127.0.0.1:5000';
const segs = [seg(client, server, TCP_FLAGS.FIN | TCP_FLAGS.ACK, 10, 20), seg(server, client, TCP_FLAGS.ACK, 20, 11)];

describe('segment matchers', () => {
  it('toContainSegment / toHaveNoSegment / toHaveSegmentCount on arrays and {segments}', () => {
    expect(segs).toContainSegment({ from: client, flags: 'FIN' });
    expect({ segments: segs }).toContainSegment({ from: { address: '127.0.0.1', port: 5000 }, exactFlags: 'ACK' });
    expect(segs).toHaveNoSegment({ flags: 'RST' });
    expect(segs).not.toContainSegment({ from: server, flags: 'FIN' });
    expect(segs).toHaveSegmentCount({ flags: 'ACK' }, 2);
  });
  it('fails with the captured segments listed', () => {
    expect(() => expect(segs).toContainSegment({ flags: 'RST' })).toThrow(
      /expected a segment matching .*RST.*; captured:\n.*127\.0\.0\.1:40000 > 127\.0\.0\.1:5000 \[FIN,ACK\]/s,
    );
    expect(() => expect(segs).toHaveNoSegment({ flags: 'FIN' })).toThrow(/expected no segment matching .*found 1/s);
    expect(() => expect(segs).toHaveSegmentCount({ flags: 'FIN' }, 2)).toThrow(/expected 2 segment\(s\) .* found 1/s);
    expect(() => expect(42).toContainSegment({ flags: 'FIN' })).toThrow(/expected a Capture, a Segment\[\]/);
    expect(() => expect(segs).toContainSegment({ flags: 'FNI' })).toThrow(/unknown TCP flag/);
  });
  it('rejects an unknown match field instead of ignoring it (a misspelt field must not match everything)', () => {
    // Segment's own field names (src, dst) are the likeliest slip for from/to.
    const typo = { src: '9.9.9.9:9', flags: 'FIN' } as unknown as SegmentMatch;
    expect(() => expect(segs).toContainSegment(typo)).toThrow(/unknown SegmentMatch field "src"/);
    expect(() => expect([]).toHaveNoSegment({ flag: 'RST' } as unknown as SegmentMatch)).toThrow(/unknown SegmentMatch field "flag"/);
  });
  it('refuses an array that holds no segments instead of finding nothing in it', () => {
    const calls = [{ call: 'closesocket(client)', rc: 0 }];
    expect(() => expect(calls).toHaveNoSegment({ flags: 'RST' })).toThrow(/expected a Capture, a Segment\[\]/);
    expect(() => expect({ segments: [1, 2] }).toHaveSegmentCount({ flags: 'FIN' }, 0)).toThrow(/expected a Capture/);
    expect([]).toHaveNoSegment({ flags: 'RST' }); // an empty capture is still a capture
  });
  it('compares IPv6 endpoints by address, not by spelling', () => {
    const base = seg(client, server, TCP_FLAGS.ACK, 1, 1);
    const v6: Segment[] = [{ ...base, src: '[::1]:40000', dst: '[::1]:5000', srcAddr: '::1', dstAddr: '::1', ipVersion: 6 }];
    expect(v6).toContainSegment({ from: '[0:0:0:0:0:0:0:1]:40000' });
    expect(v6).toContainSegment({ from: { address: '0::1', port: 40000 } });
    expect(v6).toHaveNoSegment({ from: '[::2]:40000' });
  });
});

describe('socket matchers', () => {
  it('toBeInTcpState and toBeReleased on live and closed handles', () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    try {
      const l = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
      W.listen(l, 1);
      expect(l).toBeInTcpState('LISTEN');
      expect(l).not.toBeReleased();
      const t = track(l);
      W.closesocket(l);
      expect(t).toBeReleased({ checkPort: true });
      expect(l).toBeReleased();
      expect(() => expect(l).toBeInTcpState('LISTEN')).toThrow(/got no TCP socket/);
      expect(() => expect('x').toBeReleased()).toThrow(/expected a SOCKET handle/);
    } finally {
      W.WSACleanup();
    }
  });
});
