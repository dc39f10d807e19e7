// Rule: `npm run build` produces working entry points: the package imported
// by name through its `exports` map, as ESM (dist/index.js) and as CommonJS
// (dist/index.cjs, via require), runs WSAStartup + socket + closesocket in a
// plain Node process (no TypeScript loader), with type declarations for both.
//
// The build goes to a temporary directory (`npm run build -- --out-dir`), with
// a copy of package.json beside it, so dist/ (read by other suites while this
// one runs) is never wiped mid-run.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let pkgDir: string;

beforeAll(() => {
  pkgDir = mkdtempSync(join(tmpdir(), 'wsc-build-'));
  copyFileSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
  mkdirSync(join(pkgDir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules', 'koffi'), join(pkgDir, 'node_modules', 'koffi'));
  execFileSync('npm', ['run', 'build', '--', '--out-dir', join(pkgDir, 'dist')], {
    cwd: ROOT,
    stdio: 'pipe',
    timeout: 180_000,
  });
}, 200_000);

afterAll(() => {
  if (pkgDir) rmSync(pkgDir, { recursive: true, force: true });
});

// What each child process runs once it has the library as `W`.
const BODY = `
  const data = {};
  const r = { backend: W.backendName };
  r.startup = W.WSAStartup(W.MAKEWORD(2, 2), data);
  r.version = data.wVersion;
  const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
  r.socketOk = s !== W.INVALID_SOCKET && typeof s === 'number';
  r.bind = W.bind(s, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
  r.listen = W.listen(s, W.SOMAXCONN);
  const c = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
  const a = {};
  W.getsockname(s, a);
  r.connect = W.connect(c, a);
  const srv = W.accept(s);
  r.send = W.send(c, Buffer.from('built'));
  const buf = Buffer.alloc(16);
  r.recv = W.recv(srv, buf);
  r.data = buf.subarray(0, Math.max(0, r.recv)).toString();
  r.close = [W.closesocket(c), W.closesocket(srv), W.closesocket(s)];
  r.closeAgain = W.closesocket(s);
  r.closeAgainError = W.wsaErrorName(W.WSAGetLastError());
  r.cleanup = W.WSACleanup();
  r.constants = [W.AF_INET6, W.SOL_SOCKET, W.WSA.WSANOTINITIALISED, W.FIONBIO];
  console.log(JSON.stringify(r));
`;

const EXPECTED = {
  backend: 'posix',
  startup: 0,
  version: 0x0202,
  socketOk: true,
  bind: 0,
  listen: 0,
  connect: 0,
  send: 5,
  recv: 5,
  data: 'built',
  close: [0, 0, 0],
  closeAgain: -1,
  closeAgainError: 'WSAENOTSOCK',
  cleanup: 0,
  constants: [23, 0xffff, 10093, 0x8004667e],
};

/** Runs node with `args` in the temp package (so 'winsock-compat' resolves by self-reference) and parses its last line. */
function runNode(args: string[]): unknown {
  const r = spawnSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, `stderr: ${r.stderr}`).toBe(0);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe('npm run build', () => {
  it('emits ESM, CJS and declarations for both', () => {
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
      expect(existsSync(join(pkgDir, 'dist', f)), f).toBe(true);
    }
    const dts = readFileSync(join(pkgDir, 'dist', 'index.d.ts'), 'utf8');
    for (const name of ['WSAStartup', 'closesocket', 'WSASendDisconnect', 'WSAPoll', 'SOMAXCONN_HINT']) {
      expect(dts, name).toMatch(new RegExp(`\\b${name}\\b`));
    }
    // The CJS file is CommonJS and the ESM file is ESM.
    expect(readFileSync(join(pkgDir, 'dist', 'index.cjs'), 'utf8')).toMatch(/module\.exports|exports\./);
    expect(readFileSync(join(pkgDir, 'dist', 'index.js'), 'utf8')).toMatch(/^export \{/m);
  });

  it("import 'winsock-compat' (ESM, dist/index.js through the exports map)", () => {
    const out = runNode(['--input-type=module', '-e', `import * as W from 'winsock-compat'; ${BODY}`]);
    expect(out).toEqual(EXPECTED);
  });

  it("require('winsock-compat') (CJS, dist/index.cjs through the exports map)", () => {
    const out = runNode(['--input-type=commonjs', '-e', `const W = require('winsock-compat'); ${BODY}`]);
    expect(out).toEqual(EXPECTED);
  });

  it('the files by path: import dist/index.js, require dist/index.cjs', () => {
    expect(runNode(['--input-type=module', '-e', `import * as W from './dist/index.js'; ${BODY}`])).toEqual(EXPECTED);
    expect(runNode(['--input-type=commonjs', '-e', `const W = require('./dist/index.cjs'); ${BODY}`])).toEqual(EXPECTED);
  });

  it('the exports map resolves import and require to different files', () => {
    const esm = runNode(['--input-type=module', '-e', `console.log(JSON.stringify(import.meta.resolve('winsock-compat')))`]);
    const cjs = runNode(['--input-type=commonjs', '-e', `console.log(JSON.stringify(require.resolve('winsock-compat')))`]);
    expect(String(esm)).toMatch(/\/dist\/index\.js$/);
    expect(String(cjs)).toMatch(/\/dist\/index\.cjs$/);
  });

  it("'winsock-compat/harness' shares the main entry's handle table, in ESM and in CJS", () => {
    const body = `
      W.WSAStartup(0x202);
      const s = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
      console.log(JSON.stringify({ seen: H.openHandles().includes(s), fn: typeof H.startCapture }));`;
    const want = { seen: true, fn: 'function' };
    expect(
      runNode(['--input-type=module', '-e', `import * as W from 'winsock-compat'; import * as H from 'winsock-compat/harness'; ${body}`]),
    ).toEqual(want);
    expect(
      runNode(['--input-type=commonjs', '-e', `const W = require('winsock-compat'); const H = require('winsock-compat/harness'); ${body}`]),
    ).toEqual(want);
  });
});
