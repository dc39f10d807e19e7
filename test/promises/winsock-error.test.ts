// Rule: every failure of the promise API rejects with a WinsockError shaped
// like Node's system errors (code = the WSA name, errno = the WSA number,
// syscall = the call), and both entries export the same class. The bare
// WSAE* constants come from the main entry.
import { expect, it } from 'vitest';
import * as W from '../../src/index.js';
import * as P from '../../src/promises.js';
import { ok, useWinsock } from '../helpers.js';

useWinsock();

it('has code, errno, syscall and a message naming all three', () => {
  const e = new W.WinsockError(10054, 'recv');
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('WinsockError');
  expect(e.code).toBe('WSAECONNRESET');
  expect(e.errno).toBe(10054);
  expect(e.syscall).toBe('recv');
  expect(e.message).toBe('recv WSAECONNRESET (10054): Connection reset by peer.');
});

it('the promise entry exports the very same class as the main entry', () => {
  expect(P.WinsockError).toBe(W.WinsockError);
});

it('a rejection is a WinsockError of the failing call: recv on a closed handle', async () => {
  const s = ok(W.socket(W.AF_INET, W.SOCK_STREAM, 0));
  ok(W.closesocket(s));
  const err = await P.recv(s, Buffer.alloc(4)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(W.WinsockError);
  expect(err).toMatchObject({ code: 'WSAENOTSOCK', errno: 10038, syscall: 'recv' });
});

it('WSAGetLastError is left as the program set it: the promise API reports through its rejection only', async () => {
  W.WSASetLastError(1234);
  await P.recv(0x10, Buffer.alloc(4)).catch(() => undefined);
  expect(W.WSAGetLastError()).toBe(1234);
});

it('every WSA code is a bare constant of the main entry, equal to WSA.<name>', () => {
  const names = Object.keys(W.WSA) as Array<keyof typeof W.WSA>;
  expect(names.length).toBeGreaterThan(60);
  for (const n of names) expect((W as unknown as Record<string, number>)[n], n).toBe(W.WSA[n]);
  expect(W.WSAESHUTDOWN).toBe(10058);
  expect(W.WSAEWOULDBLOCK).toBe(10035);
  expect(W.WSA_OPERATION_ABORTED).toBe(995);
});
