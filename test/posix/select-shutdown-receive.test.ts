// Contract: data arriving after SD_RECEIVE resets the connection (DESIGN.md,
// "data queued or arriving after SD_RECEIVE"). select must keep the rule like
// every other call: data already queued when select starts, and data arriving
// while the thread is blocked in select, both reset the connection (the peer
// sees ECONNRESET), without waiting for the next call on the socket.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { listener, observe, ok, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

describe('select and SD_RECEIVE', () => {
  it('data queued before select resets the connection', () => {
    const { client, server, listener: l } = tcpPair();
    ok(W.shutdown(server, W.SD_RECEIVE));
    expect(W.send(client, Buffer.from('too late'))).toBe(8);
    const fds = [{ fd: client, events: W.POLLWRNORM, revents: 0 }];
    W.WSAPoll(fds, 100); // let loopback deliver
    const w = W.fd_set();
    W.FD_SET(server, w);
    expect(W.select(0, null, w, null, { tv_sec: 0, tv_usec: 0 })).toBeGreaterThanOrEqual(0);
    expect(observe(client)).toEqual({ error: 'WSAECONNRESET' });
    [client, server, l].forEach((s) => ok(W.closesocket(s)));
  });

  it('data arriving while this thread is blocked in select resets the connection', async () => {
    const l = listener();
    // A separate process connects, sends 300 ms later, and reports what it sees.
    const peer = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('node:net').connect(${l.addr.port}, '127.0.0.1', () => setTimeout(() => s.write('late'), 300));
         s.on('error', (e) => { console.log(e.code); process.exit(0); });
         s.on('close', () => { console.log('close'); process.exit(0); });
         setTimeout(() => { console.log('timeout'); process.exit(0); }, 5000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    peer.stdout.on('data', (d) => (out += d));
    const exited = new Promise((r) => peer.on('exit', r));
    // Blocking accept and select: the peer runs in its own process meanwhile.
    const server = ok(W.accept(l.s));
    ok(W.shutdown(server, W.SD_RECEIVE));
    const r = W.fd_set();
    W.FD_SET(server, r);
    const t = performance.now();
    const rc = W.select(0, r, null, null, { tv_sec: 3, tv_usec: 0 });
    const waited = performance.now() - t;
    expect(rc).toBe(1); // the reset connection is readable
    expect(waited).toBeLessThan(2500);
    await exited;
    expect(out.trim()).toBe('ECONNRESET');
    [server, l.s].forEach((s) => ok(W.closesocket(s)));
  });
});
