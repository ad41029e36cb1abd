/**
 * Kernel messages in the UI: the storm scenario's serial card (0000:00:07.0) DMAs to an IOVA
 * its VM never mapped every 5 s; each refusal is the kernel's DMAR fault line, which reaches the
 * device page's Kernel messages section and the Events view as a `kernel` event.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { STORM_URL } from '../support/env.ts';

const SERIAL = '0000:00:07.0';

test('a DMAR fault reaches the device page and the Events view, attached to the device', async ({ page }) => {
  const app = new AppPage(page, STORM_URL);
  await app.login(undefined, `#/device/${SERIAL}`);
  const panel = app.testId('kernel-messages');
  await expect(panel).toBeVisible();
  await expect.poll(async () => Number(await panel.getAttribute('data-count')), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(panel).toContainText('IOMMU fault');
  await expect(panel).toContainText('write at 0x7ffe0000');
  await expect(panel).toContainText('DMAR: [DMA Write NO_PASID] Request device [00:07.0] fault addr 0x7ffe0000');

  await app.go('#/events');
  const row = page.locator('[data-kind="kernel"]').first();
  await expect(row).toBeVisible();
  await expect(row).toContainText('fault addr 0x7ffe0000');
  await expect(row).toContainText(SERIAL);
});
