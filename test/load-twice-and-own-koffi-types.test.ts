// Rule: the package loads any number of times in one process, and beside the
// program's own koffi types: ESM import plus CommonJS require of the built
// package (what a dual package invites), with the program having declared
// koffi structs named like ours ('timeval', 'sockaddr_in', 'linger', 'pollfd',
// 'WSAPOLLFD') before and after. koffi's type names are process-global, so the
// library's structs are anonymous (native-bindings/). Regression: this threw
// "Duplicate type name 'sockaddr_in'".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsc-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('ESM import and CommonJS require in one process, beside the program’s own koffi structs of the same names', () => {
  const script = join(dir, 'twice.mjs');
  writeFileSync(
    script,
    `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
    const koffi = require('koffi');
    // The program's own types first, with our C names.
    koffi.struct('timeval', { tv_sec: 'long', tv_usec: 'long' });
    koffi.struct('sockaddr_in', { whatever: 'int' });
    koffi.struct('linger', { a: 'int', b: 'int' });
    const esm = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
    const cjs = require(${JSON.stringify(join(ROOT, 'dist/index.cjs'))});
    koffi.struct('pollfd', { fd: 'int', events: 'short', revents: 'short' });
    koffi.struct('WSAPOLLFD', { fd: 'uintptr_t' });
    const out = {};
    for (const [name, W] of [['esm', esm], ['cjs', cjs]]) {
      const r = { startup: W.WSAStartup(W.MAKEWORD(2, 2)) };
      const s = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
      r.bind = W.bind(s, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
      const a = {};
      r.name = W.getsockname(s, a);
      r.port = a.port > 0;
      r.close = W.closesocket(s);
      r.cleanup = W.WSACleanup();
      out[name] = r;
    }
    out.distinct = esm.socket !== cjs.socket;
    console.log(JSON.stringify(out));
    `,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).toBe('');
  const want = { startup: 0, bind: 0, name: 0, port: true, close: 0, cleanup: 0 };
  expect(JSON.parse(r.stdout)).toEqual({ esm: want, cjs: want, distinct: true });
});
