/** Binding a device to vfio-pci makes its group viable (sysfs driver_override + drivers_probe). */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { DEVICES, OPERATOR_TOKEN } from '../support/env.ts';

test.afterEach(async ({ request }) => {
  // give the SATA controller back to its host driver, as the scenario has it
  const res = await request.post(`/api/v1/devices/${DEVICES.sata}/bind`, {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    data: { driver: 'ahci' },
  });
  expect(res.ok()).toBe(true);
});

test('bind a host-driven device to vfio-pci, after confirming, and its group becomes viable', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.sata);
  await expect(app.testId('device-driver')).toContainText('ahci');
  await expect(dev.openGroupButton).toBeDisabled();
  await expect(dev.openGroupButton).toHaveAttribute('data-disabled-reason', 'group is not viable');

  await app.testId('device-bind-vfio').click();
  await expect(app.testId('confirm-dialog')).toContainText('ahci');
  await app.testId('confirm-ok').click();
  await expect(app.testId('bind-answer')).toHaveAttribute('data-status', 'ok');
  await expect(app.testId('device-driver')).toContainText('vfio-pci');
  await expect(dev.openGroupButton).toBeEnabled();
});
