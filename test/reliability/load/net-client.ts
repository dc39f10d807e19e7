// The node:net half of the load test (issue 11, item 3): a client that sends a
// checksummed payload and ends the connection in a chosen teardown, using only
// what node:net offers (no SD_RECEIVE, no linger). The promise-API server and
// the library's own clients come with the promise API; the wire format and
// the outcome table (outcomes.ts) are shared with them.
//
// Wire format, client to server: a 25-byte header (u32 LE payload length,
// u8 teardown code, 20-byte SHA-1 of the payload), then the payload. For
// 'half-close-reply' the server answers, after the client's FIN, with the
// 20-byte SHA-1 of everything it received; for 'close-unread' the server
// sends UNREAD_BYTES as soon as it has the header, which the client never reads.
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';

export const TEARDOWN_CODES = {
  graceful: 1,
  'half-close-reply': 2,
  WSASendDisconnect: 3,
  abortive: 4,
  'linger-timeout': 5,
  'close-unread': 6,
  'SD_RECEIVE-then-data': 7,
} as const;
export type TeardownKind = keyof typeof TEARDOWN_CODES;
export const HEADER_BYTES = 25;
export const UNREAD_BYTES = 1024;

/** What node:net can do of each teardown. */
export const NET_TEARDOWNS: TeardownKind[] = ['graceful', 'half-close-reply', 'abortive', 'close-unread'];

export const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();

export function frame(kind: TeardownKind, payload: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt32LE(payload.length, 0);
  h.writeUInt8(TEARDOWN_CODES[kind], 4);
  sha1(payload).copy(h, 5);
  return Buffer.concat([h, payload]);
}

export function parseHeader(h: Buffer): { length: number; kind: TeardownKind; sum: Buffer } | undefined {
  if (h.length < HEADER_BYTES) return undefined;
  const code = h.readUInt8(4);
  const kind = (Object.keys(TEARDOWN_CODES) as TeardownKind[]).find((k) => TEARDOWN_CODES[k] === code);
  return kind && { length: h.readUInt32LE(0), kind, sum: h.subarray(5, HEADER_BYTES) };
}

/** What the client itself saw: for half-close-reply, whether the server's digest matched. */
export interface ClientSide {
  kind: TeardownKind;
  bytesSent: number;
  replyIntact?: boolean;
  error?: string;
}

/** One node:net client connection ending in `kind`; never rejects, never hangs past `timeoutMs`. */
export function netClient(port: number, kind: TeardownKind, size: number, timeoutMs = 10_000): Promise<ClientSide> {
  const payload = randomBytes(size);
  const wire = frame(kind, payload);
  return new Promise((resolve) => {
    const out: ClientSide = { kind, bytesSent: wire.length };
    const sock = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => finish('client timeout'), timeoutMs);
    let done = false;
    function finish(error?: string) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) out.error = error;
      if (!sock.destroyed) sock.destroy();
      resolve(out);
    }
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // A reset is the expected end of abortive and close-unread for the *server*; the client only notes it.
      if (kind === 'abortive' || kind === 'close-unread') return finish();
      finish(e.code ?? e.message);
    });
    if (kind === 'close-unread') sock.pause(); // leave the server's bytes unread in the kernel
    sock.once('connect', () => {
      sock.write(wire, () => {
        if (kind === 'graceful') sock.end();
        else if (kind === 'half-close-reply') sock.end();
        else if (kind === 'abortive') {
          // RST now (SO_LINGER {1,0} underneath): what was not yet read is lost.
          sock.resetAndDestroy();
          finish();
        } else if (kind === 'close-unread') {
          // The server sends UNREAD_BYTES on the header; give them time to arrive, then close with them unread.
          setTimeout(() => {
            sock.destroy();
            finish();
          }, 30);
        } else finish(`node:net cannot do ${kind}`);
      });
    });
    if (kind === 'graceful' || kind === 'half-close-reply') {
      const parts: Buffer[] = [];
      sock.on('data', (d: Buffer) => parts.push(d));
      sock.once('end', () => {
        if (kind === 'half-close-reply') out.replyIntact = Buffer.concat(parts).equals(sha1(wire));
        finish();
      });
    }
  });
}
