// A stand-in for the load test's promise-API server, on Node's loop with the
// flat API: nonblocking sockets, WSAPoll with a zero timeout, and a pause of
// 1 ms when nothing is ready. It records what it observed on each connection
// (outcomes.ts ServerSide). The promise-API server will replace it.
import * as W from '../../../src/index.js';
import type { SockAddr, SOCKET } from '../../../src/index.js';
import { HEADER_BYTES, parseHeader, sha1, UNREAD_BYTES } from './net-client.js';
import type { ServerSide } from './outcomes.js';

interface Conn {
  parts: Buffer[];
  got: number;
  header?: ReturnType<typeof parseHeader>;
  sentUnread: boolean;
}

export class PumpServer {
  readonly listener: SOCKET;
  readonly addr = {} as SockAddr;
  readonly results: ServerSide[] = [];
  private readonly conns = new Map<SOCKET, Conn>();
  private readonly scratch = Buffer.alloc(1 << 16);

  constructor() {
    this.listener = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    const ok = (rc: number, what: string) => {
      if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
    };
    ok(this.listener, 'socket');
    ok(W.bind(this.listener, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
    ok(W.listen(this.listener, W.SOMAXCONN), 'listen');
    ok(W.ioctlsocket(this.listener, W.FIONBIO, [1]), 'FIONBIO'); // accepted sockets inherit it
    ok(W.getsockname(this.listener, this.addr), 'getsockname');
  }

  /** Serve until `count` connections ended or `timeoutMs` passed. */
  async serve(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length < count) {
      if (Date.now() > deadline)
        throw new Error(`pump server: ${this.results.length} of ${count} connections ended within ${timeoutMs} ms`);
      const fds = [this.listener, ...this.conns.keys()].map((fd) => ({ fd, events: W.POLLRDNORM, revents: 0 }));
      if (W.WSAPoll(fds, 0) <= 0) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      for (const f of fds) if (f.revents) f.fd === this.listener ? this.acceptAll() : this.read(f.fd);
      await new Promise((r) => setImmediate(r));
    }
  }

  private acceptAll(): void {
    for (;;) {
      const s = W.accept(this.listener);
      if (s === W.INVALID_SOCKET) return;
      this.conns.set(s, { parts: [], got: 0, sentUnread: false });
    }
  }

  private read(s: SOCKET): void {
    const c = this.conns.get(s)!;
    for (;;) {
      const n = W.recv(s, this.scratch);
      if (n > 0) {
        c.parts.push(Buffer.from(this.scratch.subarray(0, n)));
        c.got += n;
        c.header ??= c.got >= HEADER_BYTES ? parseHeader(Buffer.concat(c.parts)) : undefined;
        if (c.header?.kind === 'close-unread' && !c.sentUnread) {
          c.sentUnread = true;
          W.send(s, Buffer.alloc(UNREAD_BYTES, 0x75));
        }
        continue;
      }
      if (n === W.SOCKET_ERROR && W.WSAGetLastError() === W.WSA.WSAEWOULDBLOCK) return;
      const all = Buffer.concat(c.parts);
      const h = c.header ?? parseHeader(all);
      const payload = all.subarray(HEADER_BYTES);
      const end = n === 0 ? 'EOF' : W.wsaErrorName(W.WSAGetLastError());
      if (h?.kind === 'half-close-reply' && n === 0) W.send(s, sha1(all));
      this.results.push({
        kind: h?.kind ?? 'graceful',
        bytesReceived: c.got,
        intact: !!h && payload.length === h.length && sha1(payload).equals(h.sum),
        end,
      });
      W.closesocket(s);
      this.conns.delete(s);
      return;
    }
  }

  close(): void {
    for (const s of this.conns.keys()) W.closesocket(s);
    W.closesocket(this.listener);
  }
}
