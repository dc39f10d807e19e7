// Rule: on a platform the library has no backend for (anything but linux and
// win32), importing it works and the first call fails with one clear error
// naming the supported platforms; package.json says so to npm (`os`).
// Regression: on darwin WSAStartup returned 0 and socket() then threw
// "Cannot read properties of null".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository, so that the preload's bare 'koffi' resolves to node_modules.
mkdirSync(join(ROOT, '.cache'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.cache', 'platform-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('package.json limits installs to linux and win32', () => {
  expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).os).toEqual(['linux', 'win32']);
});

it('on darwin: the import works, the first call (WSAStartup) throws an Error naming linux and win32', () => {
  // koffi itself is loaded first (its native module follows the real platform),
  // then the process reports darwin, as a Mac would.
  const preload = join(dir, 'darwin.mjs');
  writeFileSync(preload, `await import('koffi'); Object.defineProperty(process, 'platform', { value: 'darwin' });`);
  const script = join(dir, 'main.mjs');
  writeFileSync(
    script,
    `
    const W = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
    const r = { platform: process.platform };
    for (const [k, f] of [['startup', () => W.WSAStartup(W.MAKEWORD(2, 2))], ['socket', () => W.socket(W.AF_INET, W.SOCK_STREAM, 0)]]) {
      try { r[k] = { returned: f() }; } catch (e) { r[k] = { type: e.constructor.name, message: e.message }; }
    }
    console.log(JSON.stringify(r));
    `,
  );
  const r = spawnSync(process.execPath, ['--import', preload, script], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout);
  const err = { type: 'Error', message: 'winsock-compat runs on linux and win32 only; this process runs on darwin' };
  // WSAStartup never succeeded, so later calls answer WSANOTINITIALISED as everywhere.
  expect(out).toEqual({ platform: 'darwin', startup: err, socket: { returned: -1 } });
});
