import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: blocking Winsock calls block that
    // process's thread only, and a file's sockets never share a table.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
