// libpcap files: what `--pcap` writes and tshark/Wireshark read.
import type { LinkType } from './decode.js';

/** pcap's LINKTYPE_* for a link type. */
export const PCAP_LINKTYPE: Record<LinkType, number> = { ethernet: 1, raw: 101 };

/** Serialise frames as a libpcap file (magic a1b2c3d4, v2.4, microseconds, LINKTYPE_ETHERNET or LINKTYPE_RAW). */
export function pcapBytes(
  frames: readonly { tsSec: number; tsUsec: number; origLen: number; data: Uint8Array }[],
  snaplen = 262144,
  link: LinkType = 'ethernet',
): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // thiszone: timestamps are UTC
  header.writeUInt32LE(0, 12); // sigfigs
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(PCAP_LINKTYPE[link], 20);
  const parts: Buffer[] = [header];
  for (const f of frames) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(f.tsSec >>> 0, 0);
    rec.writeUInt32LE(f.tsUsec >>> 0, 4);
    rec.writeUInt32LE(f.data.length, 8);
    rec.writeUInt32LE(f.origLen, 12);
    parts.push(rec, Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length));
  }
  return Buffer.concat(parts);
}
