// WSA error codes, their names and messages, and the per-thread last error.
// (The Linux errno -> WSA translation belongs to the POSIX backend:
// src/backends/posix-errno.ts; Linux's errno numbers to native-bindings/libc.ts.)
import { SOCKET_ERROR } from './constants.js';
import * as CODES from './wsa-codes.js';

// Messages follow Microsoft's "Windows Sockets Error Codes" page, shortened to
// one line. The numbers live once, in wsa-codes.ts (WSAE* is 10000 + the BSD errno).
const MESSAGES: { [K in WsaErrorName]: string } = {
  WSA_INVALID_HANDLE: 'Specified event object handle is invalid.',
  WSA_NOT_ENOUGH_MEMORY: 'Insufficient memory available.',
  WSA_INVALID_PARAMETER: 'One or more parameters are invalid.',
  WSA_OPERATION_ABORTED: 'Overlapped operation aborted.',
  WSA_IO_INCOMPLETE: 'Overlapped I/O event object not in signaled state.',
  WSA_IO_PENDING: 'Overlapped operations will complete later.',
  WSAEINTR: 'Interrupted function call.',
  WSAEBADF: 'File handle is not valid.',
  WSAEACCES: 'Permission denied.',
  WSAEFAULT: 'Bad address.',
  WSAEINVAL: 'Invalid argument.',
  WSAEMFILE: 'Too many open files.',
  WSAEWOULDBLOCK: 'Resource temporarily unavailable.',
  WSAEINPROGRESS: 'Operation now in progress.',
  WSAEALREADY: 'Operation already in progress.',
  WSAENOTSOCK: 'Socket operation on nonsocket.',
  WSAEDESTADDRREQ: 'Destination address required.',
  WSAEMSGSIZE: 'Message too long.',
  WSAEPROTOTYPE: 'Protocol wrong type for socket.',
  WSAENOPROTOOPT: 'Bad protocol option.',
  WSAEPROTONOSUPPORT: 'Protocol not supported.',
  WSAESOCKTNOSUPPORT: 'Socket type not supported.',
  WSAEOPNOTSUPP: 'Operation not supported.',
  WSAEPFNOSUPPORT: 'Protocol family not supported.',
  WSAEAFNOSUPPORT: 'Address family not supported by protocol family.',
  WSAEADDRINUSE: 'Address already in use.',
  WSAEADDRNOTAVAIL: 'Cannot assign requested address.',
  WSAENETDOWN: 'Network is down.',
  WSAENETUNREACH: 'Network is unreachable.',
  WSAENETRESET: 'Network dropped connection on reset.',
  WSAECONNABORTED: 'Software caused connection abort.',
  WSAECONNRESET: 'Connection reset by peer.',
  WSAENOBUFS: 'No buffer space available.',
  WSAEISCONN: 'Socket is already connected.',
  WSAENOTCONN: 'Socket is not connected.',
  WSAESHUTDOWN: 'Cannot send after socket shutdown.',
  WSAETOOMANYREFS: 'Too many references.',
  WSAETIMEDOUT: 'Connection timed out.',
  WSAECONNREFUSED: 'Connection refused.',
  WSAELOOP: 'Cannot translate name.',
  WSAENAMETOOLONG: 'Name too long.',
  WSAEHOSTDOWN: 'Host is down.',
  WSAEHOSTUNREACH: 'No route to host.',
  WSAENOTEMPTY: 'Directory not empty.',
  WSAEPROCLIM: 'Too many processes.',
  WSAEUSERS: 'User quota exceeded.',
  WSAEDQUOT: 'Disk quota exceeded.',
  WSAESTALE: 'Stale file handle reference.',
  WSAEREMOTE: 'Item is remote.',
  WSASYSNOTREADY: 'Network subsystem is unavailable.',
  WSAVERNOTSUPPORTED: 'Winsock.dll version out of range.',
  WSANOTINITIALISED: 'Successful WSAStartup not yet performed.',
  WSAEDISCON: 'Graceful shutdown in progress.',
  WSAENOMORE: 'No more results.',
  WSAECANCELLED: 'Call has been canceled.',
  WSAEINVALIDPROCTABLE: 'Procedure call table is invalid.',
  WSAEINVALIDPROVIDER: 'Service provider is invalid.',
  WSAEPROVIDERFAILEDINIT: 'Service provider failed to initialize.',
  WSASYSCALLFAILURE: 'System call failure.',
  WSASERVICE_NOT_FOUND: 'Service not found.',
  WSATYPE_NOT_FOUND: 'Class type not found.',
  WSA_E_NO_MORE: 'No more results.',
  WSA_E_CANCELLED: 'Call was canceled.',
  WSAEREFUSED: 'Database query was refused.',
  WSAHOST_NOT_FOUND: 'Host not found.',
  WSATRY_AGAIN: 'Nonauthoritative host not found.',
  WSANO_RECOVERY: 'This is a nonrecoverable error.',
  WSANO_DATA: 'Valid name, no data record of requested type.',
};

export type WsaErrorName = keyof typeof CODES;

/** Every WSA error code by name: `WSA.WSAENOTSOCK === 10038`. */
export const WSA = Object.freeze({ ...CODES });

const byCode = new Map<number, [WsaErrorName, string]>(
  (Object.keys(MESSAGES) as WsaErrorName[]).map((name) => [CODES[name], [name, MESSAGES[name]]]),
);

/** `wsaErrorName(10038) === 'WSAENOTSOCK'`; unknown codes give `'WSA error <n>'`. */
export function wsaErrorName(code: number): string {
  return code === 0 ? 'NO_ERROR' : (byCode.get(code)?.[0] ?? `WSA error ${code}`);
}

/** Microsoft's one-line description of a WSA code. */
export function wsaErrorMessage(code: number): string {
  return code === 0 ? 'The operation completed successfully.' : (byCode.get(code)?.[1] ?? 'Unknown error.');
}

/**
 * A failure of the promise API, shaped like Node's system errors: `code` is
 * the WSA name ('WSAECONNRESET'), `errno` the WSA number (10054), `syscall` the
 * Winsock call that failed ('recv'). The main entry and winsock-compat/promises
 * export this same class.
 */
export class WinsockError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  constructor(errno: number, syscall: string) {
    const code = wsaErrorName(errno);
    super(`${syscall} ${code} (${errno}): ${wsaErrorMessage(errno)}`);
    this.name = 'WinsockError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

// --- last error -------------------------------------------------------------
// One module instance per Node thread (each Worker loads its own), so a plain
// variable is per thread, exactly like WSAGetLastError's thread-local slot.
let lastError = 0;

export function WSAGetLastError(): number {
  return lastError;
}

export function WSASetLastError(code: number): void {
  if (typeof code !== 'number' || !Number.isInteger(code)) {
    throw new TypeError(`WSASetLastError: code must be an integer, got ${describe(code)}`);
  }
  lastError = code;
}

/** Record `code` as the thread's last error and return SOCKET_ERROR (-1). */
export function fail(code: number): number {
  lastError = code;
  return SOCKET_ERROR;
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : (v.constructor?.name ?? 'an object');
}
