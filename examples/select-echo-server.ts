// A select() echo server written the Winsock way, for docs/porting.md: the
// textbook loop over a master fd_set (listening socket plus clients), copied
// before each select because select rewrites the set it is given. Serves
// until `clients` connections have come and gone, then exits.
// Run: node --import tsx examples/select-echo-server.ts [clients]
import * as W from 'winsock-compat';

const wanted = Number(process.argv[2] ?? 3);

function fail(what: string): never {
  console.log(`${what} failed with error: ${W.WSAGetLastError()}`);
  W.WSACleanup();
  process.exit(1);
}

if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) fail('WSAStartup');

// Resolve the local address to bind to (AI_PASSIVE, loopback only here).
const result: W.addrinfo[] = [];
const rc = W.getaddrinfo(
  '127.0.0.1',
  '0',
  { ai_family: W.AF_INET, ai_socktype: W.SOCK_STREAM, ai_protocol: W.IPPROTO_TCP, ai_flags: W.AI_PASSIVE },
  result,
);
if (rc !== 0) fail(`getaddrinfo (${rc})`);
const ai = result[0]!;
const listenSocket = W.socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
if (listenSocket === W.INVALID_SOCKET) fail('socket');
if (W.bind(listenSocket, ai.ai_addr) === W.SOCKET_ERROR) fail('bind');
W.freeaddrinfo(ai);
if (W.listen(listenSocket, W.SOMAXCONN) === W.SOCKET_ERROR) fail('listen');
const local = {} as W.SockAddr;
W.getsockname(listenSocket, local);
console.log(`listening on port ${local.port}`);

const master = W.fd_set();
W.FD_ZERO(master);
W.FD_SET(listenSocket, master);
const buf = Buffer.alloc(4096);
let served = 0;
let echoed = 0;

while (served < wanted) {
  // C: `fd_set readfds = master;` copies the struct. In JavaScript that would
  // share it, and select would rewrite the master set: copy it.
  const readfds = structuredClone(master);
  const n = W.select(0, readfds, null, null, { tv_sec: 10, tv_usec: 0 });
  if (n === W.SOCKET_ERROR) fail('select');
  if (n === 0) {
    console.log('timed out waiting for clients');
    break;
  }
  for (let i = 0; i < readfds.fd_count; i++) {
    const s = readfds.fd_array[i]!;
    if (s === listenSocket) {
      const peer = {} as W.SockAddr;
      const client = W.accept(listenSocket, peer);
      if (client === W.INVALID_SOCKET) fail('accept');
      W.FD_SET(client, master);
      console.log(`accepted ${peer.address}:${peer.port}`);
      continue;
    }
    const got = W.recv(s, buf, buf.length, 0);
    if (got > 0) {
      let off = 0;
      while (off < got) {
        const sent = W.send(s, buf.subarray(off, got));
        if (sent === W.SOCKET_ERROR) fail('send');
        off += sent;
      }
      echoed += got;
      continue;
    }
    // 0: the client's FIN; SOCKET_ERROR: a reset. Either way the client is done.
    console.log(got === 0 ? 'client closed' : `client failed: ${W.wsaErrorName(W.WSAGetLastError())}`);
    W.closesocket(s);
    W.FD_CLR(s, master);
    served++;
  }
}

console.log(`served ${served} clients, echoed ${echoed} bytes`);
W.closesocket(listenSocket);
W.WSACleanup();
