import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    promises: 'src/promises.ts',
    harness: 'src/harness/index.ts',
    vitest: 'src/vitest.ts',
    // The lab: the registry, the command line and the child a namespace run starts.
    scenarios: 'src/scenarios/index.ts',
    cli: 'src/cli.ts',
    'scenario-child': 'src/scenarios/child.ts',
  },
  format: ['esm', 'cjs'],
  // One shared chunk for api.ts in both formats: the promise layer and the
  // harness must see the handle table the program's sockets live in (and the
  // same WinsockError class), not copies of their own.
  splitting: true,
  external: ['vitest'],
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // import.meta.url (the lab finds its child script next to itself) in the CommonJS build too.
  shims: true,
  sourcemap: true,
});
