/**
 * How the browser tests (and the UI benchmarks in bench/) launch Chromium:
 * Debian's build, headless, with the background chatter switched off.
 * Playwright's own browser download is never used.
 */
import { chromium, type Browser } from '@playwright/test';

export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export function launchChromium(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}
