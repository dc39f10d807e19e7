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

it('examples/promise-echo-server.ts: 50 node:net clients served at once, each echoed and closed gracefully', () => {
  const out = run('promise-echo-server.ts');
  expect(out).toContain('clients answered correctly: 50/50');
  expect(out).toMatch(/connections closed gracefully: 50\/50, bytes echoed: \d+/);
  const echoed = Number(/bytes echoed: (\d+)/.exec(out)![1]);
  // "hello from client N" for N = 0..49: 10 one-digit and 40 two-digit numbers.
  expect(echoed).toBe(10 * 19 + 40 * 20);
  expect(out).toContain('open handles after: 0');
});

it("examples/promise-graceful-client.ts: Microsoft's sequence against a node:net server in the same process", () => {
  const out = run('promise-graceful-client.ts');
  expect(out).toContain('send -> 17');
  expect(out).toContain('send after SD_SEND -> rejects WSAESHUTDOWN');
  expect(out).toContain('recv until 0 -> "you said \\"the whole request\\"" then 0 (the server FIN)');
  expect(out).toContain('gracefulClose -> {"graceful":true,"timedOut":false,"bytesDrained":16}');
});

it("examples/promise-abortive-close.ts: the peer's pending recv and later send reject with WSAECONNRESET", () => {
  const out = run('promise-abortive-close.ts');
  expect(out).toContain('peer: pending recv rejects WSAECONNRESET (10054) from recv');
  expect(out).toContain('peer: send afterwards rejects WSAECONNRESET');
});

it('examples/promise-linger-timeout.ts: about 1 s of waiting with the loop running, then the peer sees the reset', () => {
  const out = run('promise-linger-timeout.ts');
  expect(out).toContain('closesocket(client) with linger {1,1} -> resolved after about 1 s');
  expect(out).toContain('the event loop kept running meanwhile: yes');
  expect(out).toContain('peer: read part of the data, then recv rejects WSAECONNRESET');
});
