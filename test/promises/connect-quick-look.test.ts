// Rule: P.connect reports how the handshake ended, also when it ended before
// the promise layer looked (loopback): a socket writable with neither POLLERR
// nor POLLHUP is connected (resolves without asking SO_ERROR); a handshake that
// failed shows POLLERR, and its SO_ERROR decides the rejection.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';
import { tcpListener, within } from './helpers.js';

useWinsock();

describe('P.connect when the handshake ended at once', () => {
  it('established: resolves, and the connection carries data both ways', async () => {
    const l = tcpListener();
    const c = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    await within(P.connect(c, l.addr));
    const s = ok(W.accept(l.s));
    expect(await within(P.send(c, Buffer.from('ping')))).toBe(4);
    const buf = Buffer.alloc(8);
    expect(await within(P.recv(s, buf))).toBe(4);
    expect(await within(P.send(s, Buffer.from('pong')))).toBe(4);
    expect(await within(P.recv(c, buf))).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('pong');
    // The connection is established: a second connect is WSAEISCONN.
    await expect(within(P.connect(c, l.addr))).rejects.toMatchObject({ code: 'WSAEISCONN' });
    for (const h of [c, s, l.s]) ok(W.closesocket(h));
  });

  it('refused: POLLERR at the look, so SO_ERROR is read and the promise rejects with WSAECONNREFUSED', async () => {
    const l = tcpListener();
    ok(W.closesocket(l.s));
    for (let i = 0; i < 5; i++) {
      const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
      await expect(within(P.connect(s, l.addr))).rejects.toMatchObject({ code: 'WSAECONNREFUSED', syscall: 'connect' });
      // Not connected: send says so.
      await expect(within(P.send(s, Buffer.from('x')))).rejects.toMatchObject({ code: 'WSAENOTCONN' });
      ok(W.closesocket(s));
    }
  });
});
