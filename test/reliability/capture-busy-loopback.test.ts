// Hostile use of the harness: a capture asked for one connection's port, on a
// loopback busy with other TCP connections (the library's and Node's `net`,
// with resets), a UDP flood and a flood of small segments on the asked
// connection itself, keeps exactly that connection's segments and loses none,
// counted against the kernel's own counters: TCP_INFO's segs_out of both ends,
// the namespace's /proc/net/snmp and PACKET_STATISTICS drops. Runs in a
// private namespace so /proc/net/snmp counts this traffic only.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureAvailability, namespaceGate, runInNamespace, wireGate } from '../../src/harness/index.js';

const ns = namespaceGate();
const wire = wireGate(() => captureAvailability());
const skip = ns.skip || wire.skip;

interface Report {
  askedPort: number;
  askedSent: number;
  askedRead: number;
  udpSent: number;
  otherConns: number;
  keptBeforeClose: number;
  askedSegsOut: number;
  kept: number;
  keptNotAsked: number;
  askedInAll: number;
  countsAsked: { read: number; kept: number; ignored: number; notTcp: number; otherPorts: number; errors: number };
  countsAll: { read: number; kept: number; ignored: number; notTcp: number; otherPorts: number; errors: number };
  keptAll: number;
  dropsAsked: number;
  dropsAll: number;
  outSegs: number;
  retransSegs: number;
  outRsts: number;
}

describe('capture on a busy loopback', () => {
  let r: Report;
  it.skipIf(skip)(
    `keeps only the asked port, drops nothing, agrees with the kernel's counters (${ns.reason}; ${wire.reason})`,
    async () => {
      const run = await runInNamespace(fileURLToPath(new URL('./fixtures/busy-loopback-capture.mts', import.meta.url)), {
        timeoutMs: 40_000,
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
      r = run.result as Report;
      expect(r, run.stderr).toBeDefined();
      console.log(
        `busy loopback: asked connection ${r.kept} segments (${r.askedSent} bytes in small segments), other TCP ${r.countsAsked.otherPorts} segments over ${r.otherConns} + 40 connections, ${r.udpSent} UDP datagrams; snmp OutSegs ${r.outSegs} + RetransSegs ${r.retransSegs} (OutRsts ${r.outRsts}); drops ${r.dropsAsked}/${r.dropsAll}`,
      );
      expect(r.askedRead).toBe(r.askedSent);
      // Only what was asked for: every kept segment has the asked port at one end.
      expect(r.keptNotAsked).toBe(0);
      expect(r.countsAsked.otherPorts).toBeGreaterThan(1000);
      // Nothing asked for was dropped: the kernel dropped no frame, and the
      // asked connection's segments are exactly what its two sockets sent
      // (segs_out), plus the SYN-ACK, which the listener's request socket
      // sent before the accepted socket (and its counter) existed.
      expect(r.dropsAsked).toBe(0);
      expect(r.dropsAll).toBe(0);
      expect(r.keptBeforeClose).toBe(r.askedSegsOut + 1);
      // A capture with no port filter at the same time saw the same segments of that connection...
      expect(r.askedInAll).toBe(r.kept);
      // ...and every TCP segment the namespace sent, once: OutSegs counts each
      // segment sent except retransmissions, which RetransSegs counts.
      expect(r.keptAll).toBe(r.outSegs + r.retransSegs);
      expect(r.countsAsked.kept + r.countsAsked.otherPorts).toBe(r.keptAll);
      // The UDP datagrams are frames that are not TCP: counted apart, never decoded; no socket errors.
      expect(r.countsAsked.notTcp).toBe(r.udpSent);
      expect(r.countsAll.notTcp).toBe(r.udpSent);
      expect(r.countsAsked.errors + r.countsAll.errors).toBe(0);
    },
    45_000,
  );
});
