/**
 * The demo scenario plays its script on cue (packages/host-sim/src/scenarios/demo.ts, README
 * "The demo's script"): every 90 s the cast is narrated at 00:03 and win11-cad's GPU storms at
 * 00:10. The demo server has been running for a while when this test starts, so it waits for
 * the next pass's first beat, then the second, and checks they came 7 s apart by the kernel
 * log's own timestamps (the narration is a line written to the sim's /dev/kmsg).
 */
import { expect, type Locator, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { EventsPage } from '../pages/events-page.ts';
import { DEMO_URL, DEVICES } from '../support/env.ts';

const LOOP_MS = 90_000;
const CAST = 'demo: r750-lab-07: three VMs hold';
const STORM = `demo: win11-cad's GPU ${DEVICES.vmGpu} storms on MSI-X vector 0`;

/** the newest row of `rows` (the view lists newest first): its seq and its kernel log time, or null when none is shown */
async function newest(rows: Locator): Promise<{ seq: number; tsUsec: number } | null> {
  if ((await rows.count()) === 0) return null;
  const row = rows.first();
  const seq = Number((await row.getAttribute('data-testid'))?.replace('event-', ''));
  const event = JSON.parse((await row.locator('.msg').getAttribute('title')) ?? '{}') as { data?: { tsUsec?: number } };
  return { seq, tsUsec: event.data?.tsUsec ?? Number.NaN };
}

test("demo: the script's first two beats reach the UI at their times — the cast at 00:03, the GPU's storm at 00:10", async ({ page }) => {
  test.setTimeout(4 * LOOP_MS);
  const app = new AppPage(page, DEMO_URL);
  await app.login(undefined, '#/events');
  const events = new EventsPage(app);
  await expect(events.view).toBeVisible();
  await events.search.fill('demo: ');
  const cast = events.rows('info').filter({ hasText: CAST });
  const storm = events.rows('info').filter({ hasText: STORM });

  // a pass whose storm is still to come: the one shown now if its storm line is not there yet, else the next
  const [shownCast, shownStorm] = [await newest(cast), await newest(storm)];
  const pending = shownCast !== null && (shownStorm === null || shownStorm.seq < shownCast.seq);
  const seen = shownCast === null ? -1 : pending ? shownCast.seq - 1 : shownCast.seq;
  await expect.poll(async () => (await newest(cast))?.seq ?? -1, { timeout: LOOP_MS + 30_000 }).toBeGreaterThan(seen);
  const first = (await newest(cast))!;

  // then the storm's line, after it, and the storm banner on win11-cad's GPU
  await expect.poll(async () => (await newest(storm))?.seq ?? -1, { timeout: 30_000 }).toBeGreaterThan(first.seq);
  const second = (await newest(storm))!;
  const apartMs = (second.tsUsec - first.tsUsec) / 1000;
  expect(apartMs).toBeGreaterThanOrEqual(6_000);
  expect(apartMs).toBeLessThanOrEqual(10_000);
  await expect(app.stormBanner).toHaveAttribute('data-active', 'true', { timeout: 30_000 });
  await expect(app.stormBanner).toHaveAttribute('data-bdf', DEVICES.vmGpu);
  await expect(app.testId('storm-owner')).toHaveText('VM win11-cad · pid 4242');
});
