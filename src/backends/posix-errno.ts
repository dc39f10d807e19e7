// The one table that turns a Linux errno into the WSA code a Windows program
// sees for the same condition. It belongs to the POSIX backend (Windows has no
// errno to translate); the WSA codes themselves live in src/errors.ts and
// Linux's numbers in native-bindings/libc.ts. Call-specific meanings
// (EINPROGRESS from connect is WSAEWOULDBLOCK, EPIPE depends on who shut down,
// EADDRINUSE may be WSAEACCES) are decided by the caller before it falls back here.
import { E } from '../../native-bindings/libc.js';
import { WSA } from '../errors.js';

const ERRNO_TO_WSA = new Map<number, number>([
  [E.EPERM, WSA.WSAEACCES],
  [E.EINTR, WSA.WSAEINTR],
  // Only our own fds reach libc, so a bad one is "not a socket".
  [E.EBADF, WSA.WSAENOTSOCK],
  [E.EAGAIN, WSA.WSAEWOULDBLOCK],
  [E.ENOMEM, WSA.WSAENOBUFS],
  [E.EACCES, WSA.WSAEACCES],
  [E.EFAULT, WSA.WSAEFAULT],
  [E.EINVAL, WSA.WSAEINVAL],
  [E.ENFILE, WSA.WSAEMFILE],
  [E.EMFILE, WSA.WSAEMFILE],
  // Callers refine EPIPE: a reset, or our own shutdown.
  [E.EPIPE, WSA.WSAESHUTDOWN],
  [E.ENAMETOOLONG, WSA.WSAENAMETOOLONG],
  [E.ELOOP, WSA.WSAELOOP],
  [E.ENOTSOCK, WSA.WSAENOTSOCK],
  [E.EDESTADDRREQ, WSA.WSAEDESTADDRREQ],
  [E.EMSGSIZE, WSA.WSAEMSGSIZE],
  [E.EPROTOTYPE, WSA.WSAEPROTOTYPE],
  [E.ENOPROTOOPT, WSA.WSAENOPROTOOPT],
  [E.EPROTONOSUPPORT, WSA.WSAEPROTONOSUPPORT],
  [E.ESOCKTNOSUPPORT, WSA.WSAESOCKTNOSUPPORT],
  [E.EOPNOTSUPP, WSA.WSAEOPNOTSUPP],
  [E.EPFNOSUPPORT, WSA.WSAEPFNOSUPPORT],
  [E.EAFNOSUPPORT, WSA.WSAEAFNOSUPPORT],
  [E.EADDRINUSE, WSA.WSAEADDRINUSE],
  [E.EADDRNOTAVAIL, WSA.WSAEADDRNOTAVAIL],
  [E.ENETDOWN, WSA.WSAENETDOWN],
  [E.ENETUNREACH, WSA.WSAENETUNREACH],
  [E.ENETRESET, WSA.WSAENETRESET],
  [E.ECONNABORTED, WSA.WSAECONNABORTED],
  [E.ECONNRESET, WSA.WSAECONNRESET],
  [E.ENOBUFS, WSA.WSAENOBUFS],
  [E.EISCONN, WSA.WSAEISCONN],
  [E.ENOTCONN, WSA.WSAENOTCONN],
  [E.ESHUTDOWN, WSA.WSAESHUTDOWN],
  [E.ETOOMANYREFS, WSA.WSAETOOMANYREFS],
  [E.ETIMEDOUT, WSA.WSAETIMEDOUT],
  [E.ECONNREFUSED, WSA.WSAECONNREFUSED],
  [E.EHOSTDOWN, WSA.WSAEHOSTDOWN],
  [E.EHOSTUNREACH, WSA.WSAEHOSTUNREACH],
  [E.EALREADY, WSA.WSAEALREADY],
  [E.EINPROGRESS, WSA.WSAEINPROGRESS],
]);

/** The WSA code for a Linux errno; anything unmapped is WSASYSCALLFAILURE. */
export function wsaFromErrno(errno: number): number {
  return ERRNO_TO_WSA.get(errno) ?? WSA.WSASYSCALLFAILURE;
}
