/** The event log: actions and errors appear live and can be filtered. */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { EventsPage } from '../pages/events-page.ts';
import { DEVICES } from '../support/env.ts';

test('actions and their errors show up live in the event log', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const events = new EventsPage(app);
  await events.open();
  await expect(events.rows().first()).toBeVisible();
  const before = await events.total();

  // a failing action from another view lands in the log with its errno
  const dev = new DevicePage(app);
  await dev.open(DEVICES.edu);
  await dev.ensureHeld();
  await dev.reset();
  await expect(dev.resetAnswer).toHaveAttribute('data-errno', 'EINVAL');

  await events.open();
  await expect.poll(() => events.total()).toBeGreaterThan(before);
  await events.search.fill('EINVAL');
  await expect(events.rows().first()).toContainText('EINVAL');
  await events.search.fill('');
  await expect.poll(async () => (await events.shown()) === (await events.total())).toBe(true);
  const all = await events.shown();
  await events.kindToggle('action').click();
  await expect(events.rows('action')).toHaveCount(0);
  await expect.poll(() => events.shown()).toBeLessThan(all);
  await events.kindToggle('action').click();
  await app.screenshot('events');
});
