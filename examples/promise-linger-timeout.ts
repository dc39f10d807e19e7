// A linger-timeout close on the promise API: linger {1,1} on a blocking
// socket whose peer never reads. closesocket waits up to 1 s for the unsent
// data to be acknowledged (without blocking the loop: a timer keeps
// ticking), then resets. The peer then reads what did arrive and sees the
// reset: WSAECONNRESET.
// Run: node --import tsx examples/promise-linger-timeout.ts
import * as W from 'winsock-compat';
import * as P from 'winsock-compat/promises';

W.WSAStartup(W.MAKEWORD(2, 2));
const listener = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
W.bind(listener, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
W.listen(listener, W.SOMAXCONN);
const addr = {} as W.SockAddr;
W.getsockname(listener, addr);
const client = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
const [server] = await Promise.all([P.accept(listener), P.connect(client, addr)]);

// Small buffers, and a peer that does not read: the data cannot all be delivered.
W.setsockopt(server, W.SOL_SOCKET, W.SO_RCVBUF, 4096);
W.setsockopt(client, W.SOL_SOCKET, W.SO_SNDBUF, 4096);
W.ioctlsocket(client, W.FIONBIO, [1]);
let queued = 0;
for (let n; (n = W.send(client, Buffer.alloc(16384, 0x61))) > 0;) queued += n;
W.ioctlsocket(client, W.FIONBIO, [0]); // blocking again: the blocking column of the linger table
console.log('queued', queued > 0 ? 'some data' : 'nothing', 'the peer is not reading');

W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 1 });
let ticks = 0;
const timer = setInterval(() => ticks++, 10);
const t0 = Date.now();
await P.closesocket(client);
clearInterval(timer);
const waited = Date.now() - t0;
console.log(`closesocket(client) with linger {1,1} -> resolved after ${waited >= 950 ? 'about 1 s' : `${waited} ms`}`);
console.log(`the event loop kept running meanwhile: ${ticks > 20 ? 'yes' : `no (${ticks} ticks)`}`);

// The peer's view: the bytes that made it, then the reset.
let received = 0;
let end = '';
const buf = Buffer.alloc(65536);
for (;;) {
  try {
    const n = await P.recv(server, buf);
    if (n === 0) {
      end = 'recv 0 (a FIN: not expected)';
      break;
    }
    received += n;
  } catch (e) {
    end = `recv rejects ${(e as W.WinsockError).code}`;
    break;
  }
}
console.log(`peer: read ${received > 0 ? 'part of the data' : 'nothing'}, then ${end}`);
await P.closesocket(server);
W.closesocket(listener);
W.WSACleanup();
