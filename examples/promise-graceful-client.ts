// Microsoft's graceful shutdown sequence from a client on the promise API,
// against a node:net server running in the same process:
//   send the request; shutdown(SD_SEND) (our FIN); recv until 0 (the server's
//   answer, then its FIN); closesocket. gracefulClose() is the same sequence
//   with a timeout that turns into an abortive close.
// Run: node --import tsx examples/promise-graceful-client.ts
import net from 'node:net';
import { once } from 'node:events';
import * as W from 'winsock-compat';
import * as P from 'winsock-compat/promises';

// The server answers once the client's FIN says the request is complete.
const srv = net.createServer((c) => {
  let request = '';
  c.on('data', (d) => (request += d));
  c.on('end', () => c.end(`you said ${JSON.stringify(request)}`));
});
srv.listen(0, '127.0.0.1');
await once(srv, 'listening');
const port = (srv.address() as net.AddressInfo).port;

W.WSAStartup(W.MAKEWORD(2, 2));
const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
await P.connect(s, { family: W.AF_INET, address: '127.0.0.1', port });
console.log('connect -> resolved');
console.log('send ->', await P.send(s, Buffer.from('the whole request')));
console.log('shutdown(SD_SEND) ->', W.shutdown(s, W.SD_SEND));
try {
  await P.send(s, Buffer.from('x'));
} catch (e) {
  console.log('send after SD_SEND -> rejects', (e as W.WinsockError).code);
}
const buf = Buffer.alloc(1024);
let answer = '';
for (let n; (n = await P.recv(s, buf)) > 0;) answer += buf.toString('utf8', 0, n);
console.log('recv until 0 ->', JSON.stringify(answer), 'then 0 (the server FIN)');
await P.closesocket(s);
console.log('closesocket -> resolved; this side closed first and holds TIME_WAIT');

// The same with gracefulClose, on a second connection.
const s2 = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
await P.connect(s2, { family: W.AF_INET, address: '127.0.0.1', port });
await P.send(s2, Buffer.from('again'));
console.log('gracefulClose ->', JSON.stringify(await P.gracefulClose(s2, { timeoutMs: 2000 })));
srv.close();
W.WSACleanup();
