// Two copies of the library in one thread (an ESM import and a CommonJS
// require of the built package, what a dual package invites) share the
// process's table, so both may wait on one SOCKET. Each copy made its own
// uv_poll on the socket's descriptor; libuv takes one per descriptor in a
// loop, and koffi aborted the process on the second ("FATAL ERROR: Error::New
// napi_get_last_error_info"). Now the second copy uses the first one's watch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsc-two-copies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an ESM copy and a CommonJS copy each await a recv on one socket: both complete', () => {
  const script = join(dir, 'two-copies.mjs');
  writeFileSync(
    script,
    `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
    const W = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
    const esm = await import(${JSON.stringify(join(ROOT, 'dist/promises.js'))});
    const cjs = require(${JSON.stringify(join(ROOT, 'dist/promises.cjs'))});
    W.WSAStartup(0x0202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 1);
    const at = {};
    W.getsockname(l, at);
    const c = W.socket(W.AF_INET, W.SOCK_STREAM, W.IPPROTO_TCP);
    W.connect(c, { family: W.AF_INET, address: '127.0.0.1', port: at.port });
    const s = W.accept(l);
    const got = (P) => {
      const b = Buffer.alloc(2);
      return P.recv(s, b, 2, 0).then((n) => b.toString('latin1', 0, n), (e) => 'rejected ' + e.errno);
    };
    const both = Promise.all([got(esm), got(cjs)]);
    setTimeout(() => W.send(c, Buffer.from('ab'), 2, 0), 50);
    setTimeout(() => W.send(c, Buffer.from('cd'), 2, 0), 150);
    const timeout = new Promise((r) => setTimeout(() => r('timed out'), 5000));
    console.log(JSON.stringify(await Promise.race([both, timeout])));
    process.exit(0);`,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
  expect({ status: r.status, signal: r.signal, stderr: r.stderr.split('\n')[0] }).toEqual({ status: 0, signal: null, stderr: '' });
  expect((JSON.parse(r.stdout) as string[]).sort()).toEqual(['ab', 'cd']);
});
