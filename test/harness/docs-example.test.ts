// The complete example in docs/harness.md runs as written: extracted from the
// guide, its package imports pointed at this checkout's sources, and run by
// vitest in a child process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, titled, wire } from './helpers.js';

// Under node_modules/.cache: outside the project's own test glob, inside its root.
const dir = join(packageRoot, 'node_modules', '.cache', `wsc-docs-example-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function extract(): string {
  const md = readFileSync(join(packageRoot, 'docs', 'harness.md'), 'utf8');
  const m = /<!-- example:begin -->\s*```ts\n([\s\S]*?)```\s*<!-- example:end -->/.exec(md);
  if (!m) throw new Error('docs/harness.md has no example block');
  return m[1]!;
}

describe('docs/harness.md example', () => {
  it('imports only the public entry points', () => {
    const code = extract();
    const imports = [...code.matchAll(/from '([^']+)'|import '([^']+)'/g)].map((x) => x[1] ?? x[2]);
    expect(imports.sort()).toEqual(['vitest', 'winsock-compat', 'winsock-compat/harness', 'winsock-compat/vitest']);
  });

  it.skipIf(wire.skip)(titled('passes when run by vitest', wire), () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.test.ts'), extract());
    const src = (p: string) => JSON.stringify(join(packageRoot, 'src', p));
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      `export default {
  root: ${JSON.stringify(packageRoot)},
  resolve: { alias: [
    { find: /^winsock-compat\\/harness$/, replacement: ${src('harness/index.ts')} },
    { find: /^winsock-compat\\/vitest$/, replacement: ${src('vitest.ts')} },
    { find: /^winsock-compat$/, replacement: ${src('index.ts')} },
  ] },
  test: { include: [${JSON.stringify(join(dir, 'example.test.ts'))}], exclude: [], pool: 'forks', testTimeout: 20000 },
};\n`,
    );
    const r = spawnSync(
      process.execPath,
      [join(packageRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(dir, 'vitest.config.mjs')],
      {
        cwd: packageRoot,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      },
    );
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/1 passed/);
    expect(out).toMatch(/CLOSED +-- RST,ACK seq=1 ack=1 -+> +CLOSED/);
  });
});
