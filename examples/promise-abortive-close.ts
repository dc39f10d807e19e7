// An abortive close on the promise API: linger {1,0}, then closesocket. The
// RST goes out at once, unsent data is dropped, no TIME_WAIT; the peer's
// pending recv is rejected with WSAECONNRESET, and so is every later call.
// Run: node --import tsx examples/promise-abortive-close.ts
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

// The peer waits for data that will never come.
const peer = P.recv(server, Buffer.alloc(64)).then(
  (n) => `resolved ${n}`,
  (e: W.WinsockError) => `rejects ${e.code} (${e.errno}) from ${e.syscall}`,
);
W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
await P.closesocket(client);
console.log('closesocket(client) with linger {1,0} -> resolved');
console.log('peer: pending recv', await peer);
const again = await P.send(server, Buffer.from('x')).catch((e: W.WinsockError) => e.code);
console.log('peer: send afterwards rejects', again);
await P.closesocket(server);
W.closesocket(listener);
W.WSACleanup();
