// A Winsock client, ported line by line from the shape of Microsoft's
// "Complete Winsock Client Code" sample: resolve with getaddrinfo, try each
// address until connect succeeds, send, shut down the sending side, receive
// until the server closes, clean up. Written for docs/porting.md.
// Run: node --import tsx examples/getaddrinfo-client.ts <host> <port> [message]
import * as W from 'winsock-compat';

const [host = 'localhost', port = '27015', message = 'this is a test'] = process.argv.slice(2);

let rc = W.WSAStartup(W.MAKEWORD(2, 2));
if (rc !== 0) {
  console.log(`WSAStartup failed with error: ${rc}`);
  process.exit(1);
}

// ZeroMemory(&hints, sizeof(hints)) and the three fields the sample sets.
const hints: W.AddrInfoHints = { ai_family: W.AF_UNSPEC, ai_socktype: W.SOCK_STREAM, ai_protocol: W.IPPROTO_TCP };
const result: W.addrinfo[] = [];
rc = W.getaddrinfo(host, port, hints, result);
if (rc !== 0) {
  console.log(`getaddrinfo failed with error: ${rc} (${W.wsaErrorName(rc)})`);
  W.WSACleanup();
  process.exit(1);
}

// Attempt to connect to an address until one succeeds.
let connectSocket: W.SOCKET = W.INVALID_SOCKET;
for (let ptr: W.addrinfo | null = result[0]!; ptr !== null; ptr = ptr.ai_next) {
  connectSocket = W.socket(ptr.ai_family, ptr.ai_socktype, ptr.ai_protocol);
  if (connectSocket === W.INVALID_SOCKET) {
    console.log(`socket failed with error: ${W.WSAGetLastError()}`);
    W.WSACleanup();
    process.exit(1);
  }
  if (W.connect(connectSocket, ptr.ai_addr) === W.SOCKET_ERROR) {
    W.closesocket(connectSocket);
    connectSocket = W.INVALID_SOCKET;
    continue;
  }
  console.log(`connected to ${ptr.ai_addr.address} port ${ptr.ai_addr.port}`);
  break;
}
W.freeaddrinfo(result[0]);

if (connectSocket === W.INVALID_SOCKET) {
  console.log('Unable to connect to server!');
  W.WSACleanup();
  process.exit(1);
}

// Send an initial buffer.
rc = W.send(connectSocket, Buffer.from(message));
if (rc === W.SOCKET_ERROR) {
  console.log(`send failed with error: ${W.WSAGetLastError()}`);
  W.closesocket(connectSocket);
  W.WSACleanup();
  process.exit(1);
}
console.log(`Bytes Sent: ${rc}`);

// No more data to send: the server sees our FIN.
if (W.shutdown(connectSocket, W.SD_SEND) === W.SOCKET_ERROR) {
  console.log(`shutdown failed with error: ${W.WSAGetLastError()}`);
  W.closesocket(connectSocket);
  W.WSACleanup();
  process.exit(1);
}

// Receive until the peer closes the connection.
const recvbuf = Buffer.alloc(512);
let received = '';
do {
  rc = W.recv(connectSocket, recvbuf, recvbuf.length, 0);
  if (rc > 0) {
    console.log(`Bytes received: ${rc}`);
    received += recvbuf.toString('utf8', 0, rc);
  } else if (rc === 0) console.log('Connection closed');
  else console.log(`recv failed with error: ${W.WSAGetLastError()}`);
} while (rc > 0);
console.log(`Echo: ${JSON.stringify(received)}`);

W.closesocket(connectSocket);
W.WSACleanup();
