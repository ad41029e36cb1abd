/** Device view: live IRQ rates, INTx auto-masking on the sim edu, reset. */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { DEVICES } from '../support/env.ts';

test('a VM-held NVMe shows a live per-vector rate chart that changes over time', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.vmNvme);
  const v = dev.vector('MSIX', 0);
  await expect(v.chart).toBeVisible();
  // the chart moves on with every tick (it holds the last 60 s: on a server up longer than that its
  // point count stays put, so the newest point's time is what must advance, by ten ticks here)…
  const first = await dev.chartLastT('MSIX', 0);
  await expect.poll(() => dev.chartLastT('MSIX', 0)).toBeGreaterThanOrEqual(first + 1000);
  expect(await dev.chartPoints('MSIX', 0)).toBeGreaterThan(10);
  // …and the bursty load makes the drawn rate move
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        seen.add((await v.chart.getAttribute('data-last')) ?? '');
        return seen.size;
      },
      { timeout: 40_000 },
    )
    .toBeGreaterThan(2);
  await expect.poll(async () => Number(await v.rate.getAttribute('data-rate'))).toBeGreaterThan(0);
});

test('edu INTx fires once, stays masked until Unmask', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.edu);
  await dev.ensureHeld();

  await dev.irqButton('INTX', 'trigger').click();
  await expect(dev.irqAnswer('INTX')).toHaveAttribute('data-status', 'ok');
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-enabled', 'true');
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-masked', 'false');
  const before = (await dev.vector('INTX', 0).count.count()) ? await dev.vectorCount('INTX', 0) : 0;

  // edu: writing to 0x60 raises the interrupt (BAR0, region index 0)
  const raise = await dev.writeRegion(0, '0x60', '0x1');
  await expect(raise).toHaveAttribute('data-status', 'ok');
  await expect.poll(() => dev.vectorCount('INTX', 0)).toBe(before + 1);
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-masked', 'true');
  await expect(dev.vector('INTX', 0).card.getByTestId('vector-INTX-0-masked')).toBeVisible();

  // still masked, still one interrupt, while time passes (twenty more ticks of the live chart)
  const lastT = await dev.chartLastT('INTX', 0);
  await expect.poll(() => dev.chartLastT('INTX', 0)).toBeGreaterThanOrEqual(lastT + 2000);
  expect(await dev.vectorCount('INTX', 0)).toBe(before + 1);
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-masked', 'true');
  await app.screenshot('device');

  // service it like a driver: ack at 0x64 (drops the level), then unmask
  await expect(await dev.writeRegion(0, '0x64', '0x1')).toHaveAttribute('data-status', 'ok');
  await dev.irqButton('INTX', 'unmask').click();
  await expect(dev.irqAnswer('INTX')).toHaveAttribute('data-status', 'ok');
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-masked', 'false');
  expect(await dev.vectorCount('INTX', 0)).toBe(before + 1);

  // and it fires again once raised again
  await dev.writeRegion(0, '0x60', '0x1');
  await expect.poll(() => dev.vectorCount('INTX', 0)).toBe(before + 2);
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-masked', 'true');
  await dev.writeRegion(0, '0x64', '0x1');
  await dev.irqButton('INTX', 'disable').click();
  await expect(dev.irqIndex('INTX')).toHaveAttribute('data-enabled', 'false');
});

test('reset works on a device that offers it and shows EINVAL on the edu', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);

  await dev.open(DEVICES.freeNvme);
  await dev.ensureHeld();
  await expect(app.testId('device-flags')).toContainText('RESET');
  await dev.reset();
  await expect(dev.resetAnswer).toHaveAttribute('data-status', 'ok');

  await dev.open(DEVICES.edu);
  await dev.ensureHeld();
  await expect(app.testId('device-flags')).not.toContainText('RESET');
  await dev.reset();
  await expect(dev.resetAnswer).toHaveAttribute('data-status', 'error');
  await expect(dev.resetAnswer).toHaveAttribute('data-errno', 'EINVAL');
  await expect(dev.resetAnswer).toContainText('EINVAL');
});
