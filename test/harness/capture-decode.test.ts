// The capture's decoder, numbering, matching and pcap writer on hand-built
// frames (no privileges needed), then the live capture on loopback: one copy
// of each packet, synchronous drain on stop(), no event-loop blocking, and
// its descriptor released.
import koffi from 'koffi';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  decodeFrame,
  findSegments,
  frameWireLength,
  linkTypeOfHatype,
  parseFlags,
  pcapBytes,
  RelativeNumbering,
  segmentMatches,
  startCapture,
  TCP_FLAGS,
  type Segment,
} from '../../src/harness/capture.js';
import { fdCount, socketFds } from '../../src/harness/resources.js';
import * as W from '../../src/index.js';
import { isolated, packageRoot, titled, wire } from './helpers.js';
import { runInNamespace } from '../../src/harness/netns.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Ethernet + IPv4 + TCP (20-byte header) + payload. */
function v4Frame(o: {
  src?: number[];
  dst?: number[];
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win?: number;
  payload?: number;
}): Buffer {
  const payload = o.payload ?? 0;
  const f = Buffer.alloc(14 + 20 + 20 + payload);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + 20 + payload, 16);
  f[14 + 9] = 6;
  Buffer.from(o.src ?? [127, 0, 0, 1]).copy(f, 26);
  Buffer.from(o.dst ?? [127, 0, 0, 1]).copy(f, 30);
  const t = 34;
  f.writeUInt16BE(o.sport, t);
  f.writeUInt16BE(o.dport, t + 2);
  f.writeUInt32BE(o.seq >>> 0, t + 4);
  f.writeUInt32BE(o.ack >>> 0, t + 8);
  f[t + 12] = 5 << 4;
  f[t + 13] = o.flags;
  f.writeUInt16BE(o.win ?? 512, t + 14);
  return f;
}

/** Ethernet + IPv6 (+ one hop-by-hop header) + TCP with a 12-byte option block. */
function v6Frame(): Buffer {
  const f = Buffer.alloc(14 + 40 + 8 + 32 + 3);
  f.writeUInt16BE(0x86dd, 12);
  f[14] = 0x60;
  f.writeUInt16BE(8 + 32 + 3, 18); // payload length includes the extension header
  f[20] = 0; // next header: hop-by-hop
  f[21] = 64;
  f[14 + 8 + 15] = 1; // src ::1
  f[14 + 24 + 15] = 1; // dst ::1
  const ext = 54;
  f[ext] = 6; // then TCP
  f[ext + 1] = 0; // (0 + 1) * 8 bytes
  const t = ext + 8;
  f.writeUInt16BE(5000, t);
  f.writeUInt16BE(40000, t + 2);
  f.writeUInt32BE(0xfffffff0, t + 4);
  f.writeUInt32BE(77, t + 8);
  f[t + 12] = 8 << 4;
  f[t + 13] = TCP_FLAGS.PSH | TCP_FLAGS.ACK;
  f.writeUInt16BE(1000, t + 14);
  return f;
}

describe('decoder', () => {
  it('decodes IPv4 TCP: endpoints, flags, numbers, payload length from the IP header', () => {
    const s = decodeFrame(
      v4Frame({ sport: 40000, dport: 5000, seq: 100, ack: 200, flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK, payload: 7, win: 333 }),
      12.5,
    )!;
    expect(s).toMatchObject({
      time: 12.5,
      src: '127.0.0.1:40000',
      dst: '127.0.0.1:5000',
      ipVersion: 4,
      flags: 'FIN,ACK',
      seq: 100,
      ack: 200,
      len: 7,
      window: 333,
    });
  });
  it('decodes IPv6 across an extension header, with TCP options', () => {
    const s = decodeFrame(v6Frame())!;
    expect(s).toMatchObject({
      src: '[::1]:5000',
      dst: '[::1]:40000',
      srcAddr: '::1',
      ipVersion: 6,
      flags: 'PSH,ACK',
      seq: 0xfffffff0,
      len: 3,
      window: 1000,
    });
  });
  it('counts payload from the IP length even when the frame was truncated (snaplen)', () => {
    const full = v4Frame({ sport: 1, dport: 2, seq: 0, ack: 0, flags: TCP_FLAGS.ACK, payload: 1000 });
    expect(decodeFrame(full.subarray(0, 60))!.len).toBe(1000);
  });
  it('ignores what is not TCP over IP', () => {
    const udp = v4Frame({ sport: 1, dport: 2, seq: 0, ack: 0, flags: 0 });
    udp[23] = 17;
    expect(decodeFrame(udp)).toBeUndefined();
    const arp = Buffer.alloc(42);
    arp.writeUInt16BE(0x0806, 12);
    expect(decodeFrame(arp)).toBeUndefined();
    expect(decodeFrame(Buffer.alloc(10))).toBeUndefined();
  });
  it('refuses malformed headers instead of decoding junk (IP version, IHL, TCP data offset)', () => {
    const good = () => v4Frame({ sport: 1, dport: 2, seq: 0, ack: 0, flags: TCP_FLAGS.SYN });
    expect(decodeFrame(good())).toBeDefined();
    const ihl0 = good();
    ihl0[14] = 0x40; // IHL 0: the TCP header would be read from the IP header
    expect(decodeFrame(ihl0)).toBeUndefined();
    const v6inV4 = good();
    v6inV4[14] = 0x65; // version 6 under an IPv4 EtherType
    expect(decodeFrame(v6inV4)).toBeUndefined();
    const doff = good();
    doff[34 + 12] = 2 << 4; // TCP data offset 8 bytes
    expect(decodeFrame(doff)).toBeUndefined();
  });
  it('decodes frames without a link header (tun, WireGuard) and writes them as LINKTYPE_RAW', () => {
    const ip = v4Frame({ sport: 40000, dport: 80, seq: 9, ack: 0, flags: TCP_FLAGS.SYN, payload: 5 }).subarray(14);
    expect(decodeFrame(ip, 0, 'raw')).toMatchObject({ src: '127.0.0.1:40000', dst: '127.0.0.1:80', flags: 'SYN', len: 5 });
    expect(decodeFrame(v6Frame().subarray(14), 0, 'raw')).toMatchObject({ src: '[::1]:5000', len: 3 });
    expect([linkTypeOfHatype(772), linkTypeOfHatype(1), linkTypeOfHatype(0xfffe), linkTypeOfHatype(824)]).toEqual([
      'ethernet',
      'ethernet',
      'raw',
      undefined,
    ]);
    expect(frameWireLength(ip.subarray(0, 30), 30, 'raw')).toBe(45);
    expect(pcapBytes([], 100, 'raw').readUInt32LE(20)).toBe(101);
  });
  it('numbers seq/ack relative to each side’s SYN, across 2^32 wrap-around', () => {
    const n = new RelativeNumbering();
    const seg = (sport: number, dport: number, seq: number, ack: number, flags: number) =>
      n.apply(decodeFrame(v4Frame({ sport, dport, seq, ack, flags }))!);
    expect(seg(1, 2, 0xfffffffe, 0, TCP_FLAGS.SYN)).toMatchObject({ relSeq: 0, relAck: 0 });
    expect(seg(2, 1, 5000, 0xffffffff, TCP_FLAGS.SYN | TCP_FLAGS.ACK)).toMatchObject({ relSeq: 0, relAck: 1 });
    expect(seg(1, 2, 0xffffffff, 5001, TCP_FLAGS.ACK)).toMatchObject({ relSeq: 1, relAck: 1 });
    expect(seg(1, 2, 4, 5001, TCP_FLAGS.FIN | TCP_FLAGS.ACK)).toMatchObject({ relSeq: 6, relAck: 1 });
  });
  it('parses flag specs strictly: a typo must not match everything', () => {
    expect(parseFlags('SYN,ACK')).toBe(TCP_FLAGS.SYN | TCP_FLAGS.ACK);
    expect(parseFlags(['rst'])).toBe(TCP_FLAGS.RST);
    expect(() => parseFlags('FYN')).toThrow(/unknown TCP flag/);
  });
  it('matches by endpoint (string, port, SockAddr, v4-mapped), flags, length', () => {
    const s = new RelativeNumbering().apply(
      decodeFrame(v4Frame({ sport: 40000, dport: 5000, seq: 1, ack: 1, flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK, payload: 2 }))!,
    );
    expect(segmentMatches(s, { from: '127.0.0.1:40000', flags: 'FIN' })).toBe(true);
    expect(segmentMatches(s, { from: 40000, to: { address: '::ffff:127.0.0.1', port: 5000 } })).toBe(true);
    expect(segmentMatches(s, { exactFlags: 'FIN' })).toBe(false);
    expect(segmentMatches(s, { withoutFlags: 'RST', len: 2, port: 5000 })).toBe(true);
    expect(segmentMatches(s, { to: '127.0.0.1:40000' })).toBe(false);
    expect(findSegments([s, s], { flags: 'RST' })).toEqual([]);
  });
  it('writes libpcap: global header, then 16-byte record headers with caplen and original length', () => {
    const data = v4Frame({ sport: 1, dport: 2, seq: 0, ack: 0, flags: TCP_FLAGS.SYN });
    const b = pcapBytes([{ tsSec: 1700000000, tsUsec: 123456, origLen: 1500, data }], 65535);
    expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect([b.readUInt16LE(4), b.readUInt16LE(6)]).toEqual([2, 4]);
    expect(b.readUInt32LE(16)).toBe(65535);
    expect(b.readUInt32LE(20)).toBe(1);
    expect([b.readUInt32LE(24), b.readUInt32LE(28), b.readUInt32LE(32), b.readUInt32LE(36)]).toEqual([
      1700000000,
      123456,
      data.length,
      1500,
    ]);
    expect(b.subarray(40).equals(data)).toBe(true);
  });
});

describe('live capture in a private namespace (devices changed for the test)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsc-capns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const src = (p: string): string => JSON.stringify(new URL(`../../${p}`, import.meta.url).pathname);

  /** Run `body` (top-level await allowed; it ends with reportResult) in a namespace, with the harness imported. */
  async function inNamespace<T>(name: string, body: string): Promise<T> {
    const script = join(dir, `${name}.mts`);
    writeFileSync(
      script,
      `import { openSync } from 'node:fs';
       import { spawnSync } from 'node:child_process';
       import net from 'node:net';
       import { C } from ${src('native-bindings/libc.ts')};
       import * as W from ${src('src/index.ts')};
       import { startCapture } from ${src('src/harness/capture.ts')};
       import { reportResult } from ${src('src/harness/netns.ts')};
       ${body}
       process.exit(0);`,
    );
    const run = await runInNamespace(script, { timeoutMs: 20_000, cwd: packageRoot });
    expect(run.result, run.stderr).toBeDefined();
    return run.result as T;
  }

  it.skipIf(isolated.skip)(titled('a tun device: SYN decoded, pcap LINKTYPE_RAW that tshark reads', isolated), async () => {
    const pcapPath = join(dir, 'tun.pcap');
    const res = await inNamespace<{ segs: string[]; ignored: number }>(
      'tun',
      `// Create and attach tun0 (IFF_TUN | IFF_NO_PI): attached, it has carrier and transmits.
       const ifr = Buffer.alloc(40);
       ifr.write('tun0');
       ifr.writeUInt16LE(0x0001 | 0x1000, 16);
       const tun = openSync('/dev/net/tun', 'r+');
       if (C.ioctl(tun, 0x400454ca, ifr) !== 0) throw new Error('TUNSETIFF failed');
       spawnSync('ip', ['link', 'set', 'tun0', 'up']);
       spawnSync('ip', ['addr', 'add', '10.77.0.1/24', 'dev', 'tun0']);
       const cap = startCapture({ interface: 'tun0' });
       const c = net.connect(80, '10.77.0.2');
       c.on('error', () => {});
       await cap.waitFor({ flags: 'SYN' }, 2000).catch(() => undefined);
       const segs = cap.stop();
       cap.writePcap(${JSON.stringify(pcapPath)});
       reportResult({ segs: segs.map((s) => s.dst + ' ' + s.flags), ignored: cap.counts.ignored });`,
    );
    expect(res.segs[0]).toBe('10.77.0.2:80 SYN');
    expect(res.ignored).toBe(0);
    expect(readFileSync(pcapPath).readUInt32LE(20)).toBe(101); // LINKTYPE_RAW: no Ethernet header in these frames
    const tshark = spawnSync('tshark', ['-r', pcapPath, '-T', 'fields', '-e', 'tcp.dstport', '-e', 'tcp.flags.syn'], {
      encoding: 'utf8',
    });
    if (tshark.status === 0) expect(tshark.stdout.split('\n')[0]).toMatch(/^80\t(1|True)$/);
  });

  it.skipIf(isolated.skip)(titled('frames queued when the interface goes down are still returned by stop()', isolated), async () => {
    // All synchronous: the frames sit in the capture's queue, unread, when lo goes down.
    const res = await inNamespace<{ flags: string[]; errors: number }>(
      'down',
      `W.WSAStartup(0x202);
       const l = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
       W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
       W.listen(l, 4);
       const a = {};
       W.getsockname(l, a);
       const cap = startCapture({ ports: [a.port] });
       const c = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
       W.connect(c, a);
       W.accept(l);
       W.send(c, Buffer.from('hello'));
       spawnSync('ip', ['link', 'set', 'lo', 'down']); // the kernel reports ENETDOWN ahead of the queue
       const segs = cap.stop();
       reportResult({ flags: segs.map((s) => s.flags), errors: cap.counts.errors });`,
    );
    expect(res.flags).toEqual(['SYN', 'SYN,ACK', 'ACK', 'PSH,ACK', 'ACK']);
    expect(res.errors).toBe(1);
  });
});

describe('live capture on lo', () => {
  it.skipIf(wire.skip)(titled('keeps one copy of each looped-back packet, drains on stop(), releases its fd', wire), async () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    try {
      const fdsBefore = fdCount();
      const l = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
      W.listen(l, 4);
      const la = {} as W.SockAddr;
      W.getsockname(l, la);
      const cap = startCapture({ ports: [la.port] });
      expect(socketFds().length).toBeGreaterThan(0);
      const c = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      W.connect(c, la);
      const s = W.accept(l);
      // The event loop keeps running while the capture is open.
      const ticked = await new Promise<boolean>((r) => setTimeout(() => r(true), 20));
      expect(ticked).toBe(true);
      W.send(c, Buffer.from('ping'));
      W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
      W.closesocket(c);
      // No await between the RST and stop(): stop() must drain what is queued.
      const segs: Segment[] = cap.stop();
      expect(segs.map((x) => x.flags)).toEqual(['SYN', 'SYN,ACK', 'ACK', 'PSH,ACK', 'ACK', 'RST,ACK']);
      // One copy each: no two segments identical in direction, seq, ack and flags.
      const keys = segs.map((x) => `${x.src}>${x.dst} ${x.seq} ${x.ack} ${x.flags}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(cap.counts.ignored).toBe(0); // the in-kernel filter already dropped the incoming copies
      expect(segs[3]).toMatchObject({ len: 4, relSeq: 1, relAck: 1 });
      expect(segs.every((x, i) => i === 0 || x.time >= segs[i - 1]!.time)).toBe(true);
      expect(cap.stop()).toEqual(segs); // idempotent
      W.closesocket(s);
      W.closesocket(l);
      expect(fdCount()).toBe(fdsBefore);
    } finally {
      W.WSACleanup();
    }
  });

  it.skipIf(wire.skip)(titled('without the outgoing-only filter, lo shows every packet twice (why the filter exists)', wire), async () => {
    const net = await import('node:net');
    const srv = net.createServer((sock) => sock.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const both = startCapture({ ports: [port], outgoingOnly: false });
    const one = startCapture({ ports: [port] });
    try {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise((r) => c.on('close', r));
      await one.settle(50);
      const a = one.stop();
      const b = both.stop();
      expect(a.length).toBeGreaterThanOrEqual(3);
      expect(b).toHaveLength(a.length * 2);
      // Each kept segment appears exactly twice in the unfiltered capture.
      for (const s of a)
        expect(b.filter((x) => x.src === s.src && x.seq === s.seq && x.flags === s.flags && x.ack === s.ack)).toHaveLength(2);
    } finally {
      both.stop();
      one.stop();
      srv.close();
    }
  });

  it.skipIf(wire.skip)(titled('a capture whose watcher cannot start closes its packet socket', wire), () => {
    const before = socketFds().length;
    const spy = vi.spyOn(koffi.node, 'poll').mockImplementation(() => {
      throw new Error('no poll');
    });
    try {
      expect(() => startCapture()).toThrow(/no poll/);
    } finally {
      spy.mockRestore();
    }
    expect(socketFds().length).toBe(before);
  });

  it.skipIf(wire.skip)(titled('waitFor resolves on a future segment and rejects with the listing on timeout', wire), async () => {
    const net = await import('node:net');
    const srv = net.createServer((sock) => sock.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const cap = startCapture({ ports: [port] });
    try {
      const pending = cap.waitFor({ from: port, flags: 'FIN' }, 2000);
      const c = net.connect(port, '127.0.0.1');
      c.on('data', () => {});
      c.on('end', () => c.end());
      const fin = await pending;
      expect(fin.srcPort).toBe(port);
      await expect(cap.waitFor({ flags: 'RST' }, 100)).rejects.toThrow(/no segment matching .*RST[\s\S]*SYN/);
    } finally {
      cap.stop();
      srv.close();
    }
  });
});
