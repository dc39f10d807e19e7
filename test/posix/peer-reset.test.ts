// Contract: after the peer's reset, recv and send answer WSAECONNRESET every
// time (Linux reports ECONNRESET once, then EPIPE or 0).
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, tcpPair, useWinsock, waitReadable } from '../helpers.js';

useWinsock();

function resetByPeer() {
  const { client, server } = tcpPair();
  W.setsockopt(server, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
  expect(W.closesocket(server)).toBe(0);
  waitReadable(client);
  return client;
}

describe('after a peer reset', () => {
  it('recv answers WSAECONNRESET repeatedly', () => {
    const client = resetByPeer();
    for (let i = 0; i < 3; i++) expect(lastErrorOf(W.recv(client, Buffer.alloc(8)))).toBe(W.WSA.WSAECONNRESET);
  });

  it('send answers WSAECONNRESET repeatedly', () => {
    const client = resetByPeer();
    for (let i = 0; i < 3; i++) expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAECONNRESET);
  });

  it('send and recv interleaved keep answering WSAECONNRESET', () => {
    const client = resetByPeer();
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAECONNRESET);
    expect(lastErrorOf(W.recv(client, Buffer.alloc(8)))).toBe(W.WSA.WSAECONNRESET);
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAECONNRESET);
  });

  it('SO_ERROR reports the reset once, and send/recv still remember it', () => {
    const client = resetByPeer();
    const v = [-1];
    expect(W.getsockopt(client, W.SOL_SOCKET, W.SO_ERROR, v)).toBe(0);
    expect(v[0]).toBe(W.WSA.WSAECONNRESET);
    expect(lastErrorOf(W.recv(client, Buffer.alloc(8)))).toBe(W.WSA.WSAECONNRESET);
    expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAECONNRESET);
  });

  it('closesocket still succeeds and frees the handle', () => {
    const client = resetByPeer();
    expect(W.closesocket(client)).toBe(0);
    expect(lastErrorOf(W.recv(client, Buffer.alloc(8)))).toBe(W.WSA.WSAENOTSOCK);
  });
});
