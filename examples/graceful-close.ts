// A graceful close, Winsock style: send, shutdown(SD_SEND) so the peer gets
// a FIN after the data, drain recv to 0 (the peer's FIN), then closesocket.
// Run: node --import tsx examples/graceful-close.ts
import * as W from 'winsock-compat';

function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

check(W.WSAStartup(W.MAKEWORD(2, 2)) === 0 ? 0 : -1, 'WSAStartup');

// A listener and a client on loopback.
const listener = check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
check(W.bind(listener, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
check(W.listen(listener, W.SOMAXCONN), 'listen');
const addr = {} as W.SockAddr;
check(W.getsockname(listener, addr), 'getsockname');
const client = check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
check(W.connect(client, addr), 'connect');
const server = check(W.accept(listener), 'accept');

// Client: send, then say "no more data" with a FIN.
check(W.send(client, Buffer.from('request')), 'send');
check(W.shutdown(client, W.SD_SEND), 'shutdown');
console.log('send after SD_SEND ->', W.send(client, Buffer.from('x')), W.wsaErrorName(W.WSAGetLastError()));

// Server: read until recv returns 0 (the client's FIN), answer, close.
const buf = Buffer.alloc(1024);
let request = '';
for (let n; (n = check(W.recv(server, buf), 'recv')) > 0;) request += buf.toString('utf8', 0, n);
console.log('server read:', JSON.stringify(request), 'then recv = 0 (EOF)');
check(W.send(server, Buffer.from('response')), 'send');
check(W.closesocket(server), 'closesocket');

// Client: drain to 0, then close. The client closed first, so it holds TIME_WAIT.
let response = '';
for (let n; (n = check(W.recv(client, buf), 'recv')) > 0;) response += buf.toString('utf8', 0, n);
console.log('client read:', JSON.stringify(response), 'then recv = 0 (EOF)');
console.log('closesocket(client) ->', W.closesocket(client));
console.log('closesocket(client) again ->', W.closesocket(client), W.wsaErrorName(W.WSAGetLastError()));

W.closesocket(listener);
W.WSACleanup();
