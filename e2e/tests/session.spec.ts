/**
 * The page survives the server (#9 §1): a server of the test's own (storm
 * scenario, its own session token) is stopped and started under an open page.
 * Stopped: the page says it is offline and how old its data is, and greys the
 * storm banner. Back with the same data dir: the page recovers by itself with
 * the same token. Back without session-token (a new token): the page is
 * signed out and names the file where the new token is. A first visit with no
 * token gets a neutral prompt.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppPage } from '../pages/app-page.ts';
import { ShellPage } from '../pages/shell-page.ts';
import { type OwnServer, startOwnServer } from '../support/own-server.ts';
import { DOC_SCREENSHOTS, SCREENSHOTS } from '../support/env.ts';

test.describe.configure({ mode: 'serial' });

let dataDir: string;
let server: OwnServer | null = null;

test.beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-e2e-session-'));
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('restart: offline with the data age, recovery with the kept token, sign-in naming session-token after a new one', async ({ page }) => {
  test.setTimeout(180_000);
  server = await startOwnServer({ dataDir, scenario: 'storm' });
  const { port, token } = server;
  const app = new AppPage(page);
  const shell = new ShellPage(page);
  await page.goto(server.loginUrl);
  await expect(shell.app).toBeVisible();
  await expect(app.connection).toHaveAttribute('data-state', 'open');
  // the storm scenario's VF storms 3 s after start
  await expect(app.stormBanner).toHaveAttribute('data-active', 'true', { timeout: 30_000 });
  await expect(shell.app).toHaveAttribute('data-offline', 'false');

  // 1. the server stops: offline, "as of hh:mm:ss, N s ago" ticking, the banner greyed and still
  expect(await server.stop()).toBe(0);
  server = null;
  await expect(shell.app).toHaveAttribute('data-offline', 'true');
  await expect(shell.app).toHaveClass(/\boffline\b/);
  await expect(shell.dataAge).toHaveText(/^data as of \d\d:\d\d:\d\d, \d+ s ago$/);
  const first = await shell.dataAge.textContent();
  await expect(shell.dataAge).not.toHaveText(first ?? ''); // it ticks
  await expect(app.stormBanner).toBeVisible();
  expect(await shell.style('.app.offline .banner', 'filter')).toContain('grayscale(1)');
  expect(await shell.style('.app.offline .banner .pulse', 'animation-name')).toBe('none');
  await page.screenshot({ path: `${SCREENSHOTS}offline.png` });
  await page.screenshot({ path: `${DOC_SCREENSHOTS}offline.png` });

  // 2. back with the same data dir: the same token, so the page recovers by itself
  server = await startOwnServer({ dataDir, scenario: 'storm', port });
  expect(server.token).toBe(token);
  await expect(app.connection).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  await expect(shell.app).toHaveAttribute('data-offline', 'false');
  await expect(shell.offlineNotice).toHaveCount(0);
  await expect(app.role).toHaveText('operator');
  await expect(app.testId('host-name')).toBeVisible();

  // 3. back without session-token: a new token, so this page is signed out and told where the token is
  expect(await server.stop()).toBe(0);
  server = null;
  await expect(shell.app).toHaveAttribute('data-offline', 'true');
  rmSync(join(dataDir, 'session-token'));
  server = await startOwnServer({ dataDir, scenario: 'storm', port });
  expect(server.token).not.toBe(token);
  await expect(shell.login).toBeVisible({ timeout: 30_000 });
  await expect(shell.login).toHaveAttribute('data-reason', 'expired');
  await expect(shell.loginHeadline).toHaveText('Signed out');
  await expect(shell.tokenLocation).toContainText(join(dataDir, 'session-token'));
  await expect(shell.loginError).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}login-signed-out.png` });
  await page.screenshot({ path: `${DOC_SCREENSHOTS}login-signed-out.png` });

  // and the new login URL signs it back in
  await page.goto(server.loginUrl);
  await expect(app.connection).toHaveAttribute('data-state', 'open');
});

test('a first visit without a token: a neutral sign-in prompt, no errno', async ({ browser }) => {
  server ??= await startOwnServer({ dataDir, scenario: 'storm' });
  const context = await browser.newContext(); // no cookie, no sessionStorage
  const page = await context.newPage();
  const shell = new ShellPage(page);
  await page.goto(`${server.base}/#/topology`);
  await expect(shell.login).toBeVisible();
  await expect(shell.login).toHaveAttribute('data-reason', 'none');
  await expect(shell.loginHeadline).toHaveText('Sign in');
  await expect(shell.tokenLocation).toContainText('session-token');
  await expect(shell.loginError).toHaveCount(0);
  await expect(shell.login).not.toContainText('EAUTH');
  await expect(page.locator('.answer.err, [role="alert"]')).toHaveCount(0);
  await context.close();
});
