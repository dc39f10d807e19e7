// Rule: the promise API's teardowns put the same packets on the wire as the
// flat ones. gracefulClose: our FIN, the peer's FIN, no RST, TIME_WAIT on our
// side; an abortive close (linger {1,0}): one RST, no FIN; closesocket with
// linger {1,1} whose data cannot drain: the RST about 1 s later, the loop
// running meanwhile. Checked on a loopback capture.
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr } from '../../src/index.js';
import * as P from '../../src/promises.js';
import { captureAvailability, connectionState, startCapture, track, wireGate } from '../../src/harness/index.js';
import '../../src/vitest.js';
import { fillUntilBlocked, ok, useWinsock } from '../helpers.js';
import { promisePair, within } from './helpers.js';

useWinsock();
const wire = wireGate(() => captureAvailability());

const nameOf = (s: number): SockAddr => {
  const a = {} as SockAddr;
  ok(W.getsockname(s, a));
  return a;
};

describe.skipIf(wire.skip)(`teardown packets of the promise API${wire.skip ? ` (skipped: ${wire.reason})` : ''}`, () => {
  it('gracefulClose against a node:net server: FIN each way, no RST, TIME_WAIT on our side', async () => {
    const srv = net.createServer((c) => c.on('end', () => setTimeout(() => c.end(), 20)));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as net.AddressInfo).port;
    const capture = startCapture({ ports: [port] });
    const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
    await within(P.connect(s, { family: W.AF_INET, address: '127.0.0.1', port }));
    const me = nameOf(s);
    const t = track(s);
    const r = await within(P.gracefulClose(s, { timeoutMs: 3000 }));
    expect(r).toMatchObject({ graceful: true, timedOut: false });
    await capture.waitFor({ to: me, flags: 'FIN' }, 2000);
    await new Promise((res) => setTimeout(res, 50));
    const segs = capture.stop();
    srv.close();
    expect(segs).toContainSegment({ from: me, flags: 'FIN' });
    expect(segs).toContainSegment({ to: me, flags: 'FIN' });
    expect(segs).toHaveNoSegment({ flags: 'RST' });
    expect(t).toBeReleased();
    // We closed first: the kernel holds TIME_WAIT for the connection, owned by no one.
    expect(connectionState(me, { address: '127.0.0.1', port })).toBe('TIME_WAIT');
  });

  it('an abortive close (linger {1,0}) through the promise closesocket: RST, no FIN; the peer sees WSAECONNRESET', async () => {
    const { client, server, addr } = await promisePair();
    const capture = startCapture({ ports: [addr.port] });
    const me = nameOf(client);
    ok(W.send(client, Buffer.from('dropped')));
    ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
    const t = track(client);
    await within(P.closesocket(client));
    await capture.waitFor({ from: me, flags: 'RST' }, 2000);
    const segs = capture.stop();
    expect(segs).toContainSegment({ from: me, flags: 'RST' });
    expect(segs).toHaveNoSegment({ flags: 'FIN' });
    expect(t).toBeReleased({ abortive: true });
    const buf = Buffer.alloc(64);
    // The data arrived before the RST; the reset is what recv reports once it is read (or at once).
    const first = await P.recv(server, buf).catch((e: W.WinsockError) => e);
    const second = first instanceof W.WinsockError ? first : await P.recv(server, buf).catch((e: W.WinsockError) => e);
    expect(second).toMatchObject({ code: 'WSAECONNRESET', syscall: 'recv' });
  });

  it('linger {1,1} with data the peer never reads: the promise closesocket resets about 1 s later', async () => {
    const { client, server, addr } = await promisePair();
    fillUntilBlocked(client, server);
    ok(W.ioctlsocket(client, W.FIONBIO, [0]));
    ok(W.setsockopt(client, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 1 }));
    const capture = startCapture({ ports: [addr.port] });
    const me = nameOf(client);
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    await within(P.closesocket(client), 4000);
    const ms = performance.now() - t0;
    clearInterval(iv);
    await capture.waitFor({ from: me, flags: 'RST' }, 2000);
    const segs = capture.stop();
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ticks).toBeGreaterThan(20); // the loop ran while the close waited
    expect(segs).toContainSegment({ from: me, flags: 'RST' });
    expect(segs).toHaveNoSegment({ from: me, flags: 'FIN' });
  });
});
