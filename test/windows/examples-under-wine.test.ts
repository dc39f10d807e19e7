// The two Winsock-style echo servers of examples/ run by Windows Node under
// Wine (win32.ts over ws2_32.dll), bundled with the library's sources to plain
// JavaScript first (Windows Node has no TypeScript loader here), against node:net clients in this Linux
// process. Their stdout is a file under Wine (docs/windows.md), so the port is
// chosen here and passed in, and the clients retry until the server listens.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, wineSkip } from './lane.js';

const OUT = join(ROOT, '.cache/wine-examples');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Connects (retrying while the server under Wine starts), sends `msg`, reads the echo, then ends or resets. */
async function client(port: number, msg: string, reset = false): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await new Promise<string | null>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => c.write(msg));
      let got = '';
      c.on('data', (d) => {
        got += d;
        if (got.length < msg.length) return;
        if (reset) {
          c.resetAndDestroy();
          resolve(got);
        } else c.end();
      });
      c.on('close', () => resolve(got));
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? null : `error ${e.code}`));
    });
    if (r !== null) return r;
    if (Date.now() > deadline) return 'server never listened';
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function serveUnderWine(example: string, clients: number): Promise<{ port: number; done: Promise<string> }> {
  mkdirSync(OUT, { recursive: true });
  const bundle = join(OUT, example.replace(/\.ts$/, '.mjs'));
  // The library is bundled in from src/ (never a stale dist/); koffi stays external (its win32 binary comes from the lane).
  const args = [
    'esbuild',
    `examples/${example}`,
    '--bundle',
    '--alias:winsock-compat=./src/index.ts',
    '--external:koffi',
    '--format=esm',
    '--platform=node',
    `--outfile=${bundle}`,
  ];
  execFileSync('npx', [...args, '--log-level=warning'], { cwd: ROOT });
  const port = await freePort();
  const child = spawn('bash', ['scripts/wine-lane.sh', 'script', bundle, String(clients), String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill(), 90_000);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const done = new Promise<string>((resolve) => child.on('close', () => (clearTimeout(killer), resolve(out))));
  return { port, done };
}

describe.skipIf(wineSkip !== null)(`the Winsock-style examples under Wine${wineSkip ? ` — skipped: ${wineSkip}` : ''}`, () => {
  it('examples/event-select-echo-server.ts: 3 clients echoed; the reset reads as graceful (Wine deviation: recv 0 after RST)', async () => {
    const srv = await serveUnderWine('event-select-echo-server.ts', 3);
    // One client first, alone, so the others connect to a server known to listen.
    expect(await client(srv.port, 'hello one')).toBe('hello one');
    expect(await Promise.all([client(srv.port, 'hello two'), client(srv.port, 'reset me', true)])).toEqual(['hello two', 'reset me']);
    const out = await srv.done;
    expect(out).toContain('bytes echoed: 26');
    // Microsoft documents WSAECONNRESET for the reset (the Linux lane shows it); Wine 8 reports 0.
    expect(out).toContain('connections closed: 3 (graceful 3, reset 0)');
    expect(out).toContain('open handles after: 0');
  }, 60_000);

  it('examples/overlapped-echo-server.ts: 3 clients echoed through WSARecv/WSASend completions', async () => {
    const srv = await serveUnderWine('overlapped-echo-server.ts', 3);
    expect(await client(srv.port, 'overlapped one')).toBe('overlapped one');
    expect(await Promise.all([client(srv.port, 'overlapped two'), client(srv.port, 'overlapped 3')])).toEqual([
      'overlapped two',
      'overlapped 3',
    ]);
    const out = await srv.done;
    expect(out).toContain('connections closed: 3 (failed 0), bytes echoed: 40');
    expect(out).toContain('open handles after: 0');
  }, 60_000);
});
