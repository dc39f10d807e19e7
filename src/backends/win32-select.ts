// select on Windows: ws2_32's own, which keeps Winsock's readiness rules. Only
// the layout is ours: each list becomes a native fd_set of the SOCKETs behind
// the records, and the sets ws2_32 rewrote are read back by SOCKET.
import { SOCKET_ERROR } from '../constants.js';
import { fail } from '../errors.js';
import { FD_SET_ARRAY_OFFSET, TIMEVAL_SIZE, WS } from '../../native-bindings/ws2_32-select.js';
import type { Win32Sock } from './win32.js';

function nativeSet(list: Win32Sock[]): Buffer | null {
  if (list.length === 0) return null;
  const b = Buffer.alloc(FD_SET_ARRAY_OFFSET + 8 * list.length);
  b.writeUInt32LE(list.length, 0);
  list.forEach((s, i) => b.writeBigUInt64LE(s.fd, FD_SET_ARRAY_OFFSET + 8 * i));
  return b;
}

export function select(sets: [Win32Sock[], Win32Sock[], Win32Sock[]], timeoutMs: number, ready: [boolean[], boolean[], boolean[]]): number {
  const bufs = sets.map(nativeSet);
  let tv: Buffer | null = null;
  if (timeoutMs >= 0) {
    tv = Buffer.alloc(TIMEVAL_SIZE);
    tv.writeInt32LE(Math.floor(timeoutMs / 1000), 0);
    tv.writeInt32LE((timeoutMs % 1000) * 1000, 4);
  }
  // The first argument is ignored by Winsock (kept for Berkeley compatibility).
  const rc = WS.select(0, bufs[0], bufs[1], bufs[2], tv);
  if (rc === SOCKET_ERROR) return fail(WS.WSAGetLastError());
  sets.forEach((list, k) => {
    const b = bufs[k];
    const left = new Set<bigint>();
    if (b) for (let i = 0, n = b.readUInt32LE(0); i < n; i++) left.add(b.readBigUInt64LE(FD_SET_ARRAY_OFFSET + 8 * i));
    list.forEach((s, i) => (ready[k]![i] = left.has(s.fd)));
  });
  return rc;
}
