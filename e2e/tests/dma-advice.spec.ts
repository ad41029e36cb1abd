/**
 * DMA refusals that say what to do next: ENOMEM names what is left under
 * which limit and the ways out; EEXIST offers the next free IOVA; EINVAL on a
 * partial unmap names the mapping it would split. Expected 4xx answers are
 * not logged as console errors by the page's code, and the pinned chart's
 * axis steps in round sizes (a single 0 while empty).
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DmaPage } from '../pages/dma-page.ts';
import { DEFAULT_URL, DOC_SCREENSHOTS } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

const api = new OperatorApi(DEFAULT_URL);
let group = -1;
let container = -1;

test.beforeEach(async () => {
  group = await api.freeVfioGroup();
  container = (await api.openGroup(group)).container;
});

test.afterEach(async () => {
  await api.closeGroup(group);
});

test('ENOMEM, EEXIST and a partial unmap each say the way out, and the form takes it', async ({ page }) => {
  // what the page's own code logs; Chromium's "Failed to load resource" line for a 4xx is the browser's, not ours
  const logged: string[] = [];
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource')) logged.push(m.text());
  });
  const app = new AppPage(page);
  await app.login(undefined, `#/dma/${container}`);
  const dma = new DmaPage(app);
  await expect(app.testId(`container-${container}`)).toBeVisible();
  // an empty chart has one tick, 0 — not "2 B / 1 B"
  await expect(app.testId('pinned-history')).toHaveAttribute('data-ticks', '0');

  // ENOMEM: 128 MiB against vfioscope's 64 MiB RLIMIT_MEMLOCK
  await dma.map('0x100000', '128', 'MiB');
  await expect(dma.mapAnswer).toHaveAttribute('data-errno', 'ENOMEM');
  await expect(dma.mapAnswer).not.toContainText('(size)');
  const advice = app.testId('dma-advice');
  await expect(advice).toHaveAttribute('data-kind', 'memlock');
  await expect(advice).toContainText('of its 64 MiB RLIMIT_MEMLOCK locked');
  await expect(advice).toContainText('this map needs 128 MiB');
  await expect(advice).toContainText('Map less');
  await expect(advice).toContainText('Unmap something');
  await expect(advice).toContainText('LimitMEMLOCK=');
  await expect(advice).toContainText('ulimit -l');
  await page.setViewportSize({ width: 1280, height: 1000 });
  await advice.scrollIntoViewIfNeeded();
  await app.screenshot('dma-enomem', DOC_SCREENSHOTS);
  // the way out that fits: the size that is left
  const left = (await app.testId('dma-advice-left').textContent()) ?? '';
  await app.testId('dma-advice-use-left').click();
  await expect(app.testId('map-size')).toHaveValue(left.split(' ')[0]!);
  await app.testId('map-submit').click();
  await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(app.testId('pinned-history')).toHaveAttribute('data-ticks', /^0\|(\d+ MiB\|)*\d+ MiB$/);
  await api.unmapAll(container);

  // EEXIST: the next free IOVA, one click into the form
  await dma.map('0x100000', '2', 'MiB');
  await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  await dma.map('0x101000', '4', 'KiB');
  await expect(dma.mapAnswer).toHaveAttribute('data-errno', 'EEXIST');
  await expect(advice).toHaveAttribute('data-kind', 'free-iova');
  await app.testId('dma-advice-use-iova').click();
  await expect(app.testId('map-iova')).toHaveValue('0x300000');
  await app.testId('map-submit').click();
  await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(dma.row('0x300000')).toBeVisible();

  // EINVAL: unmapping 1 MiB of the 2 MiB mapping would split it
  await dma.unmapRange('0x100000', '1', 'MiB');
  await expect(dma.unmapAnswer).toHaveAttribute('data-errno', 'EINVAL');
  await expect(dma.unmapAnswer).not.toContainText('(size)');
  const split = app.testId('dma-advice');
  await expect(split).toHaveAttribute('data-kind', 'split');
  await expect(app.testId('dma-advice-split')).toHaveText('0x100000');
  await app.testId('dma-advice-use-range').click();
  await expect(app.testId('unmap-iova')).toHaveValue('0x100000');
  await expect(app.testId('unmap-size')).toHaveValue('0x200000');
  await app.testId('unmap-range').click();
  await expect(dma.unmapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(dma.row('0x100000')).toHaveCount(0);

  expect(logged).toEqual([]);
});
