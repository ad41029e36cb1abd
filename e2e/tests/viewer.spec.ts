/** A viewer token reads everything and finds every action disabled, with the reason. */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEVICES, VIEWER_TOKEN } from '../support/env.ts';

test('viewer login: read-only, actions disabled with the reason', async ({ page }) => {
  const app = new AppPage(page);
  await app.login(VIEWER_TOKEN);
  await expect(app.role).toHaveText('viewer');
  await expect(app.testId('role-note')).toContainText('Viewer role');

  const topo = new TopologyPage(app);
  const card = await topo.groupOf(DEVICES.freeNvme);
  const open = card.locator('[data-testid^="group-open-"], [data-testid^="group-close-"]');
  await expect(open).toBeDisabled();
  await expect(open).toHaveAttribute('data-disabled-reason', /Viewer role/);

  const dev = new DevicePage(app);
  await dev.open(DEVICES.edu);
  // whether or not another test left the group open, no action is enabled
  const actions = page.locator('[data-testid="device-view"] button[data-disabled-reason]');
  await expect(actions.first()).toBeVisible();
  for (const b of await actions.all()) {
    await expect(b).toBeDisabled();
    await expect(b).toHaveAttribute('title', /Viewer role/);
  }
  await expect(
    page
      .locator('[data-testid="device-view"] button.btn:not(.ghost):enabled')
      .filter({ hasText: /Reset|Open group|Enable|Mask|Unmask|Write|Read/ }),
  ).toHaveCount(0);
});

test("an unknown token gets the login screen with the server's answer", async ({ page }) => {
  await page.goto('/?token=not-a-valid-token#/topology');
  await expect(page.getByTestId('login')).toBeVisible();
  await expect(page.getByTestId('login-error')).toContainText('EAUTH');
});
