/**
 * Confirmations are real modals (#9 §2): focus starts on Cancel, Tab and
 * Shift+Tab stay inside, Escape cancels, and focus goes back to the button
 * that opened the dialog. Disabled actions say why in visible text, not only
 * in a tooltip that keyboard and touch users never see. Toasts outlive the
 * view that produced them and close from the keyboard.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEFAULT_URL, DEVICES, VIEWER_TOKEN } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

const api = new OperatorApi(DEFAULT_URL);

/** the data-testid of the focused element ('' when none, 'BODY' when focus fell to the page) */
function focused(page: Page): Promise<string> {
  // a string: this file is typechecked without the DOM lib
  return page.evaluate("(() => { const el = document.activeElement; return el ? (el.getAttribute('data-testid') ?? el.tagName) : ''; })()");
}

function focusInsideDialog(page: Page): Promise<boolean> {
  return page.evaluate(
    '(() => { const d = document.querySelector(\'[data-testid="confirm-dialog"]\'); return !!d && d.contains(document.activeElement); })()',
  );
}

test('the Reset confirm traps focus, cancels on Escape and gives focus back to Reset', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.freeNvme);
  const dialog = app.testId('confirm-dialog');
  let opened: number | null = null;
  if (!(await dev.held.isVisible())) {
    opened = (await api.topology()).groups.find((g) => g.devices.includes(DEVICES.freeNvme))?.id ?? null;
    // opening a vfio-pci group may itself ask first (it takes the group from a VM that would use it)
    await dev.openGroupButton.click();
    await expect(dev.held.or(dialog)).toBeVisible();
    if (await dialog.isVisible()) await app.testId('confirm-ok').click();
    await expect(dev.held).toBeVisible();
  }

  // opened from the keyboard
  await dev.resetButton.focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect.poll(() => focused(page)).toBe('confirm-cancel');

  // Tab cycles Cancel → Reset device → Cancel …, never out to the page behind
  await page.keyboard.press('Tab');
  await expect.poll(() => focused(page)).toBe('confirm-ok');
  await page.keyboard.press('Tab');
  await expect.poll(() => focused(page)).toBe('confirm-cancel');
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    expect(await focusInsideDialog(page)).toBe(true);
  }
  // Shift+Tab from the first control wraps to the last
  await app.testId('confirm-cancel').focus();
  await page.keyboard.press('Shift+Tab');
  await expect.poll(() => focused(page)).toBe('confirm-ok');
  await page.keyboard.press('Shift+Tab');
  await expect.poll(() => focused(page)).toBe('confirm-cancel');

  // Escape cancels: no reset happened, focus is back on Reset
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(dev.resetAnswer).toHaveCount(0);
  await expect.poll(() => focused(page)).toBe('device-reset');

  // opened with the mouse and cancelled with the Cancel button: focus back on Reset too
  await dev.resetButton.click();
  await expect(dialog).toBeVisible();
  await app.testId('confirm-cancel').click();
  await expect(dialog).toHaveCount(0);
  await expect.poll(() => focused(page)).toBe('device-reset');
  // leave the server as found: other specs need a free vfio-pci group
  if (opened !== null) await api.closeGroup(opened);
});

test('a disabled action shows its reason as visible text, linked to the button', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.bmcVga);
  await expect(dev.openGroupButton).toBeDisabled();
  await expect(dev.openGroupButton).toHaveAttribute('data-disabled-reason', 'group is not viable');
  const describedBy = await dev.openGroupButton.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  const reason = page.locator(`[id="${describedBy}"]`);
  await expect(reason).toBeVisible();
  await expect(reason).toHaveText('group is not viable');
  await expect(dev.openGroupButton).toHaveAccessibleDescription('group is not viable');
});

test('a viewer sees one short visible "read-only" per group of actions, and the role note once', async ({ page }) => {
  const app = new AppPage(page);
  await app.login(VIEWER_TOKEN);
  const dev = new DevicePage(app);
  await dev.open(DEVICES.freeNvme);
  await expect(app.testId('role-note')).toHaveCount(1);
  await expect(app.testId('role-note')).toContainText('Viewer role');
  const open = dev.openGroupButton.or(dev.resetButton);
  await expect(open.first()).toBeDisabled();
  // the tag sits in the button's own row, and says it briefly
  const tag = open.first().locator('xpath=..').getByTestId('action-readonly');
  await expect(tag).toBeVisible();
  await expect(tag).toHaveText('read-only');
  // never the long sentence repeated as visible text per button
  await expect(page.getByTestId('action-reason')).toHaveCount(0);
});

test("toasts: an action's result outlives the view, closes from the keyboard, and ok ones fade by themselves", async ({ page }) => {
  const group = await api.freeVfioGroup();
  const bdf = (await api.topology()).groups.find((g) => g.id === group)!.devices[0]!;
  const app = new AppPage(page);
  await app.login();
  const topo = new TopologyPage(app);
  const card = await topo.groupOf(bdf);
  await card.getByTestId(`group-open-${group}`).click();
  // opening may ask first (it takes the group from a VM that would use it)
  const dialog = app.testId('confirm-dialog');
  await expect(dialog.or(app.testId('toast'))).toBeVisible();
  if (await dialog.isVisible()) await app.testId('confirm-ok').click();
  const opened = app.testId('toast').filter({ hasText: `Group ${group}` });
  await expect(opened).toHaveAttribute('data-tone', 'ok');
  await expect(opened).toHaveAttribute('role', 'status');

  // another view: the toast is mounted above the views, so it stays
  await app.go('#/events');
  await expect(app.testId('events-view')).toBeVisible();
  await expect(opened).toBeVisible();
  // its close button is a real button: reachable and usable from the keyboard
  const close = opened.getByTestId('toast-close');
  await close.focus();
  await expect(close).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(opened).toHaveCount(0);

  // an ok toast goes by itself after a few seconds (errors stay until closed: unit-tested in toasts.test.ts)
  await topo.open();
  const again = await topo.groupOf(bdf);
  await again.getByTestId(`group-close-${group}`).click();
  const released = app.testId('toast').filter({ hasText: `Group ${group} released` });
  await expect(dialog.or(released)).toBeVisible();
  if (await dialog.isVisible()) await app.testId('confirm-ok').click();
  await expect(released).toBeVisible();
  await expect(released).toHaveCount(0, { timeout: 15_000 });
});
