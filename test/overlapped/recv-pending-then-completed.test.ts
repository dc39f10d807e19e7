// Rule (Microsoft's WSARecv and WSAGetOverlappedResult pages): an overlapped
// WSARecv that cannot complete at once fails with WSA_IO_PENDING; while it
// runs WSAGetOverlappedResult(fWait FALSE) fails with WSA_IO_INCOMPLETE; on
// completion hEvent is signalled and the data is scattered over the WSABUFs
// in order. A thread blocked in WSAWaitForMultipleEvents, or in
// WSAGetOverlappedResult(fWait TRUE), sees it complete: the wait drives it.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { listener, ok, tcpPair, useWinsock } from '../helpers.js';
import { isSet, overlapped, result } from './helpers.js';

useWinsock();

describe('an overlapped WSARecv that pends', () => {
  it('WSA_IO_PENDING, WSA_IO_INCOMPLETE, then a blocked wait completes it: event set, bytes scattered in order', () => {
    const { client, server } = tcpPair();
    const { ev, ov } = overlapped();
    const a = Buffer.alloc(4);
    const b = Buffer.alloc(16);
    const count = [-1];
    const flags = [0];
    expect(
      W.WSARecv(
        server,
        [
          { len: 4, buf: a },
          { len: 16, buf: b },
        ],
        2,
        count,
        flags,
        ov,
        null,
      ),
    ).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    expect(count[0]).toBe(-1);
    expect(W.HasOverlappedIoCompleted(ov)).toBe(false);
    expect(result(server, ov)).toBe('WSA_IO_INCOMPLETE');
    ok(W.send(client, Buffer.from('scatter-gathered')));
    // No loop turn has run: the data is in the kernel, the operation not done yet.
    expect(isSet(ev)).toBe(false);
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(result(server, ov)).toBe(16);
    expect(W.HasOverlappedIoCompleted(ov)).toBe(true);
    expect(ov.InternalHigh).toBe(16);
    expect(a.toString()).toBe('scat');
    expect(b.subarray(0, 12).toString()).toBe('ter-gathered');
  });

  it("completes on Node's loop when the program does not wait", async () => {
    const { client, server } = tcpPair();
    const { ev, ov } = overlapped();
    const buf = Buffer.alloc(8);
    expect(W.WSARecv(server, [{ len: 8, buf }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    ok(W.send(client, Buffer.from('loop')));
    const deadline = Date.now() + 3000;
    while (!W.HasOverlappedIoCompleted(ov) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(isSet(ev)).toBe(true);
    expect(result(server, ov)).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('loop');
  });

  it('WSAGetOverlappedResult(fWait TRUE) blocks the thread until a peer in another process sends, and returns its bytes', async () => {
    const l = listener();
    const child = spawn(
      process.execPath,
      ['-e', `const s=require('net').connect(${l.addr.port},'127.0.0.1',()=>setTimeout(()=>{s.end('from another process')},150));`],
      { stdio: 'ignore' },
    );
    ok(W.ioctlsocket(l.s, W.FIONBIO, [0]));
    const s = ok(W.accept(l.s)); // blocks until the child connects
    const { ov } = overlapped();
    const buf = Buffer.alloc(64);
    expect(W.WSARecv(s, [{ len: 64, buf }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSA_IO_PENDING);
    const t0 = performance.now();
    expect(result(s, ov, true)).toBe(20);
    expect(performance.now() - t0).toBeGreaterThan(50);
    expect(buf.subarray(0, 20).toString()).toBe('from another process');
    ok(W.closesocket(s)); // our FIN lets the child's half-closed socket end
    const killer = setTimeout(() => child.kill(), 5000);
    await new Promise((r) => child.on('exit', r));
    clearTimeout(killer);
  });

  it('MSG_WAITALL completes only once the buffers are full', () => {
    const { client, server } = tcpPair();
    const { ev, ov } = overlapped();
    const buf = Buffer.alloc(10);
    expect(W.WSARecv(server, [{ len: 10, buf }], 1, null, [W.MSG_WAITALL], ov, null)).toBe(W.SOCKET_ERROR);
    ok(W.send(client, Buffer.from('12345')));
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 100, false)).toBe(W.WSA_WAIT_TIMEOUT);
    ok(W.send(client, Buffer.from('67890')));
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(result(server, ov)).toBe(10);
    expect(buf.toString()).toBe('1234567890');
  });

  it("the peer's FIN completes it with 0 bytes", () => {
    const { client, server } = tcpPair();
    const { ev, ov } = overlapped();
    expect(W.WSARecv(server, [{ len: 8, buf: Buffer.alloc(8) }], 1, null, [0], ov, null)).toBe(W.SOCKET_ERROR);
    ok(W.shutdown(client, W.SD_SEND));
    expect(W.WSAWaitForMultipleEvents(1, [ev], false, 3000, false)).toBe(W.WSA_WAIT_EVENT_0);
    expect(result(server, ov)).toBe(0);
  });
});
