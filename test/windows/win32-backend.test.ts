// win32.ts's own logic, on any OS: ws2_32 is replaced by a scripted fake, so what the
// backend does around each call (errors, addresses, native SOCKETs on failure paths,
// WSAPoll's handling of handles not in the table) is checked without Windows. What
// ws2_32 itself does is the Wine lane's part (test/windows/conformance.test.ts).
import koffi from 'koffi';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SockAddr } from '../../src/constants.js';

const fake = vi.hoisted(() => ({
  calls: [] as { fn: string; args: unknown[] }[],
  impl: {} as Record<string, (...args: any[]) => unknown>,
}));

vi.mock('../../native-bindings/ws2_32.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../native-bindings/ws2_32.js')>();
  const W = new Proxy(
    {},
    {
      get:
        (_, fn: string) =>
        (...args: unknown[]) => {
          fake.calls.push({ fn, args });
          const f = fake.impl[fn];
          if (!f) throw new Error(`unexpected ws2_32 call ${fn}`);
          return f(...args);
        },
    },
  );
  return { ...real, W };
});

const win32 = await import('../../src/backends/win32.js');
const { SOCKADDR_IN } = await import('../../native-bindings/ws2_32.js');
const { WSAGetLastError, WSASetLastError } = await import('../../src/errors.js');

const { win32Record } = await import('../helpers.js');
const { reserve } = await import('../../src/shared-table.js');
const listener = await win32Record(0x100n);
const udp = await win32Record(0x104n, 2);

/** Writes 127.0.0.1:port as a SOCKADDR_IN where ws2_32 would, and its length. */
function writeSender(buf: Buffer, len: Int32Array, port: number): void {
  buf.writeUInt16LE(2, 0);
  buf.writeUInt16BE(port, koffi.offsetof(SOCKADDR_IN, 'sin_port'));
  buf.set([127, 0, 0, 1], koffi.offsetof(SOCKADDR_IN, 'sin_addr'));
  len[0] = 16;
}

beforeEach(() => {
  fake.calls.length = 0;
  fake.impl = {};
  WSASetLastError(0);
});

describe('win32.ts around ws2_32 (scripted ws2_32)', () => {
  it('recvfrom: a truncated datagram (WSAEMSGSIZE) still reports its sender, as posix.ts does', () => {
    fake.impl.recvfrom = (_s, _buf, _len, _flags, from: Buffer, fromlen: Int32Array) => (writeSender(from, fromlen, 5000), -1);
    fake.impl.WSAGetLastError = () => 10040;
    const from: SockAddr = { family: 0, address: '', port: 0 };
    expect(win32.recvfrom(udp, new Uint8Array(4), 4, 0, from, false)).toBe(-1);
    expect(WSAGetLastError()).toBe(10040);
    expect(from).toEqual({ family: 2, address: '127.0.0.1', port: 5000 });
  });

  it('recvfrom: other failures leave addrOut alone', () => {
    fake.impl.recvfrom = () => -1;
    fake.impl.WSAGetLastError = () => 10035;
    const from: SockAddr = { family: 0, address: '', port: 0 };
    expect(win32.recvfrom(udp, new Uint8Array(4), 4, 0, from, false)).toBe(-1);
    expect(WSAGetLastError()).toBe(10035);
    expect(from.port).toBe(0);
  });

  it('accept: a SOCKET above 2^53 stays exact, and addrOut is filled', () => {
    const big = 2n ** 60n + 5n;
    fake.impl.accept = (_s, addr: Buffer, len: Int32Array) => (writeSender(addr, len, 4242), big);
    const from: SockAddr = { family: 0, address: '', port: 0 };
    const child = win32.accept(listener, reserve()!, from, false);
    expect(child?.fd).toBe(big);
    expect(from).toEqual({ family: 2, address: '127.0.0.1', port: 4242 });
  });

  it('accept: an addrOut that refuses a field does not leak the accepted SOCKET (reset, then the error)', () => {
    fake.impl.accept = (_s, addr: Buffer, len: Int32Array) => (writeSender(addr, len, 4242), 0x2a8);
    fake.impl.setsockopt = () => 0;
    fake.impl.closesocket = () => 0;
    const from = { family: 0, address: '' } as SockAddr;
    Object.defineProperty(from, 'port', {
      enumerable: true,
      get: () => 0,
      set: () => {
        throw new Error('read-only port');
      },
    });
    expect(() => win32.accept(listener, reserve()!, from, false)).toThrow('read-only port');
    expect(fake.calls.map((c) => c.fn)).toEqual(['accept', 'setsockopt', 'closesocket']);
    expect(fake.calls[2]!.args[0]).toBe(0x2a8n);
  });

  it('WSAPoll: a handle not in the table or an ignored one goes to ws2_32 as INVALID_SOCKET, which answers for it', () => {
    let timeout = -2;
    let count = -1;
    let socks: bigint[] = [];
    fake.impl.WSAPoll = (arr: Buffer, n: number, t: number) => {
      [count, timeout] = [n, t];
      socks = [0, 1, 2].map((k) => arr.readBigUInt64LE(k * 16));
      arr.writeInt16LE(4, 10); // POLLNVAL on the two invalid entries (ws2_32's answer)
      arr.writeInt16LE(4, 26);
      arr.writeInt16LE(0x10, 42); // POLLWRNORM on the live entry
      return 1;
    };
    const revents = [9, 9, 9];
    const rc = win32.poll(
      [
        { sock: undefined, ignored: true, events: 0x100 },
        { sock: undefined, ignored: false, events: 0x100 },
        { sock: listener, ignored: false, events: 0x10 },
      ],
      revents,
      1000,
    );
    expect([rc, revents, count, timeout]).toEqual([1, [4, 4, 0x10], 3, 1000]);
    expect(socks).toEqual([0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_ffffn, 0x100n]);
  });
});
