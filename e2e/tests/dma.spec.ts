/** DMA: map, see the row and the pinned gauge move, EEXIST on overlap, unmap. */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { DmaPage } from '../pages/dma-page.ts';
import { DEVICES } from '../support/env.ts';

const MiB = 1024 * 1024;

test('map DMA, refuse an overlap with EEXIST, unmap', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.freeVf);
  await dev.ensureHeld();
  const container = Number(await app.testId('device-container').getAttribute('data-container'));
  await app.testId('device-container').click();
  const dma = new DmaPage(app);
  await expect(app.testId(`container-${container}`)).toBeVisible();
  const pinned0 = await dma.pinnedBytes();
  const rows0 = await dma.rows();

  // validated before sending: unaligned IOVA, zero size, no flags
  await dma.fillMap('0x100001', '2', 'MiB');
  await expect(app.testId('map-iova-error')).toContainText('aligned');
  await expect(app.testId('map-submit')).toBeDisabled();
  await dma.fillMap('0x100000', '0', 'MiB');
  await expect(app.testId('map-size-error')).toContainText('EINVAL: size must not be 0');
  await dma.fillMap('0x100000', '2', 'MiB', { read: false, write: false });
  await expect(app.testId('map-submit')).toBeDisabled();

  await dma.map('0x100000', '2', 'MiB');
  await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(dma.row('0x100000')).toBeVisible();
  await expect(dma.row('0x100000')).toContainText('2 MiB');
  await expect.poll(() => dma.pinnedBytes()).toBe(pinned0 + 2 * MiB);
  await expect.poll(() => dma.rows()).toBe(rows0 + 1);

  // a few more, so the table and gauges have something to show
  for (const [iova, size] of [
    ['0x400000', '4'],
    ['0x1000000', '16'],
    ['0x2000000', '1'],
  ] as const) {
    await dma.map(iova, size, 'MiB');
    await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  }
  await expect.poll(() => dma.pinnedBytes()).toBe(pinned0 + 23 * MiB);
  await expect(dma.entriesGauge).toHaveAttribute('data-used', String(rows0 + 4));
  await app.screenshot('dma');

  // overlapping the first mapping: the kernel's answer is shown in place
  await dma.fillMap('0x101000', '4', 'KiB');
  await expect(app.testId('map-overlap-warning')).toBeVisible();
  await app.testId('map-submit').click();
  await expect(dma.mapAnswer).toHaveAttribute('data-errno', 'EEXIST');
  await expect(dma.mapAnswer).toContainText('EEXIST');
  await expect.poll(() => dma.rows()).toBe(rows0 + 4);

  // unmap the selected row
  await dma.row('0x100000').click();
  await dma.unmapSelected();
  await expect(dma.unmapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(dma.row('0x100000')).toHaveCount(0);
  await expect.poll(() => dma.pinnedBytes()).toBe(pinned0 + 21 * MiB);

  // a range that bisects a mapping is refused (EINVAL); a covering range unmaps
  await dma.unmapRange('0x1000000', '8', 'MiB');
  await expect(dma.unmapAnswer).toHaveAttribute('data-errno', 'EINVAL');
  await dma.unmapRange('0x400000', '0x2000000', 'B');
  await expect(dma.unmapAnswer).toHaveAttribute('data-status', 'ok');
  await expect.poll(() => dma.rows()).toBe(rows0);
  await expect.poll(() => dma.pinnedBytes()).toBe(pinned0);
});
