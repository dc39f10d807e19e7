// Contract: SD_BOTH with unread data resets the connection (Linux sends a FIN
// and keeps the data readable); without unread data it is a graceful FIN.
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, observe, tcpPair, tick, useWinsock, waitReadable } from '../helpers.js';

useWinsock();

describe('shutdown(SD_BOTH)', () => {
  it('with unread data resets the connection', () => {
    const { client, server } = tcpPair();
    expect(W.send(client, Buffer.from('never read'))).toBe(10);
    waitReadable(server);
    expect(W.shutdown(server, W.SD_BOTH)).toBe(0);
    expect(observe(client)).toEqual({ error: 'WSAECONNRESET' });
    expect(lastErrorOf(W.recv(server, Buffer.alloc(4)))).toBe(W.WSA.WSAESHUTDOWN);
    expect(lastErrorOf(W.send(server, Buffer.from('x')))).toBe(W.WSA.WSAESHUTDOWN);
  });

  it('without unread data sends a FIN: the peer reads EOF', () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(server, W.SD_BOTH)).toBe(0);
    expect(observe(client)).toEqual({ eof: true });
    expect(lastErrorOf(W.recv(server, Buffer.alloc(4)))).toBe(W.WSA.WSAESHUTDOWN);
    expect(lastErrorOf(W.send(server, Buffer.from('x')))).toBe(W.WSA.WSAESHUTDOWN);
  });

  it('without unread data, data arriving later still resets (the receive side is shut too)', async () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(server, W.SD_BOTH)).toBe(0);
    expect(observe(client)).toEqual({ eof: true });
    expect(W.send(client, Buffer.from('late'))).toBe(4);
    waitReadable(server);
    expect(lastErrorOf(W.recv(server, Buffer.alloc(4)))).toBe(W.WSA.WSAESHUTDOWN);
    // The client already read EOF, so the reset shows on its next send.
    await tick(50);
    expect(lastErrorOf(W.send(client, Buffer.from('again')))).toBe(W.WSA.WSAECONNRESET);
  });
});
