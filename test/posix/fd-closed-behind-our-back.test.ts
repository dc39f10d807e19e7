// Rule: a descriptor the program closed behind the library's back (nativeFd
// hands it out) never reaches uv_poll, which would abort the process: the
// SD_RECEIVE watch and promise waits answer WSAENOTSOCK instead. Run in a
// child process, because the library will later close that fd number again.
import { expect, it } from 'vitest';
import { runModuleScript } from '../helpers.js';

it('shutdown(SD_RECEIVE) and a promise recv on a closed fd: WSAENOTSOCK, no crash', () => {
  const script = `
    import fs from 'node:fs';
    import * as W from './src/index.ts';
    import * as P from './src/promises.ts';
    W.WSAStartup(0x202);
    const l = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 });
    W.listen(l, 5);
    const a = {}; W.getsockname(l, a);
    const c = W.socket(W.AF_INET, W.SOCK_STREAM, 0);
    W.connect(c, a);
    const s = W.accept(l);
    fs.closeSync(W.nativeFd(s));
    const rc = W.shutdown(s, W.SD_RECEIVE);
    console.log('shutdown', rc, W.WSAGetLastError());
    fs.closeSync(W.nativeFd(c));
    const e = await P.recv(c, Buffer.alloc(4)).catch((e) => e);
    console.log('recv', e.code);
    console.log('alive');
    process.exit(0);
  `;
  const r = runModuleScript(script);
  expect(r.stderr).not.toMatch(/FATAL ERROR/);
  expect(r.stdout).toContain('shutdown -1 10038');
  expect(r.stdout).toContain('recv WSAENOTSOCK');
  expect(r.stdout).toContain('alive');
  expect(r.status).toBe(0);
});
