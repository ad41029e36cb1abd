// Unit tests of the web app's pure logic (live store, reducers, validation,
// formatting). Run from the repo root: pnpm exec vitest run --config apps/web/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
