// Every example runs and prints what its comments promise.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

const run = (name: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', `examples/${name}`], { encoding: 'utf8', timeout: 30_000 });

it('examples/graceful-close.ts: data, EOF both ways, WSAESHUTDOWN and WSAENOTSOCK', () => {
  const out = run('graceful-close.ts');
  expect(out).toContain('send after SD_SEND -> -1 WSAESHUTDOWN');
  expect(out).toContain('server read: "request" then recv = 0 (EOF)');
  expect(out).toContain('client read: "response" then recv = 0 (EOF)');
  expect(out).toContain('closesocket(client) -> 0');
  expect(out).toContain('closesocket(client) again -> -1 WSAENOTSOCK');
});

it('examples/abortive-close.ts: the peer sees WSAECONNRESET, twice', () => {
  const out = run('abortive-close.ts');
  expect(out).toContain('closesocket(client) with linger {1,0} -> 0');
  expect(out).toContain('server recv -> -1 WSAECONNRESET');
  expect(out).toContain('server recv again -> -1 WSAECONNRESET');
});
