/**
 * Browser tests: Debian's Chromium (installed by e2e/run.sh; Playwright's own
 * browser download is not used) against the real server on the sim — one on
 * the default scenario, one on the storm scenario, one on the large scenario
 * (281 groups) for the scale tests, one on the demo scenario (the default
 * host whose VM's GPU storms) for the operator's story and its screenshots.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './support/chromium.ts';
import { DEFAULT_PORT, DEFAULT_URL, DEMO_PORT, LARGE_PORT, STORM_PORT } from './support/env.ts';

const server = (scenario: string, port: number) => ({
  command: `bash e2e/support/serve.sh ${scenario} ${port}`,
  cwd: '..',
  url: `http://127.0.0.1:${port}/api/v1/health`,
  reuseExistingServer: false,
  timeout: 120_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5000 },
});

/**
 * The real-kernel bed's recording (e2e/kernel/.work/out/live.vfr): scripts/test.sh's kernel stage runs its
 * replay spec alone, after the guests, with no sim servers (the spec starts its own replay); without it
 * the spec is left out, never skipped.
 */
const KERNEL_RECORDING = process.env.VFIOSCOPE_KERNEL_RECORDING;
const KERNEL_REPLAY_SPEC = '**/replay-kernel.spec.ts';

export default defineConfig({
  testDir: './tests',
  ...(KERNEL_RECORDING ? { testMatch: KERNEL_REPLAY_SPEC } : { testIgnore: KERNEL_REPLAY_SPEC }),
  outputDir: `../test-results/e2e-${DEFAULT_PORT}`,
  // One server holds kernel-like state (containers, mappings, IRQ wiring): run serially.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // Deadlines, not waits: a test ends as soon as its conditions hold. On a shared 2-core machine with a
  // CPU hog beside the suite, the heaviest flows (every VM on four views; the interrupts view's rankings)
  // took over 60 s and a page 10 s to catch up with a tick; here they have room.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { outputFolder: `../playwright-report/${DEFAULT_PORT}`, open: 'never' }]],
  use: {
    baseURL: DEFAULT_URL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
  projects: [{ name: 'chromium' }],
  webServer: KERNEL_RECORDING
    ? []
    : [server('default', DEFAULT_PORT), server('storm', STORM_PORT), server('large', LARGE_PORT), server('demo', DEMO_PORT)],
});
