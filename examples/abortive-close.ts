// An abortive close: linger {1,0} makes closesocket send a RST at once,
// drop unsent data and skip TIME_WAIT. The peer's next recv fails with
// WSAECONNRESET — on Linux exactly as on Windows.
// Run: node --import tsx examples/abortive-close.ts
import * as W from 'winsock-compat';

function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

W.WSAStartup(W.MAKEWORD(2, 2));
const listener = check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
check(W.bind(listener, { family: W.AF_INET, address: '127.0.0.1', port: 0 }), 'bind');
check(W.listen(listener, W.SOMAXCONN), 'listen');
const addr = {} as W.SockAddr;
check(W.getsockname(listener, addr), 'getsockname');
const client = check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
check(W.connect(client, addr), 'connect');
const server = check(W.accept(listener), 'accept');

check(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }), 'setsockopt');
console.log('closesocket(client) with linger {1,0} ->', W.closesocket(client));

// The server waits until the reset arrives, then reads it.
const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
W.WSAPoll(fds, 5000);
const rc = W.recv(server, Buffer.alloc(16));
console.log('server recv ->', rc, W.wsaErrorName(W.WSAGetLastError()));
console.log('server recv again ->', W.recv(server, Buffer.alloc(16)), W.wsaErrorName(W.WSAGetLastError()));

W.closesocket(server);
W.closesocket(listener);
W.WSACleanup();
