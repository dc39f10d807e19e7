// Contract: shutdown(SD_SEND) / WSASendDisconnect send a FIN after the queued
// data; a later send is WSAESHUTDOWN (Linux: EPIPE + SIGPIPE).
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { drain, lastErrorOf, observe, tcpPair, useWinsock } from '../helpers.js';

useWinsock();

describe('shutdown(SD_SEND)', () => {
  it('delivers queued data, then EOF to the peer', () => {
    const { client, server } = tcpPair();
    expect(W.send(client, Buffer.from('queued before FIN'))).toBe(17);
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(drain(server)).toEqual({ data: Buffer.from('queued before FIN'), end: 'eof' });
  });

  it('makes a later send fail with WSAESHUTDOWN, every time', () => {
    const { client } = tcpPair();
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAESHUTDOWN);
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAESHUTDOWN);
    expect(lastErrorOf(W.sendto(client, Buffer.from('x'), 1, 0, { family: W.AF_INET, address: '127.0.0.1', port: 9 }))).toBe(
      W.WSA.WSAESHUTDOWN,
    );
  });

  it('leaves the receive direction open', () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(W.send(server, Buffer.from('reply'))).toBe(5);
    expect(observe(client)).toEqual({ bytes: 'reply' });
  });

  it('returns 0 when repeated, also after both FINs were exchanged', () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(drain(server).end).toBe('eof');
    expect(W.shutdown(server, W.SD_SEND)).toBe(0);
    expect(drain(client).end).toBe('eof');
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    expect(W.shutdown(client, W.SD_BOTH)).toBe(0);
  });
});

describe('WSASendDisconnect', () => {
  it('is shutdown(SD_SEND): data, then EOF; a later send is WSAESHUTDOWN', () => {
    const { client, server } = tcpPair();
    expect(W.send(client, Buffer.from('last words'))).toBe(10);
    expect(W.WSASendDisconnect(client)).toBe(0);
    expect(W.WSASendDisconnect(client, null)).toBe(0);
    expect(drain(server)).toEqual({ data: Buffer.from('last words'), end: 'eof' });
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAESHUTDOWN);
  });

  it('rejects disconnect data on TCP with WSAENOPROTOOPT and sends nothing', () => {
    const { client, server } = tcpPair();
    expect(lastErrorOf(W.WSASendDisconnect(client, Buffer.from('bye')))).toBe(W.WSA.WSAENOPROTOOPT);
    // The connection is untouched: no FIN went out, send still works.
    expect(W.send(client, Buffer.from('still open'))).toBe(10);
    expect(observe(server)).toEqual({ bytes: 'still open' });
  });

  it('WSARecvDisconnect rejects disconnect data with WSAENOPROTOOPT and otherwise is SD_RECEIVE', () => {
    const { client } = tcpPair();
    expect(lastErrorOf(W.WSARecvDisconnect(client, Buffer.alloc(4)))).toBe(W.WSA.WSAENOPROTOOPT);
    expect(W.WSARecvDisconnect(client)).toBe(0);
    expect(lastErrorOf(W.recv(client, Buffer.alloc(4)))).toBe(W.WSA.WSAESHUTDOWN);
  });
});
