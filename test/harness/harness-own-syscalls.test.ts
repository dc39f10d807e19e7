// The harness observes the kernel beside the library, through its own small
// system-call module (src/harness/sys.ts): no harness file imports a backend,
// and only sys.ts imports the native bindings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './helpers.js';

const dir = join(packageRoot, 'src', 'harness');
const imports = (f: string): string[] =>
  [...readFileSync(join(dir, f), 'utf8').matchAll(/^import [^;]*? from '([^']+)'/gms)].map((m) => m[1]!);

describe('the harness has its own system calls', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  it('no harness file imports a backend', () => {
    for (const f of files)
      expect(
        imports(f).filter((i) => i.includes('/backends/')),
        f,
      ).toEqual([]);
  });
  it('only sys.ts imports native-bindings', () => {
    expect(files.filter((f) => imports(f).some((i) => i.includes('native-bindings')))).toEqual(['sys.ts']);
  });
});
