// TCP state by Windows' names: parsing the kernel's table (IPv4, IPv6,
// v4-mapped, TIME_WAIT with no owner), TCP_INFO on our own handles, and the
// table's view of a live connection.
import { describe, expect, it } from 'vitest';
import {
  connectionState,
  fdTcpState,
  findConnections,
  linuxStateName,
  MIB_TCP_STATE,
  parseProcNetTcp,
  waitForConnectionState,
} from '../../src/harness/tcpstate.js';
import * as W from '../../src/index.js';

const V4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1221 1 0000000035adb431 100 0 0 10 0
   1: 0100007F:C6BE 0100007F:D2E9 06 00000000:00000000 03:000011F8 00000000     0        0 0 3 0000000030537973
   2: 0100007F:D2E9 0100007F:C6BF 08 00000010:00000020 00:00000000 00000000  1000        0 4242 1 0000000030537973 20 4 0 10 -1
`;
const V6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:D514 00000000000000000000000001000000:EAA3 06 00000000:00000000 03:000012BA 00000000     0        0 0 3 00000000562c66b6
   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0
   2: 000080FE00000000000000000200000A:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0
`;

describe('kernel table parsing', () => {
  it('reads IPv4 rows: little-endian address words, hex ports, states, queues, owner inode', () => {
    const rows = parseProcNetTcp(V4, 4);
    expect(rows.map((r) => [r.local, r.remote, r.state])).toEqual([
      ['0.0.0.0:2024', '0.0.0.0:0', 'LISTEN'],
      ['127.0.0.1:50878', '127.0.0.1:53993', 'TIME_WAIT'],
      ['127.0.0.1:53993', '127.0.0.1:50879', 'CLOSE_WAIT'],
    ]);
    expect(rows[1]).toMatchObject({ inode: 0, owned: false, linuxState: 6 });
    expect(rows[2]).toMatchObject({ inode: 4242, owned: true, txQueue: 16, rxQueue: 32, uid: 1000 });
  });
  it('reads IPv6 rows: ::1, v4-mapped, link-local', () => {
    const rows = parseProcNetTcp(V6, 6);
    expect(rows.map((r) => [r.local, r.remote, r.state])).toEqual([
      ['[::1]:54548', '[::1]:60067', 'TIME_WAIT'],
      ['[::ffff:127.0.0.1]:8080', '[::ffff:127.0.0.1]:40000', 'ESTABLISHED'],
      ['[fe80::a00:2]:22', '[::]:0', 'LISTEN'],
    ]);
  });
  it('finds rows by endpoint, treating v4-mapped and plain IPv4 as the same host', () => {
    const rows = parseProcNetTcp(V6, 6);
    expect(findConnections('127.0.0.1:8080', { address: '127.0.0.1', port: 40000 }, rows)).toHaveLength(1);
    expect(findConnections(54548, undefined, rows)[0]!.state).toBe('TIME_WAIT');
  });
  it('names every Linux state the Windows way, with MIB_TCP_STATE numbers', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(linuxStateName)).toEqual([
      'ESTABLISHED',
      'SYN_SENT',
      'SYN_RCVD',
      'FIN_WAIT_1',
      'FIN_WAIT_2',
      'TIME_WAIT',
      'CLOSED',
      'CLOSE_WAIT',
      'LAST_ACK',
      'LISTEN',
      'CLOSING',
      'SYN_RCVD',
    ]);
    expect(MIB_TCP_STATE.TIME_WAIT).toBe(11);
    expect(() => linuxStateName(99)).toThrow(RangeError);
  });
});

describe('live states', () => {
  it('TCP_INFO and the kernel table agree on a live pair, and follow a half-close', async () => {
    expect(W.WSAStartup(W.MAKEWORD(2, 2))).toBe(0);
    try {
      const l = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
      W.listen(l, 4);
      const la = {} as W.SockAddr;
      W.getsockname(l, la);
      expect(fdTcpState(W.nativeFd(l)!)).toBe('LISTEN');
      const c = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      W.connect(c, la);
      const s = W.accept(l);
      const ca = {} as W.SockAddr;
      W.getsockname(c, ca);
      const client = `127.0.0.1:${ca.port}`;
      const server = `127.0.0.1:${la.port}`;
      expect(fdTcpState(W.nativeFd(c)!)).toBe('ESTABLISHED');
      expect(connectionState(client, server)).toBe('ESTABLISHED');
      expect(findConnections(client, server)[0]!.owned).toBe(true);
      W.shutdown(c, W.SD_SEND);
      expect(await waitForConnectionState(client, server, (st) => st === 'FIN_WAIT_2', 1000)).toBe('FIN_WAIT_2');
      expect(await waitForConnectionState(server, client, 'CLOSE_WAIT', 1000)).toBe('CLOSE_WAIT');
      expect(fdTcpState(W.nativeFd(s)!)).toBe('CLOSE_WAIT');
      W.closesocket(s);
      expect(await waitForConnectionState(client, server, 'TIME_WAIT', 1000)).toBe('TIME_WAIT');
      // A held socket whose connection went to TIME_WAIT is CLOSED itself (the TIME_WAIT is a separate, unowned entry).
      expect(fdTcpState(W.nativeFd(c)!)).toBe('CLOSED');
      W.closesocket(c);
      const tw = findConnections(client, server);
      expect(tw).toHaveLength(1);
      expect(tw[0]).toMatchObject({ state: 'TIME_WAIT', inode: 0, owned: false });
      W.closesocket(l);
      expect(connectionState(server, '0.0.0.0:0')).toBe('CLOSED');
      await expect(waitForConnectionState(client, server, 'ESTABLISHED', 50)).rejects.toThrow(/stayed TIME_WAIT/);
    } finally {
      W.WSACleanup();
    }
  });
  it('answers undefined for a descriptor that is not a TCP socket', () => {
    expect(fdTcpState(0)).toBeUndefined();
  });
});
