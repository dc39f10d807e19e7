// winsock-compat: Winsock's socket API and semantics for Node.js on every platform.
export * from './constants.js';
export * from './api.js';
export * from './wsa-codes.js';
export { WSA, WinsockError, wsaErrorName, wsaErrorMessage, type WsaErrorName } from './errors.js';
// Event objects and network events (src/events.ts), overlapped I/O (src/overlapped.ts).
export {
  WSACreateEvent,
  WSACloseEvent,
  WSASetEvent,
  WSAResetEvent,
  WSAWaitForMultipleEvents,
  WSAEventSelect,
  WSAEnumNetworkEvents,
  WSA_INVALID_EVENT,
  WSA_MAXIMUM_WAIT_EVENTS,
  WSA_INFINITE,
  WSA_WAIT_EVENT_0,
  WSA_WAIT_IO_COMPLETION,
  WSA_WAIT_TIMEOUT,
  WSA_WAIT_FAILED,
  FD_READ_BIT,
  FD_WRITE_BIT,
  FD_OOB_BIT,
  FD_ACCEPT_BIT,
  FD_CONNECT_BIT,
  FD_CLOSE_BIT,
  FD_MAX_EVENTS,
  FD_READ,
  FD_WRITE,
  FD_OOB,
  FD_ACCEPT,
  FD_CONNECT,
  FD_CLOSE,
  type WSAEVENT,
  type WSANETWORKEVENTS,
} from './events.js';
export {
  WSASocket,
  WSASend,
  WSASendTo,
  WSARecv,
  WSARecvFrom,
  WSAGetOverlappedResult,
  HasOverlappedIoCompleted,
  newOverlapped,
  WSA_FLAG_OVERLAPPED,
  WSA_FLAG_NO_HANDLE_INHERIT,
  STATUS_PENDING,
  type WSABUF,
  type WSAOVERLAPPED,
  type LPWSAOVERLAPPED_COMPLETION_ROUTINE,
} from './overlapped.js';
