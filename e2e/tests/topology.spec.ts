/** Topology of the default sim scenario, as the operator sees it. */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEVICES } from '../support/env.ts';

test('shows the IOMMU groups of the default scenario with viability and owners', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const topo = new TopologyPage(app);
  await expect(topo.count).toHaveText('36 groups');
  await expect(topo.summary).toContainText('43 devices');
  await expect(app.testId('host-name')).toContainText('r750-lab-07');
  await expect(app.testId('host-dma-limit')).toContainText('65,535');
  await expect(app.testId('host-irq-remap')).toContainText('yes');
  await expect(app.role).toHaveText('operator');
  await app.screenshot('topology');

  // a GPU and its HDMI audio share one group, held by a QEMU VM
  const gpu = await topo.groupOf(DEVICES.vmGpu);
  await expect(gpu.getByTestId(`device-link-${DEVICES.vmGpuAudio}`)).toBeVisible();
  await expect(gpu).toHaveAttribute('data-viable', 'true');
  await expect(gpu.getByTestId('group-owner')).toContainText('win11-cad');
  await expect(gpu.getByTestId('group-owner')).toContainText('pid 4242');
  await expect(gpu.getByTestId('group-owner')).toHaveAttribute('title', /qemu-system-x86 \(pid 4242\): .*-name guest=win11-cad/);

  // the BMC's bridge group is not viable: the VGA function is bound to ast
  const bmc = await topo.groupOf(DEVICES.bmcVga);
  await expect(bmc).toHaveAttribute('data-viable', 'false');
  await expect(bmc.getByTestId('blockers')).toContainText(DEVICES.bmcVga);
  await expect(bmc.getByTestId('blockers')).toContainText('ast');

  // search by vendor / driver narrows the grid
  await topo.search.fill('edu');
  await expect(topo.count).toHaveText('1 of 36 groups');
  await expect(page.getByTestId(`device-link-${DEVICES.edu}`)).toBeVisible();
  await topo.search.fill('nfv-router-2');
  await expect(topo.count).toHaveText('3 of 36 groups');
  await topo.clearSearch();
  await topo.filter('blocked').click();
  await expect(topo.count).toContainText('of 36 groups');
  await expect(page.locator('article.group-card[data-viable="true"]')).toHaveCount(0);
  await expect(page.locator('article.group-card[data-viable="false"]').first()).toBeVisible();
});

test('stays readable on a large monitor', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const app = new AppPage(page);
  await app.login();
  const topo = new TopologyPage(app);
  await expect(topo.count).toHaveText('36 groups');
  // three cards per full row at this width
  await expect
    .poll(async () =>
      Math.max(0, ...(await Promise.all((await page.locator('.card-row').all()).map((r) => r.locator('article.group-card').count())))),
    )
    .toBe(3);
  await app.screenshot('topology-1920');
});

test('each device has its own URL', async ({ page }) => {
  const app = new AppPage(page);
  await app.login(undefined, `#/device/${DEVICES.vmGpu}`);
  await expect(app.testId('device-bdf')).toHaveText(DEVICES.vmGpu);
  await expect(app.testId('device-info')).toContainText('RTX A6000');
});
