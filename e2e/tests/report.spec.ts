/**
 * Export report (#14 §3): on the storm scenario a viewer waits for the
 * E810 VF's MSI-X storm alert, clicks Export report on its row and saves
 * the file; the file is then opened in a fresh browser context that may
 * not reach any server (every request but the file's own is aborted and
 * counted) — it must show the vector, device, owner, peak, the threshold
 * that made it a storm, the rate chart with the storm shaded, and the
 * host's facts, having asked the network for nothing.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { InterruptsPage } from '../pages/interrupts-page.ts';
import { STORM_URL, STORM_VF, VIEWER_TOKEN } from '../support/env.ts';

test('a viewer exports a storm alert as an HTML report that opens offline and tells the story', async ({ page, browser }, info) => {
  const app = new AppPage(page, STORM_URL);
  await app.login(VIEWER_TOKEN, '#/interrupts');
  const irqs = new InterruptsPage(app);
  const row = irqs.alerts.locator(`[data-kind="storm"][data-active="true"][data-key="${STORM_VF}/MSIX/0"]`);
  // the storm begins 3 s after the server starts; the deadline is for a loaded machine
  await expect(row).toBeVisible({ timeout: 30_000 });
  const alertId = ((await row.getAttribute('data-testid')) ?? '').replace(/^alert-/, '');
  expect(alertId).toMatch(/^storm-/);

  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-report').click()]);
  expect(download.suggestedFilename()).toBe(`vfioscope-report-${alertId}.html`);
  const file = info.outputPath('report.html');
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  expect(text).not.toMatch(/<script|https?:\/\//i);

  // a context with no way out: only the file itself may load
  const offline = await browser.newContext();
  const asked: string[] = [];
  await offline.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    asked.push(route.request().url());
    return route.abort();
  });
  const report = await offline.newPage();
  await report.goto(`file://${file}`);
  const fact = (name: string) => report.locator(`[data-fact="${name}"]`);
  await expect(report.locator('h1')).toHaveText(`Interrupt storm on ${STORM_VF} MSIX vector 0`);
  await expect(fact('vector')).toContainText('MSIX vector 0');
  await expect(fact('device')).toHaveText(STORM_VF);
  await expect(fact('owner')).toContainText('VM storm-vm');
  await expect(fact('owner')).toContainText('pid 7001');
  // the sim's VF storms at 120 000/s against the absolute threshold of 50 000/s
  const peak = Number(((await fact('peak').textContent()) ?? '').replace(/\D/g, ''));
  expect(peak).toBeGreaterThan(50_000);
  await expect(fact('why')).toContainText('threshold of 50');
  await expect(fact('duration')).toHaveText(/^\d/);
  const chart = report.locator('svg.rate-chart');
  await expect(chart).toBeVisible();
  await expect(chart.locator('path.rate')).toHaveAttribute('d', /^M[\d.]+ [\d.]+ L/);
  const band = chart.locator('rect.storm-band').first();
  await expect(band).toBeVisible();
  expect(Number(await band.getAttribute('width'))).toBeGreaterThan(1);
  await expect(chart.locator('line.threshold')).toHaveCount(1);
  await expect(fact('hostname')).not.toBeEmpty();
  await expect(fact('kernel')).not.toBeEmpty();
  await expect(fact('backend')).toContainText('scenario storm');
  await expect(fact('cpus')).toHaveText(/^\d+$/);
  await expect(fact('iommu-mode')).not.toBeEmpty();
  await expect(report.locator('#kernel h2')).toHaveText('Kernel messages');
  await expect(report.locator('#actions h2')).toHaveText('Operator actions');
  await report.screenshot({ path: info.outputPath('report.png'), fullPage: true });
  expect(asked).toEqual([]);
  await offline.close();
});
