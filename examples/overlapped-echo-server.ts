// An echo server written the Winsock way with overlapped I/O: each client has
// a WSAOVERLAPPED whose event sits in the array one thread waits on with
// WSAWaitForMultipleEvents; a completed WSARecv posts a WSASend of what it
// read, a completed WSASend posts the next WSARecv, and a WSARecv completing
// with 0 bytes is the client's FIN. The listener's FD_ACCEPT (WSAEventSelect)
// is event 0. It serves until `clients` connections have closed.
// Run: node --import tsx examples/overlapped-echo-server.ts [clients] [port]
// (it prints "listening on 127.0.0.1:PORT"; connect with any TCP client).
import * as W from 'winsock-compat';

const CLIENTS = Number(process.argv[2] ?? 5);
const DATA_BUFSIZE = 4096;

function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

interface SocketInfo {
  socket: W.SOCKET;
  overlapped: W.WSAOVERLAPPED;
  buffer: Buffer;
  dataBuf: W.WSABUF;
  sending: boolean;
}

if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
const listenSocket = check(W.WSASocket(W.AF_INET, W.SOCK_STREAM, 0, null, 0, W.WSA_FLAG_OVERLAPPED), 'WSASocket');
// The port: argv[3], or 0 (any free one).
check(W.bind(listenSocket, { family: W.AF_INET, address: '127.0.0.1', port: Number(process.argv[3] ?? 0) }), 'bind');
check(W.listen(listenSocket, W.SOMAXCONN), 'listen');
const local = {} as W.SockAddr;
check(W.getsockname(listenSocket, local), 'getsockname');
const EventArray: W.WSAEVENT[] = [W.WSACreateEvent()];
const Infos: Array<SocketInfo | null> = [null];
check(W.WSAEventSelect(listenSocket, EventArray[0]!, W.FD_ACCEPT), 'WSAEventSelect');
console.log(`listening on ${local.address}:${local.port}`);

let closed = 0;
let echoed = 0;
let aborted = 0;

/** Posts the next overlapped operation; false when it failed at once (the connection is over). */
function post(info: SocketInfo, n: number): boolean {
  const flags = [0];
  const rc = info.sending
    ? W.WSASend(info.socket, [{ len: n, buf: info.buffer }], 1, null, 0, info.overlapped, null)
    : W.WSARecv(info.socket, [info.dataBuf], 1, null, flags, info.overlapped, null);
  // 0: completed at once (its event is set anyway, handled on the next wait); WSA_IO_PENDING: later.
  return rc === 0 || W.WSAGetLastError() === W.WSA_IO_PENDING;
}

function drop(i: number): void {
  W.closesocket(Infos[i]!.socket);
  W.WSACloseEvent(EventArray[i]!);
  Infos.splice(i, 1);
  EventArray.splice(i, 1);
  closed++;
}

while (closed < CLIENTS) {
  const r = W.WSAWaitForMultipleEvents(EventArray.length, EventArray, false, W.WSA_INFINITE, false);
  if (r === W.WSA_WAIT_FAILED) throw new Error(`WSAWaitForMultipleEvents: ${W.wsaErrorName(W.WSAGetLastError())}`);
  const i = r - W.WSA_WAIT_EVENT_0;
  if (i === 0) {
    const ne: W.WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: [] };
    check(W.WSAEnumNetworkEvents(listenSocket, EventArray[0]!, ne), 'WSAEnumNetworkEvents');
    if (!(ne.lNetworkEvents & W.FD_ACCEPT)) continue;
    const s = W.accept(listenSocket);
    if (s === W.INVALID_SOCKET) continue;
    if (EventArray.length >= W.WSA_MAXIMUM_WAIT_EVENTS) {
      W.closesocket(s);
      continue;
    }
    const ev = W.WSACreateEvent();
    const buffer = Buffer.alloc(DATA_BUFSIZE);
    const info: SocketInfo = {
      socket: s,
      overlapped: W.newOverlapped(ev),
      buffer,
      dataBuf: { len: DATA_BUFSIZE, buf: buffer },
      sending: false,
    };
    EventArray.push(ev);
    Infos.push(info);
    if (!post(info, 0)) drop(EventArray.length - 1);
    continue;
  }
  const info = Infos[i]!;
  W.WSAResetEvent(EventArray[i]!);
  const transferred = [0];
  const flags = [0];
  if (!W.WSAGetOverlappedResult(info.socket, info.overlapped, transferred, false, flags)) {
    // The client reset the connection (WSAECONNRESET) or the operation was aborted.
    aborted++;
    drop(i);
    continue;
  }
  if (!info.sending && transferred[0] === 0) {
    drop(i); // the client's FIN
    continue;
  }
  if (info.sending) echoed += transferred[0]!;
  info.sending = !info.sending;
  if (!post(info, transferred[0]!)) drop(i);
}

W.closesocket(listenSocket);
console.log(`connections closed: ${closed} (failed ${aborted}), bytes echoed: ${echoed}`);
console.log(`open handles after: ${W.openHandles().length}`);
W.WSACleanup();
