import { defineConfig } from 'vitest/config';

// Unit, API and sim-conformance tests. Real-kernel tests (*.kernel.test.ts)
// run only inside the QEMU guest (e2e/kernel), browser tests under Playwright.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/server/src/**/*.test.ts', 'apps/web/src/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.kernel.test.ts'],
    testTimeout: 20000,
    pool: 'forks',
  },
});
