// Shared by the linger scenarios: queue unsent data on a connection whose peer
// does not read, so a close has something to wait for.
import * as W from '../index.js';
import { delay, ok, type Lab } from './lab.js';

/** Small buffers on both ends so that a little unread data closes the window and fills the send queue. */
export const smallBuffers = {
  listener: (s: W.SOCKET) => void W.setsockopt(s, W.SOL_SOCKET, W.SO_RCVBUF, 4096),
  client: (s: W.SOCKET) => void W.setsockopt(s, W.SOL_SOCKET, W.SO_SNDBUF, 4096),
};

/** Send until WSAEWOULDBLOCK (nonblocking for the filling only); records `bytes queued`. */
export async function fill(x: Lab): Promise<number> {
  ok(W.ioctlsocket(x.client, W.FIONBIO, [1]), 'FIONBIO 1');
  const chunk = Buffer.alloc(16384, 0x61);
  let sent = 0;
  for (let i = 0; i < 10000; i++) {
    const rc = W.send(x.client, chunk);
    if (rc === W.SOCKET_ERROR) break;
    sent += rc;
    if (i % 16 === 15) await delay(1); // let the window close
  }
  x.figure('bytes queued', sent);
  return sent;
}
