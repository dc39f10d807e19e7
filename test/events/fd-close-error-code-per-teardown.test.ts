// Rule (Microsoft's WSAEventSelect and WSAEnumNetworkEvents pages, FD_CLOSE):
// FD_CLOSE's iErrorCode[FD_CLOSE_BIT] tells a graceful close (0) from a reset
// by the peer (WSAECONNRESET) or an abort on this side (WSAECONNABORTED). Each
// teardown of the contract is run against a socket with an association, and
// its FD_CLOSE is checked against what went on the wire (loopback capture).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import type { SockAddr, SOCKET } from '../../src/index.js';
import { captureAvailability, startCapture, wireGate } from '../../src/harness/index.js';
import '../../src/vitest.js';
import { fillUntilBlocked, listener, ok, tcpPair, useWinsock, waitReadable } from '../helpers.js';
import { collect, select } from './helpers.js';

useWinsock();
const wire = wireGate(() => captureAvailability());

const nameOf = (s: number): SockAddr => {
  const a = {} as SockAddr;
  ok(W.getsockname(s, a));
  return a;
};

/** Runs `teardown` on `closer`; returns the FD_CLOSE the other side (with an association) recorded, and the closer's segments. */
async function run(teardown: (closer: SOCKET, observer: SOCKET) => void, peerData = false) {
  const { client: closer, server: observer, addr } = tcpPair();
  const capture = startCapture({ ports: [addr.port] });
  const closerAddr = nameOf(closer);
  if (peerData) {
    ok(W.send(observer, Buffer.from('unread by the closer')));
    expect(waitReadable(closer)).not.toBe(0);
  }
  const ev = select(observer, W.FD_READ | W.FD_WRITE | W.FD_CLOSE);
  teardown(closer, observer);
  const ne = collect(observer, ev, W.FD_CLOSE);
  await new Promise((r) => setTimeout(r, 30));
  const segs = capture.stop();
  const fromCloser = segs.filter((s) => s.srcPort === closerAddr.port);
  W.closesocket(observer);
  W.closesocket(closer);
  return { ne, fin: fromCloser.some((s) => s.flags.includes('FIN')), rst: fromCloser.some((s) => s.flags.includes('RST')) };
}

describe.skipIf(wire.skip)(`FD_CLOSE's error code, checked on the wire${wire.skip ? ` (skipped: ${wire.reason})` : ''}`, () => {
  it('closesocket with linger off: FIN on the wire, FD_CLOSE 0 (graceful)', async () => {
    const r = await run((c) => ok(W.closesocket(c)));
    expect(r).toMatchObject({ fin: true, rst: false });
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(0);
  });

  it('shutdown(SD_SEND): FIN, FD_CLOSE 0', async () => {
    const r = await run((c) => ok(W.shutdown(c, W.SD_SEND)));
    expect(r).toMatchObject({ fin: true, rst: false });
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(0);
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
  });

  it('WSASendDisconnect: FIN, FD_CLOSE 0', async () => {
    const r = await run((c) => ok(W.WSASendDisconnect(c, null)));
    expect(r).toMatchObject({ fin: true, rst: false });
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(0);
  });

  it('closesocket with linger {1,0}: RST, FD_CLOSE WSAECONNRESET', async () => {
    const r = await run((c) => {
      ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 }));
      ok(W.closesocket(c));
    });
    expect(r).toMatchObject({ fin: false, rst: true });
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNRESET);
  });

  it('closesocket with unread received data: RST, FD_CLOSE WSAECONNRESET', async () => {
    const r = await run((c) => ok(W.closesocket(c)), true);
    expect(r).toMatchObject({ rst: true });
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNRESET);
  });

  it('shutdown(SD_BOTH) with unread data: RST, FD_CLOSE WSAECONNRESET', async () => {
    const r = await run((c) => ok(W.shutdown(c, W.SD_BOTH)), true);
    expect(r).toMatchObject({ fin: false, rst: true });
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNRESET);
  });

  it('data arriving after SD_RECEIVE: the receiver resets (RST); its own FD_CLOSE is WSAECONNABORTED, the sender sees WSAECONNRESET', async () => {
    const { client: rd, server: sender, addr } = tcpPair();
    const capture = startCapture({ ports: [addr.port] });
    const rdAddr = nameOf(rd);
    const evRd = select(rd, W.FD_READ | W.FD_CLOSE);
    const evSender = select(sender, W.FD_READ | W.FD_CLOSE);
    ok(W.shutdown(rd, W.SD_RECEIVE));
    ok(W.send(sender, Buffer.from('after SD_RECEIVE')));
    const mine = collect(rd, evRd, W.FD_CLOSE);
    const theirs = collect(sender, evSender, W.FD_CLOSE);
    await capture.waitFor({ from: rdAddr, flags: 'RST' }, 2000);
    const segs = capture.stop();
    expect(segs).toContainSegment({ from: rdAddr, flags: 'RST' });
    expect(mine.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNABORTED);
    expect(theirs.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(theirs.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNRESET);
    // The code FD_CLOSE carried is what the next recv reports.
    expect(W.recv(rd, Buffer.alloc(8))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAESHUTDOWN);
    expect(W.recv(sender, Buffer.alloc(8))).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAECONNRESET);
  });

  it('a blocking closesocket whose linger {1,1} expires with data unsent: RST, FD_CLOSE WSAECONNRESET', async () => {
    const r = await run((c, o) => {
      fillUntilBlocked(c, o); // the observer never reads: the data cannot drain
      ok(W.ioctlsocket(c, W.FIONBIO, [0]));
      ok(W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 1 }));
      ok(W.closesocket(c)); // blocks about 1 s, then resets
    });
    expect(r).toMatchObject({ fin: false, rst: true });
    expect(r.ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(r.ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNRESET);
  });

  it('the peer process calls its last WSACleanup with the connection open: RST, FD_CLOSE WSAECONNRESET', async () => {
    const l = listener();
    const capture = startCapture({ ports: [l.addr.port] });
    const src = new URL('../../src/index.ts', import.meta.url).href;
    const code = `import * as W from '${src}'; W.WSAStartup(0x202); const s = W.socket(2, 1, 0);
      if (W.connect(s, { family: 2, address: '127.0.0.1', port: ${l.addr.port} }) !== 0) process.exit(3);
      setTimeout(() => { W.WSACleanup(); }, 300);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'ignore' });
    const killer = setTimeout(() => child.kill(), 10_000);
    ok(W.ioctlsocket(l.s, W.FIONBIO, [0]));
    const observer = ok(W.accept(l.s));
    const peer = {} as SockAddr;
    ok(W.getpeername(observer, peer));
    const ev = select(observer, W.FD_READ | W.FD_CLOSE);
    const ne = collect(observer, ev, W.FD_CLOSE, 8000);
    await new Promise((res) => child.on('exit', res));
    clearTimeout(killer);
    const segs = capture.stop();
    expect(segs).toContainSegment({ from: peer, flags: 'RST' });
    expect(segs).toHaveNoSegment({ from: peer, flags: 'FIN' });
    expect(ne.lNetworkEvents & W.FD_CLOSE).toBe(W.FD_CLOSE);
    expect(ne.iErrorCode[W.FD_CLOSE_BIT]).toBe(W.WSA.WSAECONNRESET);
    W.closesocket(observer);
    W.closesocket(l.s);
  });

  it('FD_CLOSE is posted once: later waits time out, even with the condition still true', async () => {
    const { client, server } = tcpPair();
    const ev = select(server, W.FD_CLOSE);
    ok(W.closesocket(client));
    const first = collect(server, ev, W.FD_CLOSE);
    expect(first.lNetworkEvents).toBe(W.FD_CLOSE);
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 100, false)).toBe(W.WSA_WAIT_TIMEOUT);
    ok(W.closesocket(server));
  });
});
