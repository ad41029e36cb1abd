/**
 * Scale: the sim's "large" scenario (an NFV host with 281 IOMMU groups) on its
 * own server. The topology grid and the DMA mapping table are virtualised:
 * they must keep a bounded number of elements in the DOM however many groups
 * or mappings there are, and still find, scroll to and sort every one of them.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DmaPage } from '../pages/dma-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { LARGE_URL } from '../support/env.ts';
import { OperatorApi, type MappingSpec } from '../support/rest.ts';

const api = new OperatorApi(LARGE_URL);

/** far fewer than the groups / mappings: what fits the 1280×800 viewport plus the virtualiser's overscan */
const MAX_CARDS_IN_DOM = 60;
const MAX_ROWS_IN_DOM = 120;

test('the topology of the large scenario (200+ groups) stays virtualised, searchable and readable', async ({ page }) => {
  const topo = await api.topology();
  const groups = topo.groups.length;
  expect(groups).toBeGreaterThanOrEqual(200);
  const last = topo.groups.reduce((a, b) => (b.id > a.id ? b : a));
  const lastBdf = last.devices[0]!;

  const app = new AppPage(page, LARGE_URL);
  await app.login();
  const view = new TopologyPage(app);
  await expect(view.count).toHaveText(`${groups} groups`);
  await expect(view.summary).toContainText(`${groups} IOMMU groups`);
  await expect(view.summary).toContainText(`${topo.devices.length} devices`);
  await expect(view.renderedCards.first()).toBeVisible();
  await app.screenshot('topology-large');

  const atTop = await view.renderedCards.count();
  expect(atTop).toBeGreaterThan(0);
  expect(atTop).toBeLessThan(MAX_CARDS_IN_DOM);
  // the last group is not in the DOM until it is looked for
  await expect(page.getByTestId(`device-link-${lastBdf}`)).toHaveCount(0);

  // scrolled to the end, the grid swaps cards rather than adding them
  const topCard = await view.renderedCards.first().getAttribute('data-testid');
  await view.scrollToBottom();
  await expect.poll(() => view.renderedCards.first().getAttribute('data-testid')).not.toBe(topCard);
  expect(await view.renderedCards.count()).toBeLessThan(MAX_CARDS_IN_DOM);

  // searching the last group's BDF brings its card into view
  await view.scrollToBottom();
  const card = await view.groupOf(lastBdf);
  await expect(view.count).toHaveText(`1 of ${groups} groups`);
  await expect(card).toHaveAttribute('data-testid', `group-${last.id}`);
  await expect(card).toBeInViewport();
  await expect(card.getByTestId(`device-link-${lastBdf}`)).toBeInViewport();
});

/*
 * How many mappings: 65,535 (type1's default dma_entry_limit) does not fit
 * through HTTP in a test — every MAP_DMA is one request, one audit record and
 * one serialised kernel call, ~500 maps/s on the 2-core CI machine (measured
 * 460–540/s), i.e. over two minutes. The scenario's 64 MiB RLIMIT_MEMLOCK
 * also caps 4 KiB mappings at 16,384. 8,192 take ~15–18 s, which keeps the
 * whole test near 30 s; bench/ui-dma-scroll.bench.ts scrolls the full 65,535.
 */
const MAPPINGS = 8192;
const KiB = 1024n;

/** back-to-back 4 KiB mappings from 1 MiB up, every 64th one 64 KiB so sorting by size has something to move */
function layout(): MappingSpec[] {
  const out: MappingSpec[] = [];
  let iova = 0x100000n;
  for (let i = 0; i < MAPPINGS; i++) {
    const size = i % 64 === 31 ? 64n * KiB : 4n * KiB;
    out.push({ iova, size });
    iova += size;
  }
  return out;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

test(`the DMA table holds ${MAPPINGS.toLocaleString('en-US')} mappings virtualised, scrolls to the last and sorts`, async ({ page }) => {
  const mappings = layout();
  const group = await api.freeVfioGroup();
  const { container } = await api.openGroup(group);
  try {
    const t0 = Date.now();
    await api.mapAll(container, mappings);
    test.info().annotations.push({ type: 'map-dma', description: `${MAPPINGS} mappings in ${Date.now() - t0} ms over HTTP` });

    const app = new AppPage(page, LARGE_URL);
    await app.login(undefined, `#/dma/${container}`);
    const dma = new DmaPage(app);
    await expect(app.testId(`container-${container}`)).toBeVisible();
    await expect(dma.table).toHaveAttribute('data-rows', String(MAPPINGS));
    await expect(app.testId('mapping-count')).toContainText(`${MAPPINGS.toLocaleString('en-US')} mappings`);
    await expect(dma.entriesGauge).toHaveAttribute('data-used', String(MAPPINGS));

    const first = hex(mappings[0]!.iova);
    const last = hex(mappings.at(-1)!.iova);
    await expect(dma.row(first)).toBeInViewport();
    const rendered = await dma.renderedRows.count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(MAX_ROWS_IN_DOM);

    // dragged to the bottom: the last IOVA is on screen, the first is gone, the DOM stays small
    await dma.scrollTo('bottom');
    await expect(dma.row(last)).toBeInViewport();
    await expect(dma.row(first)).toHaveCount(0);
    expect(await dma.renderedRows.count()).toBeLessThan(MAX_ROWS_IN_DOM);

    // sorting flips the order of all rows, not just the rendered ones
    await dma.scrollTo('top');
    await dma.sortBy('iova').click(); // already by IOVA ascending: now descending
    await expect(dma.sortBy('iova')).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(() => dma.firstRenderedIova()).toBe(last);
    await expect(dma.row(last)).toBeInViewport();

    const largest = mappings.filter((m) => m.size === 64n * KiB).at(-1)!; // ties sort by IOVA, descending too
    await dma.sortBy('size').click();
    await expect(dma.sortBy('size')).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(() => dma.firstRenderedIova()).toBe(first);
    await dma.sortBy('size').click();
    await expect(dma.sortBy('size')).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(() => dma.firstRenderedIova()).toBe(hex(largest.iova));
    await expect(dma.row(hex(largest.iova))).toContainText('64 KiB');
    expect(await dma.renderedRows.count()).toBeLessThan(MAX_ROWS_IN_DOM);
  } finally {
    await api.unmapAll(container);
    await api.closeGroup(group);
  }
});
