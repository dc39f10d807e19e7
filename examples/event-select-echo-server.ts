// An echo server written the Winsock way with WSAEventSelect: one event object
// per socket (the listener's first), one thread blocked in
// WSAWaitForMultipleEvents, WSAEnumNetworkEvents to learn what happened, and
// FD_CLOSE's error code to tell a client's graceful close from a reset. It
// serves until `clients` connections have closed, then prints a summary.
// Run: node --import tsx examples/event-select-echo-server.ts [clients] [port]
// (it prints "listening on 127.0.0.1:PORT"; connect with any TCP client).
import * as W from 'winsock-compat';

const CLIENTS = Number(process.argv[2] ?? 5);

function check(rc: number, what: string): number {
  if (rc === W.SOCKET_ERROR) throw new Error(`${what}: ${W.wsaErrorName(W.WSAGetLastError())}`);
  return rc;
}

if (W.WSAStartup(W.MAKEWORD(2, 2)) !== 0) throw new Error('WSAStartup failed');
const listenSocket = check(W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP), 'socket');
// The port: argv[3], or 0 (any free one).
check(W.bind(listenSocket, { family: W.AF_INET, address: '127.0.0.1', port: Number(process.argv[3] ?? 0) }), 'bind');
check(W.listen(listenSocket, W.SOMAXCONN), 'listen');
const local = {} as W.SockAddr;
check(W.getsockname(listenSocket, local), 'getsockname');

// The arrays of the classic sample: SocketArray[i] goes with EventArray[i].
const SocketArray: W.SOCKET[] = [listenSocket];
const EventArray: W.WSAEVENT[] = [W.WSACreateEvent()];
check(W.WSAEventSelect(listenSocket, EventArray[0]!, W.FD_ACCEPT | W.FD_CLOSE), 'WSAEventSelect');
// Bytes received but not yet echoed (a send that would block waits for FD_WRITE).
const unsent = new Map<W.SOCKET, Buffer>();
console.log(`listening on ${local.address}:${local.port}`);

let closed = 0;
let graceful = 0;
let resets = 0;
let echoed = 0;
const buf = Buffer.alloc(4096);

function flush(s: W.SOCKET): void {
  const data = unsent.get(s);
  if (!data) return;
  const n = W.send(s, data, data.length, 0);
  if (n === W.SOCKET_ERROR) {
    if (W.WSAGetLastError() !== W.WSAEWOULDBLOCK) unsent.delete(s);
    return; // FD_WRITE comes once there is room again
  }
  echoed += n;
  if (n === data.length) unsent.delete(s);
  else unsent.set(s, data.subarray(n));
}

function echo(s: W.SOCKET): void {
  for (;;) {
    const n = W.recv(s, buf, buf.length, 0);
    if (n <= 0) return; // 0: the FIN (FD_CLOSE follows); SOCKET_ERROR: WSAEWOULDBLOCK or the reset
    unsent.set(s, Buffer.concat([unsent.get(s) ?? Buffer.alloc(0), buf.subarray(0, n)]));
    flush(s);
  }
}

function drop(i: number): void {
  W.closesocket(SocketArray[i]!);
  W.WSACloseEvent(EventArray[i]!);
  unsent.delete(SocketArray[i]!);
  SocketArray.splice(i, 1);
  EventArray.splice(i, 1);
}

while (closed < CLIENTS) {
  const r = W.WSAWaitForMultipleEvents(EventArray.length, EventArray, false, W.WSA_INFINITE, false);
  if (r === W.WSA_WAIT_FAILED) throw new Error(`WSAWaitForMultipleEvents: ${W.wsaErrorName(W.WSAGetLastError())}`);
  // Service every signalled event from the first one on (the classic sample's loop).
  for (let i = r - W.WSA_WAIT_EVENT_0; i < EventArray.length; i++) {
    if (W.WSAWaitForMultipleEvents(1, [EventArray[i]!], true, 0, false) !== W.WSA_WAIT_EVENT_0) continue;
    const ne: W.WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: [] };
    check(W.WSAEnumNetworkEvents(SocketArray[i]!, EventArray[i]!, ne), 'WSAEnumNetworkEvents');
    const s = SocketArray[i]!;
    if (ne.lNetworkEvents & W.FD_ACCEPT) {
      const c = W.accept(listenSocket);
      if (c === W.INVALID_SOCKET) continue;
      if (SocketArray.length >= W.WSA_MAXIMUM_WAIT_EVENTS) {
        W.closesocket(c);
        continue;
      }
      const e = W.WSACreateEvent();
      // The accepted socket inherited the listener's association; this one replaces it.
      check(W.WSAEventSelect(c, e, W.FD_READ | W.FD_WRITE | W.FD_CLOSE), 'WSAEventSelect');
      SocketArray.push(c);
      EventArray.push(e);
    }
    if (ne.lNetworkEvents & W.FD_READ) echo(s);
    if (ne.lNetworkEvents & W.FD_WRITE) flush(s);
    if (ne.lNetworkEvents & W.FD_CLOSE) {
      const code = ne.iErrorCode[W.FD_CLOSE_BIT]!;
      if (code === 0) {
        echo(s); // what arrived before the FIN
        graceful++;
      } else resets++;
      console.log(`FD_CLOSE on socket ${s}: ${code === 0 ? '0 (graceful)' : W.wsaErrorName(code)}`);
      drop(i--);
      closed++;
    }
  }
}

drop(0); // the listener
console.log(`connections closed: ${closed} (graceful ${graceful}, reset ${resets}), bytes echoed: ${echoed}`);
console.log(`open handles after: ${W.openHandles().length}`);
W.WSACleanup();
