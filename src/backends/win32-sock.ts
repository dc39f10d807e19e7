// The win32 backend's record of a socket: a view over the socket's slot in the
// process-wide handle table (src/shared-table.ts). ws2_32's SOCKET is already
// the process's; what the slot adds is the program's FIONBIO mode, which the
// library must remember itself (see nonblocking), so every thread sees one.
// Only the readiness watch is this thread's own: it lives on this thread's loop.
import type { NativeSocket } from '../../native-bindings/ws2_32.js';
import { BACKEND_END, BACKEND_WORDS, SlotView, words } from '../shared-table.js';
import type { Watch } from './watch.js';

const FD_LOW = BACKEND_WORDS;
const FD_HIGH = FD_LOW + 1;
const FLAGS = FD_LOW + 2;
const END = FD_LOW + 3;
const NONBLOCKING = 1;

if (END > BACKEND_END) throw new Error('win32-sock: the record outgrew its slot');

export class Win32Sock extends SlotView {
  /** This thread's readiness watch on the SOCKET (watch.ts), made on first need. */
  watch: Watch | null = null;

  /** ws2_32's SOCKET, exact (a UINT_PTR: two words). api.ts's nativeFd() reads `fd`. */
  get fd(): NativeSocket {
    // INVALID_SOCKET once the slot holds another socket: ws2_32 then answers WSAENOTSOCK.
    if (!this.own()) return 0xffffffffffffffffn;
    return (BigInt(words[this.base + FD_HIGH]! >>> 0) << 32n) | BigInt(words[this.base + FD_LOW]! >>> 0);
  }
  set fd(v: NativeSocket) {
    if (!this.own()) return;
    words[this.base + FD_LOW] = Number(v & 0xffffffffn) | 0;
    words[this.base + FD_HIGH] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  /**
   * The program's FIONBIO mode. The SOCKET keeps it natively, except that
   * libuv's uv_poll_init_socket switches a watched SOCKET to nonblocking (the
   * watch puts the program's mode back) and a promise attempt on a blocking
   * socket runs with FIONBIO 1 for the one call.
   */
  get nonblocking(): boolean {
    return (words[this.base + FLAGS]! & NONBLOCKING) !== 0;
  }
  set nonblocking(v: boolean) {
    if (this.own()) words[this.base + FLAGS] = v ? NONBLOCKING : 0;
  }
  /** AcceptEx / DisconnectEx(TF_REUSE_SOCKET): this handle takes `from`'s SOCKET and mode. */
  takeState(from: Win32Sock): void {
    if (this.own()) words.copyWithin(this.base + FD_LOW, from.base + FD_LOW, from.base + END);
  }
}
