// Rule: Winsock's inet_pton returns 1 (and writes the address in network
// order), 0 for text that is not an address of the family, -1 with
// WSAEAFNOSUPPORT for another family; inet_ntop returns the text or NULL with
// WSAEAFNOSUPPORT / WSAEINVAL (buffer too small). Microsoft's inet_pton and
// InetNtop pages. inet_addr/inet_ntoa use the network-order u_long a
// little-endian Windows program sees; the byte-order helpers swap like there.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';

describe('inet_pton', () => {
  it('IPv4 and IPv6 text to network-order bytes', () => {
    const b4 = new Uint8Array(4);
    expect(W.inet_pton(W.AF_INET, '192.168.1.253', b4)).toBe(1);
    expect([...b4]).toEqual([192, 168, 1, 253]);
    const b6 = new Uint8Array(16);
    expect(W.inet_pton(W.AF_INET6, '2001:db8::1', b6)).toBe(1);
    expect(Buffer.from(b6).toString('hex')).toBe('20010db8000000000000000000000001');
    expect(W.inet_pton(W.PF_INET6, '::ffff:1.2.3.4', b6)).toBe(1);
    expect([...b6.subarray(10)]).toEqual([0xff, 0xff, 1, 2, 3, 4]);
  });

  it('text that is not an address of the family: 0, dst untouched', () => {
    // (Windows sometimes writes a partial address before answering 0, e.g. for
    // "3.4.5.6 "; this inet_pton never writes on failure.)
    const b = new Uint8Array(16).fill(7);
    const notV4 = [
      '',
      ' ',
      '1.2.3',
      '256.1.1.1',
      '127.127.127.256',
      '127.127.127.255:123',
      '1.1.1.010',
      '1.1.1.00',
      '1.1.1.0xaA',
      '1',
      '203569230',
      '3.4.5.6 ',
      ' 3.4.5.6',
      '[0.1.2.3]',
      '0x00010203',
      '::1',
      'localhost',
    ];
    for (const t of notV4) expect(W.inet_pton(W.AF_INET, t, b), t).toBe(0);
    const notV6 = [
      '1.2.3.4',
      ':::',
      'fe80::1%1',
      '[::1]',
      '1111:2222:3333:4444:0x5555:6666:7777:8888',
      '1111:2222:3333:4444:5555:6666::7777:8888',
      '1111:2222:3333:4444:5555:6666:7777::8888',
      '1111:2222:3333:4444:5555::08888',
      '1111:2222:3333::fffff',
      '1::0001.2.3.4',
      '1::1.2.3.256',
      '1::256.2.3.4',
      '1::1.2.3',
      '[::]',
      '::.',
    ];
    for (const t of notV6) expect(W.inet_pton(W.AF_INET6, t, b), t).toBe(0);
    expect(b.every((x) => x === 7)).toBe(true);
  });

  it("IPv6 forms Windows accepts (protocol.c test_inet_pton's table)", () => {
    const b = new Uint8Array(16);
    const cases: [string, string][] = [
      ['0:0:0:0:0:0:0::', '00000000000000000000000000000000'],
      ['0:0:0:0:0:0:13.1.68.3', '000000000000000000000000' + '0d014403'],
      ['0:0:0:0:0:FFFF:129.144.52.38', '00000000000000000000ffff81903426'],
      ['1111:2222:3333:4444:5555:6666:7777::', '11112222333344445555666677770000'],
      ['1111::123.123.123.123', '111100000000000000000000' + '7b7b7b7b'],
      ['2001:0000:1234:0000:0000:C1C0:ABCD:0876', '20010000123400000000c1c0abcd0876'],
      // Leading zeros in the embedded IPv4 octets (up to three digits) are accepted.
      ['1::001.2.3.4', '00010000000000000000000001020304'],
      ['1::1.002.3.4', '00010000000000000000000001020304'],
    ];
    for (const [t, hex] of cases) {
      expect(W.inet_pton(W.AF_INET6, t, b), t).toBe(1);
      expect(Buffer.from(b).toString('hex'), t).toBe(hex);
    }
  });

  it('a null string: -1 and WSAEFAULT, checked before the family', () => {
    W.WSASetLastError(0);
    expect(W.inet_pton(W.AF_UNSPEC, null, new Uint8Array(16))).toBe(-1);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEFAULT);
    expect(W.inet_pton(W.AF_INET, null, new Uint8Array(16))).toBe(-1);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEFAULT);
  });

  it('another family: -1 and WSAEAFNOSUPPORT; a short buffer: -1 and WSAEFAULT', () => {
    expect(W.inet_pton(W.AF_UNSPEC, '1.2.3.4', new Uint8Array(16))).toBe(-1);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEAFNOSUPPORT);
    expect(W.inet_pton(W.AF_INET6, '::1', new Uint8Array(4))).toBe(-1);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEFAULT);
    expect(() => W.inet_pton(W.AF_INET, 5 as never, new Uint8Array(4))).toThrow(/src/);
  });
});

describe('inet_ntop', () => {
  it('bytes to text', () => {
    expect(W.inet_ntop(W.AF_INET, Uint8Array.from([127, 0, 0, 1]))).toBe('127.0.0.1');
    const b = new Uint8Array(16);
    b[15] = 1;
    expect(W.inet_ntop(W.AF_INET6, b)).toBe('::1');
  });

  it("IPv6 text is Windows' (protocol.c test_addr_to_print): embedded IPv4 only for compatible/mapped/translated forms", () => {
    const v6 = (...tail: number[]) => Uint8Array.from([...new Array(16 - tail.length).fill(0), ...tail]);
    expect(W.inet_ntop(W.AF_INET, Uint8Array.from([0x15, 0x10, 0x20, 0x20]))).toBe('21.16.32.32');
    expect(W.inet_ntop(W.AF_INET6, v6(0xff, 0xfe, 0xcc, 0x98, 0xbd, 0x74))).toBe('::fffe:cc98:bd74');
    expect(W.inet_ntop(W.AF_INET6, Uint8Array.from([0x20, 0x30, 0xa4, 0xb1, ...new Array(12).fill(0)]))).toBe('2030:a4b1::');
    expect(W.inet_ntop(W.AF_INET6, v6(0xcc, 0x98, 0xbd, 0x74))).toBe('::204.152.189.116');
    expect(W.inet_ntop(W.AF_INET6, v6(0xff, 0xff, 1, 2, 3, 4))).toBe('::ffff:1.2.3.4');
    expect(W.inet_ntop(W.AF_INET6, v6(0xff, 0xff, 0, 0, 1, 2, 3, 4))).toBe('::ffff:0:1.2.3.4');
    expect(W.inet_ntop(W.AF_INET6, v6(1))).toBe('::1');
    expect(W.inet_ntop(W.AF_INET6, v6())).toBe('::');
    // 16 characters do not fit in 16 bytes with the NUL; size 0 never fits.
    expect(W.inet_ntop(W.AF_INET6, v6(0xff, 0xfe, 0xcc, 0x98, 0xbd, 0x74), 16)).toBeNull();
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.inet_ntop(W.AF_INET, Uint8Array.from([0x15, 0x10, 0x20, 0x20]), 0)).toBeNull();
    expect(W.inet_ntop(W.AF_INET, Uint8Array.from([0x15, 0x10, 0x20, 0x20]), 6)).toBeNull();
    expect(W.inet_ntop(W.AF_INET, Uint8Array.from([0x15, 0x10, 0x20, 0x20]), 17)).toBe('21.16.32.32');
  });

  it('a size too small for the text and its NUL: null, WSAEINVAL', () => {
    const a = Uint8Array.from([192, 168, 100, 200]);
    expect(W.inet_ntop(W.AF_INET, a, 15)).toBeNull();
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEINVAL);
    expect(W.inet_ntop(W.AF_INET, a, 16)).toBe('192.168.100.200');
    expect(W.inet_ntop(W.AF_INET, a, W.INET_ADDRSTRLEN)).toBe('192.168.100.200');
  });

  it('another family: null, WSAEAFNOSUPPORT', () => {
    expect(W.inet_ntop(99, new Uint8Array(16))).toBeNull();
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEAFNOSUPPORT);
  });

  it('round-trips with inet_pton', () => {
    for (const t of ['10.0.0.1', '0.0.0.0', '255.255.255.255']) {
      const b = new Uint8Array(4);
      W.inet_pton(W.AF_INET, t, b);
      expect(W.inet_ntop(W.AF_INET, b)).toBe(t);
    }
    for (const t of ['2001:db8::ff00:42:8329', 'fe80::1', '::']) {
      const b = new Uint8Array(16);
      W.inet_pton(W.AF_INET6, t, b);
      expect(W.inet_ntop(W.AF_INET6, b)).toBe(t);
    }
  });
});

describe('inet_addr / inet_ntoa and byte order', () => {
  it("inet_addr: protocol.c test_inet_addr's cases (which pass on Windows)", () => {
    const cases: [string, number][] = [
      ['1.2.3.4', 0x04030201],
      ['1 2 3 4', 0x01000000],
      ['1.2.3. 4', 0xffffffff],
      ['1.2.3 .4', 0x03000201],
      ['1.2.3 \xfe\xff', 0x03000201],
      ['3.4.5.6.7', 0xffffffff],
      ['3.4.5.6  7', 0x06050403],
      [' 3.4.5.6', 0xffffffff],
      ['\t3.4.5.6', 0xffffffff],
      ['3.4.5.6 ', 0x06050403],
      ['3 .4.5.6', 0x03000000],
      ['.1.2.3', 0xffffffff],
      ['0.0.0.0', 0x00000000],
      ['', 0xffffffff],
      [' 0', 0xffffffff],
      ['0xa1a2b3b4 ', 0xb4b3a2a1],
      ['.', 0xffffffff],
      [' ', 0x00000000],
      ['\t', 0xffffffff],
      ['  ', 0xffffffff],
      ['127.127.127.255', 0xff7f7f7f],
      ['127.127.127.255:123', 0xffffffff],
      ['127.127.127.256', 0xffffffff],
      ['a', 0xffffffff],
      ['1.2.3.0xaA', 0xaa030201],
      ['1.1.1.0x', 0xffffffff],
      ['1.2.3.010', 0x08030201],
      ['1.2.3.00', 0x00030201],
      ['1.2.3.0a', 0xffffffff],
      ['1.1.1.0o10', 0xffffffff],
      ['1.1.1.-2', 0xffffffff],
      ['1', 0x01000000],
      ['1.2', 0x02000001],
      ['1.2.3', 0x03000201],
      ['203569230', 0x4e38220c],
      ['[0.1.2.3]', 0xffffffff],
      ['0x00010203', 0x03020100],
      ['0x2134', 0x34210000],
      ['1234BEEF', 0xffffffff],
      ['017700000001', 0x0100007f],
      ['0777', 0xff010000],
      ['2607:f0d0:1002:51::4', 0xffffffff],
      ['::1', 0xffffffff],
    ];
    W.WSASetLastError(0xbeef);
    for (const [input, want] of cases) expect(W.inet_addr(input), JSON.stringify(input)).toBe(want);
    // A valid or invalid string leaves the last error alone; NULL is WSAEFAULT.
    expect(W.WSAGetLastError()).toBe(0xbeef);
    expect(W.inet_addr(null)).toBe(W.INADDR_NONE);
    expect(W.WSAGetLastError()).toBe(W.WSA.WSAEFAULT);
    // Any character after "1.2.3" ends it if C's isspace says so, else the address is invalid.
    for (let i = 1; i < 256; i++) {
      if (i >= 0x30 && i <= 0x39) continue;
      const isspace = [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d].includes(i);
      expect(W.inet_addr(`1.2.3${String.fromCharCode(i)}`), `char ${i}`).toBe(isspace ? 0x03000201 : 0xffffffff);
    }
  });

  it('inet_addr gives the network-order u_long of a little-endian host', () => {
    expect(W.inet_addr('1.2.3.4')).toBe(0x04030201);
    expect(W.inet_addr('127.0.0.1')).toBe(W.htonl(W.INADDR_LOOPBACK));
    // BSD forms: the last part fills the remaining bytes; 0x hex and 0 octal parts.
    expect(W.inet_ntoa(W.inet_addr('1.2.300'))).toBe('1.2.1.44');
    expect(W.inet_ntoa(W.inet_addr('0x7f.1'))).toBe('127.0.0.1');
    expect(W.inet_ntoa(W.inet_addr('010.0.0.1'))).toBe('8.0.0.1');
    for (const bad of ['', 'a.b.c.d', '1.2.3.4.5', '256.1.1.1', '1.2.3.256']) expect(W.inet_addr(bad), bad).toBe(W.INADDR_NONE);
  });

  it('htons/htonl swap like on x86 Windows; ntoh* undo them', () => {
    expect(W.htons(27015)).toBe(0x8769); // 27015 = 0x6987
    expect(W.ntohs(W.htons(27015))).toBe(27015);
    expect(W.htons(0x12345)).toBe(0x4523); // truncated to u_short first
    expect(W.htonl(0x01020304)).toBe(0x04030201);
    expect(W.ntohl(W.htonl(0xdeadbeef))).toBe(0xdeadbeef);
  });

  it('PF_* are the AF_* numbers (PF_INET6 = 23)', () => {
    expect([W.PF_UNSPEC, W.PF_INET, W.PF_INET6]).toEqual([0, 2, 23]);
  });
});
