// Contract: closesocket with unread received data resets the connection
// (RFC 2525; Linux does it natively, the library must not hide it).
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import { lastErrorOf, observe, tcpPair, tick, useWinsock, waitReadable } from '../helpers.js';

useWinsock();

it('closesocket with unread data resets the connection', async () => {
  const { client, server } = tcpPair();
  expect(W.send(client, Buffer.from('you will never read this'))).toBe(24);
  waitReadable(server);
  expect(W.closesocket(server)).toBe(0);
  expect(observe(client)).toEqual({ error: 'WSAECONNRESET' });
  await tick(10);
  expect(lastErrorOf(W.send(client, Buffer.from('x')))).toBe(W.WSA.WSAECONNRESET);
});
