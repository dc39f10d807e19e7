// The pcap written for the four-way close opens in tshark (a separate,
// standard decoder), which sees the same segments with the same FIN/RST flags.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCapture } from '../../src/harness/capture.js';
import { runScenario } from './helpers.js';
import * as W from '../../src/index.js';
import { loopbackPair, titled, wire } from './helpers.js';

const tshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
const haveTshark = tshark.status === 0;
// Under CI=true tshark is installed by .ci/run: a missing one fails instead of skipping.
const gate = wire.skip
  ? wire
  : !haveTshark && process.env.CI !== 'true'
    ? { skip: true, reason: 'tshark not installed (apt-get install tshark)' }
    : wire;

const dir = mkdtempSync(join(tmpdir(), 'wsc-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pcap output', () => {
  it.skipIf(gate.skip)(titled('four-way close pcap opens in tshark -r with the expected flags', gate), async () => {
    const path = join(dir, 'four-way-close.pcap');
    const r = await runScenario('four-way-close', { pcapPath: path });
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4); // libpcap magic, microsecond timestamps
    expect(bytes.readUInt32LE(20)).toBe(1); // LINKTYPE_ETHERNET

    const out = execFileSync(
      'tshark',
      [
        '-r',
        path,
        '-T',
        'fields',
        '-E',
        'separator=,',
        '-e',
        'tcp.srcport',
        '-e',
        'tcp.flags.syn',
        '-e',
        'tcp.flags.ack',
        '-e',
        'tcp.flags.fin',
        '-e',
        'tcp.flags.reset',
        '-e',
        'tcp.len',
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'], // tshark warns about running as root on stderr
      },
    );
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows).toHaveLength(r.segments.length);
    // tshark prints flags as 1/0 (older) or True/False (newer).
    const on = (v: string | undefined): boolean => v === '1' || v === 'True';
    const clientPort = String(r.segments[0]!.srcPort);
    const seen = rows.map(([port, syn, ack, fin, rst]) => {
      const flags = [on(syn) && 'SYN', on(fin) && 'FIN', on(rst) && 'RST', on(ack) && 'ACK'].filter(Boolean).join(',');
      return `${port === clientPort ? 'client' : 'server'} ${flags}`;
    });
    expect(seen).toEqual(['client SYN', 'server SYN,ACK', 'client ACK', 'client FIN,ACK', 'server ACK', 'server FIN,ACK', 'client ACK']);
    // Same segments as our own decoder saw, flag for flag.
    expect(seen).toEqual(r.segments.map((s) => `${s.src === r.client ? 'client' : 'server'} ${s.flags.replace('PSH,', '')}`));
    expect(rows.filter((x) => on(x[4]))).toHaveLength(0); // no RST
    expect(rows.filter((x) => on(x[3]))).toHaveLength(2); // one FIN each way
  });

  it.skipIf(gate.skip)(titled('a frame cut by snaplen keeps its original length (caplen < len)', gate), async () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    const path = join(dir, 'snaplen.pcap');
    try {
      const { l, c, s, addr } = loopbackPair();
      const cap = startCapture({ ports: [addr.port], snaplen: 80 });
      expect(W.send(c, Buffer.alloc(1000, 0x61))).toBe(1000);
      await cap.settle(30);
      cap.stop();
      cap.writePcap(path);
      for (const h of [c, s, l]) W.closesocket(h);
      const data = cap.segments.find((x) => x.len === 1000)!;
      expect(data).toBeDefined();
      // tshark's frame.len is the record's original length, frame.cap_len what was kept.
      const rows = execFileSync(
        'tshark',
        ['-r', path, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'tcp.len'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      )
        .trim()
        .split('\n')
        .map((x) => x.split(',').map(Number));
      const big = rows.find((x) => x[1] === 80 && x[0]! > 80)!;
      expect(big).toBeDefined();
      // Ethernet 14 + IPv4 20 + TCP header (with options) + 1000 bytes of payload.
      expect(big[0]! - 1000).toBeGreaterThanOrEqual(54);
      expect(big[0]! - 1000).toBeLessThanOrEqual(14 + 20 + 60);
      expect(rows.every(([len, caplen]) => caplen! <= 80 && caplen! <= len!)).toBe(true);
    } finally {
      W.WSACleanup();
    }
  });
});
