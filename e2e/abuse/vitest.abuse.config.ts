import { defineConfig } from 'vitest/config';

// The abuse suite: the built server in its own process on loopback, attacked over raw sockets.
// Files one after another (each starts its own servers; the machine may be shared and small).
export default defineConfig({
  test: {
    include: ['e2e/abuse/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
