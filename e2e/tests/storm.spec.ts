/** The storm scenario: an E810 VF's MSI-X vector 0 storms 3 s after the server starts. */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { InterruptsPage } from '../pages/interrupts-page.ts';
import { STORM_URL, STORM_VF } from '../support/env.ts';

test('the storm banner names the device, vector and owner and links to the device', async ({ page }) => {
  const app = new AppPage(page, STORM_URL);
  await app.login(undefined, '#/interrupts');
  const irqs = new InterruptsPage(app);
  await expect(irqs.view).toBeVisible();
  await expect(app.stormBanner).toHaveAttribute('data-active', 'true', { timeout: 30_000 });
  await expect(app.stormBanner).toContainText(STORM_VF);
  await expect(app.stormBanner).toContainText('MSIX[0]');
  await expect(app.testId('storm-owner')).toContainText('storm-vm · pid 7001');
  // the storming vector tops the live table and the alert is listed
  await expect(irqs.topVectors.locator('tbody tr').first()).toContainText(STORM_VF);
  await expect(irqs.alerts.locator('[data-active="true"]').first()).toBeVisible();
  await expect.poll(async () => Number(await app.testId('alert-chart').getAttribute('data-points'))).toBeGreaterThan(0);
  await app.screenshot('interrupts-storm');

  await app.testId('storm-device-link').click();
  await expect(app.testId('device-bdf')).toHaveText(STORM_VF);
  // a deadline, not a wait: on a loaded machine the device page (12 live charts) can take a while to get its first ticks in
  await expect
    .poll(async () => Number(await page.getByTestId('vector-MSIX-0-rate').getAttribute('data-rate')), { timeout: 60_000 })
    .toBeGreaterThan(10_000);
  await app.screenshot('device-storm');
});
