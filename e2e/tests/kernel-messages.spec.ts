/**
 * Kernel messages in the UI: the storm scenario's serial card (0000:00:07.0) DMAs to an IOVA
 * its VM never mapped every 5 s; each refusal is the kernel's DMAR fault line, which reaches the
 * device page's Kernel messages section and the Events view as a `kernel` event, and counts in
 * the card's IOMMU faults per minute (its device page, flagged in the topology). On the default
 * host, a mapping past vfioscope's RLIMIT_MEMLOCK makes the kernel print its refusal: a kernel
 * alert, active, in GET /alerts, the banner and the Interrupts view's alert history.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEFAULT_URL, OPERATOR_TOKEN, STORM_URL } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

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

test('the serial card’s IOMMU faults per minute show on its device page and flag it in the topology', async ({ page }) => {
  const app = new AppPage(page, STORM_URL);
  await app.login(undefined, `#/device/${SERIAL}`);
  const rate = app.testId('iommu-fault-rate');
  // one fault every 5 s: within a minute of the server starting, each is in the last minute
  await expect.poll(async () => Number(await rate.getAttribute('data-per-minute')), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(rate).toContainText('IOMMU faults/min');
  expect(Number(await rate.getAttribute('data-total'))).toBeGreaterThanOrEqual(Number(await rate.getAttribute('data-per-minute')));

  const topo = new TopologyPage(app);
  await topo.open();
  const card = await topo.groupOf(SERIAL);
  const flag = card.getByTestId(`device-faults-${SERIAL}`);
  await expect(flag).toBeVisible();
  await expect(flag).toContainText('faults/min');
  expect(Number(await flag.getAttribute('data-per-minute'))).toBeGreaterThan(0);
});

test('a memlock refusal is a kernel alert: in GET /alerts, the banner and the alert history', async ({ page }) => {
  const api = new OperatorApi(DEFAULT_URL);
  const group = await api.vfioGroupToOpen();
  const { container } = await api.openGroup(group);
  try {
    // 128 MiB against vfioscope's 64 MiB RLIMIT_MEMLOCK: type1 refuses the pin and the kernel says so
    await expect(api.map(container, { iova: 0x100000n, size: 128n << 20n })).rejects.toThrow('ENOMEM');
    const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    await expect
      .poll(async () => {
        const r = await (await page.request.get(`${DEFAULT_URL}/api/v1/alerts`, { headers: auth })).json();
        return r.alerts.find(
          (a: { kind: string; reason?: string; clearedAt: number | null }) =>
            a.kind === 'kernel' && a.reason === 'memlock-exceeded' && a.clearedAt === null,
        )?.message;
      })
      .toContain('RLIMIT_MEMLOCK (67108864 bytes) exceeded');

    const app = new AppPage(page, DEFAULT_URL);
    await app.login(undefined, '#/interrupts');
    // the default host has no interrupt storm: the kernel alert is the worst one
    await expect(app.stormBanner).toHaveAttribute('data-kind', 'kernel');
    await expect(app.stormBanner).toHaveAttribute('data-active', 'true');
    await expect(app.testId('kernel-alert-title')).toHaveText('DMA pin refused');
    await expect(app.testId('kernel-alert-message')).toContainText('LimitMEMLOCK');
    await expect.poll(() => page.title()).toBe('(1) alert — vfioscope');

    const row = app.testId('alert-history').locator('tr[data-kind="kernel"][data-active="true"]');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('DMA pin refused');
    await row.click();
    await expect(app.testId('kernel-alert-detail')).toContainText('clears a minute after the last refusal');
  } finally {
    await api.closeGroup(group);
  }
});
