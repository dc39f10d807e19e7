// The package as a consumer gets it: `npm pack`, installed into a fresh
// temporary project, used from ESM, CommonJS and type-checked TypeScript, the
// harness from the consumer's own vitest test, and `npx winsock-compat list`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarios } from '../../src/scenarios/index.js';
import { packageRoot, titled, wire } from '../harness/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wsc-consumer-'));
const sh = (cmd: string, args: string[], timeout = 25_000) => spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout });
let tarball = '';
let installLog = '';

beforeAll(() => {
  // --ignore-scripts: `prepare` would rebuild dist/ (tsup cleans it first) under the other test files' feet; pretest built it.
  execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: packageRoot, stdio: 'pipe' });
  tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  const vitest = JSON.parse(
    execFileSync('node', ['-p', "JSON.stringify(require('vitest/package.json').version)"], { cwd: packageRoot, encoding: 'utf8' }),
  );
  const r = sh(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, `vitest@${vitest}`, 'typescript@5', '@types/node@22'],
    120_000,
  );
  installLog = r.stdout + r.stderr;
  if (r.status !== 0) throw new Error(`npm install failed:\n${installLog}`);
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed tarball in a fresh project', () => {
  it('holds what a consumer needs and nothing else; installs without an engine warning', () => {
    const files = execFileSync('tar', ['tzf', join(dir, tarball)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    for (const f of [
      'package/LICENSE',
      'package/README.md',
      'package/dist/index.js',
      'package/dist/index.cjs',
      'package/dist/cli.js',
      'package/docs/lab.md',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /\.map$|^package\/(test|src|bench|scripts|\.cache)\//.test(f))).toEqual([]);
    expect(installLog).not.toMatch(/EBADENGINE|Unsupported engine/);
    // Every relative link of the shipped docs points into the tarball.
    const docs = files.filter((f) => /^package\/(README\.md|docs\/[^/]+\.md)$/.test(f));
    for (const doc of docs) {
      const base = doc.includes('/docs/') ? 'package/docs/' : 'package/';
      const text = readFileSync(join(dir, 'node_modules', 'winsock-compat', doc.slice('package/'.length)), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const path = normalize(base + target!).replace(/\/$/, '');
        expect(
          files.some((f) => f === path || f.startsWith(path + '/')),
          `${doc} links ${target}`,
        ).toBe(true);
      }
    }
  });

  it('works from ESM and from CommonJS', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      "import * as W from 'winsock-compat'; console.log(W.WSAStartup(0x0202), W.SOMAXCONN_HINT(5), typeof (await import('winsock-compat/harness')).startCapture);",
    );
    writeFileSync(
      join(dir, 'cjs.cjs'),
      "const W = require('winsock-compat'); const s = (W.WSAStartup(0x0202), W.socket(W.AF_INET, W.SOCK_STREAM, 6)); console.log(s > 0, W.closesocket(s), W.closesocket(s) === -1 && W.WSAGetLastError());",
    );
    expect(sh('node', ['esm.mjs']).stdout.trim()).toBe('0 -5 function');
    expect(sh('node', ['cjs.cjs']).stdout.trim()).toBe('true 0 10038');
  });

  it('type-checks a TypeScript consumer', () => {
    writeFileSync(
      join(dir, 'use.ts'),
      "import { WSAStartup, socket, AF_INET, SOCK_STREAM, type SOCKET } from 'winsock-compat';\nimport { ladder, type Segment } from 'winsock-compat/harness';\nconst rc: number = WSAStartup(0x0202);\nconst s: SOCKET = socket(AF_INET, SOCK_STREAM, 6);\nconst draw: (x: Segment[]) => string = ladder;\nexport { rc, s, draw };\n",
    );
    writeFileSync(join(dir, 'bad.ts'), "import { socket } from 'winsock-compat';\nsocket('AF_INET');\n");
    // One compiler run for both files: use.ts must be clean, bad.ts must fail (the types are real).
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node'];
    const r = sh(join(dir, 'node_modules/.bin/tsc'), [...args, 'use.ts', 'bad.ts']);
    const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
    expect(errors.length, r.stdout).toBeGreaterThan(0);
    expect(
      errors.filter((l) => !l.startsWith('bad.ts')),
      r.stdout,
    ).toEqual([]);
  });

  it.skipIf(wire.skip)(titled("runs the harness from the consumer's own vitest test", wire), () => {
    writeFileSync(
      join(dir, 'wire.test.ts'),
      `import { expect, it } from 'vitest';
import 'winsock-compat/vitest';
import * as W from 'winsock-compat';
import { startCapture, localAddress } from 'winsock-compat/harness';
it('a linger {1,0} close is one RST', async () => {
  W.WSAStartup(0x0202);
  const l = W.socket(W.AF_INET, W.SOCK_STREAM, 6);
  W.bind(l, { family: W.AF_INET, address: '127.0.0.1', port: 0 }); W.listen(l, 4);
  const la = localAddress(l)!;
  const cap = startCapture({ ports: [la.port] });
  const c = W.socket(W.AF_INET, W.SOCK_STREAM, 6); W.connect(c, la); const a = W.accept(l);
  W.setsockopt(c, W.SOL_SOCKET, W.SO_LINGER, { l_onoff: 1, l_linger: 0 });
  expect(W.closesocket(c)).toBe(0);
  await cap.settle();
  expect(cap.stop()).toContainSegment({ flags: 'RST' });
  W.closesocket(a); W.closesocket(l); W.WSACleanup();
});
`,
    );
    const r = sh(join(dir, 'node_modules/.bin/vitest'), ['run', 'wire.test.ts']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 passed/);
  });

  it('npx winsock-compat list', () => {
    const r = sh('npx', ['--no-install', 'winsock-compat', 'list', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((s) => s.name)).toEqual(scenarios.map((s) => s.name));
  });
});
