// Contract: recv after the socket's own SD_RECEIVE is WSAESHUTDOWN even with
// data buffered; data queued at, or arriving after, SD_RECEIVE resets the
// connection (Linux would buffer it and later send a FIN).
import { describe, expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, observe, tcpPair, tick, useWinsock } from '../helpers.js';

useWinsock();

describe('shutdown(SD_RECEIVE)', () => {
  it('makes recv fail with WSAESHUTDOWN, every time', () => {
    const { server } = tcpPair();
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    expect(lastErrorOf(W.recv(server, Buffer.alloc(8)))).toBe(W.WSA.WSAESHUTDOWN);
    expect(lastErrorOf(W.recvfrom(server, Buffer.alloc(8), 8, 0))).toBe(W.WSA.WSAESHUTDOWN);
  });

  it('sends nothing by itself: the peer can still send... until data arrives', () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    // The peer sees neither EOF nor a reset while it sends nothing.
    const fds = [{ fd: client, events: W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 100)).toBe(0);
    // The server can still send.
    expect(W.send(server, Buffer.from('one way'))).toBe(7);
    expect(observe(client)).toEqual({ bytes: 'one way' });
  });

  it('answers WSAESHUTDOWN even when data was already buffered, and resets the connection', () => {
    const { client, server } = tcpPair();
    expect(W.send(client, Buffer.from('unread'))).toBe(6);
    const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    expect(lastErrorOf(W.recv(server, Buffer.alloc(8)))).toBe(W.WSA.WSAESHUTDOWN);
    expect(observe(client)).toEqual({ error: 'WSAECONNRESET' });
  });

  it('resets the connection when data arrives later, caught by the next call on the socket', () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    expect(W.send(client, Buffer.from('too late'))).toBe(8);
    // Wait (without returning to the event loop) until the data is queued.
    const fds = [{ fd: server, events: W.POLLRDNORM, revents: 0 }];
    expect(W.WSAPoll(fds, 2000)).toBe(1);
    expect(lastErrorOf(W.send(server, Buffer.from('x')))).toBe(W.WSA.WSAECONNABORTED);
    expect(observe(client)).toEqual({ error: 'WSAECONNRESET' });
  });

  it('resets the connection when data arrives while the program is idle on the event loop', async () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    expect(W.send(client, Buffer.from('too late'))).toBe(8);
    // No call on `server` from here: the watcher on Node's loop must act.
    await tick(200);
    expect(observe(client)).toEqual({ error: 'WSAECONNRESET' });
  });

  it("does not reset when the peer's FIN arrives after SD_RECEIVE", async () => {
    const { client, server } = tcpPair();
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    expect(W.shutdown(client, W.SD_SEND)).toBe(0);
    await tick(100);
    // The server can still send, the client still receives.
    expect(W.send(server, Buffer.from('after your FIN'))).toBe(14);
    expect(observe(client)).toEqual({ bytes: 'after your FIN' });
  });

  it('returns 0 when repeated', () => {
    const { server } = tcpPair();
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
    expect(W.shutdown(server, W.SD_RECEIVE)).toBe(0);
  });
});
