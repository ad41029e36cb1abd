import { defineConfig } from 'vitest/config';

// The shipped Prometheus rules and Grafana dashboard against a real Prometheus scraping the built
// server (e2e/prometheus/run.sh fetches the binary and runs this); not in the default vitest run.
export default defineConfig({
  test: {
    include: ['e2e/prometheus/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 480_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
