/**
 * The UI on the iommufd path (#10 §5): a server driving the sim's 6.12 host
 * with `--iommu iommufd`. The host bar says which path vfioscope drives; a
 * group opened here becomes an IOAS with its device attached through the
 * cdev, drawn like a container with its kind; the DMA view maps and unmaps in
 * the IOAS, names iommufd's ioctls and judges requests with iommufd's errnos.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DmaPage } from '../pages/dma-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { type OwnServer, startOwnServer } from '../support/own-server.ts';

const EDU = '0000:00:03.0';
let dataDir = '';
let server: OwnServer | null = null;

test.afterAll(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('an edu opened through its cdev is an IOAS: topology, host bar and the DMA view say so, and DMA works', async ({ page }) => {
  dataDir = mkdtempSync(join(tmpdir(), 'vfioscope-e2e-iommufd-'));
  server = await startOwnServer({ dataDir, scenario: 'edu-6.12', args: ['--iommu', 'iommufd'] });
  const app = new AppPage(page);
  await page.goto(`${server.loginUrl}#/topology`);
  await expect(app.connection).toHaveAttribute('data-state', 'open');
  await expect(app.testId('host-iommu-path')).toContainText('iommufd + cdev');
  await expect(app.testId('nav-foot')).toContainText('drives iommufd + cdev');

  const topo = new TopologyPage(app);
  const card = await topo.groupOf(EDU);
  await card.getByTestId('group-open-3').click();
  await expect(app.testId('toast').filter({ hasText: 'Group 3 opened in IOAS' })).toBeVisible();
  await topo.search.fill('');
  const cluster = app.page.locator('[data-testid^="cluster-kind-"]');
  await expect(cluster).toHaveAttribute('data-kind', 'iommufd');
  await expect(cluster).toContainText('iommufd · device cdev');
  await expect(app.page.locator('.cluster-title')).toHaveText(/^IOAS \d+$/);

  const id = Number((await cluster.getAttribute('data-testid'))?.replace('cluster-kind-', ''));
  const dma = new DmaPage(app);
  await dma.open(id);
  await expect(app.testId('dma-view')).toContainText('IOMMU_IOAS_MAP');
  await expect(app.testId(`container-tab-${id}`)).toContainText(`ioas ${id}`);
  await expect(app.testId('entries-panel')).toContainText('no mapping-count limit');
  // iommufd answers a wrap with EOVERFLOW, and so does the form
  await dma.fillMap('0xfffffffffffff000', '8', 'KiB');
  await expect(app.testId('map-size-error')).toContainText('EOVERFLOW');
  await dma.map('0x100000', '2', 'MiB');
  await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(dma.row('0x100000')).toBeVisible();
  await app.screenshot('dma-ioas');
});
