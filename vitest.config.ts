import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: blocking Winsock calls block that
    // process's thread only, and a file's sockets never share a table.
    pool: 'forks',
    testTimeout: 30_000,
    // The JSON copy lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/vitest/results.json' },
    hookTimeout: 30_000,
  },
});
