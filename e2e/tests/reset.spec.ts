/**
 * Reset that tells the truth, on the default host's second GPU (98:00.0): its
 * device page lists the reset methods with what each does, says VFIO offers
 * VFIO_DEVICE_RESET and what a hot reset takes along (the GPU and its HDMI
 * audio on bus 0x98); a reset leaves it reading all-ones (the sim's model of
 * the GPU reset bug), and the page says it did not come back rather than
 * showing a tick. The hot reset asks first with the list of what it takes. The
 * panel is live: a reset another operator does shows without a reload.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { DEFAULT_URL, DEVICES, OPERATOR_TOKEN } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

const api = new OperatorApi(DEFAULT_URL);
const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };

test.beforeEach(async ({ request }) => {
  const res = await request.post(`/api/v1/devices/${DEVICES.blockedGpuAudio}/bind`, { headers: auth, data: { driver: 'vfio-pci' } });
  expect(res.ok()).toBe(true);
});

test.afterEach(async ({ request }) => {
  // the scenario as it was: the group released, the audio function back on its host driver
  const g = (await api.topology()).groups.find((x) => x.devices.includes(DEVICES.blockedGpu));
  if (g !== undefined && g.container !== null) await api.closeGroup(g.id);
  const res = await request.post(`/api/v1/devices/${DEVICES.blockedGpuAudio}/bind`, { headers: auth, data: { driver: 'snd_hda_intel' } });
  expect(res.ok()).toBe(true);
});

test('the GPU page explains its reset, says a reset left it reading all-ones, and confirms a hot reset with what it takes', async ({
  page,
}) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.blockedGpu);
  await dev.ensureHeld();

  const panel = app.testId('device-reset-panel');
  await expect(panel.getByTestId('reset-methods')).toContainText('Function Level Reset');
  await expect(panel.getByTestId('reset-vfio')).toHaveAttribute('data-offered', 'true');
  await expect(panel.getByTestId('reset-hot-devices')).toContainText(DEVICES.blockedGpu);
  await expect(panel.getByTestId('reset-hot-devices')).toContainText(DEVICES.blockedGpuAudio);

  await dev.reset();
  await expect(dev.resetAnswer).toHaveAttribute('data-came-back', 'false');
  await expect(dev.resetAnswer).toContainText('did not come back');
  await expect(panel.getByTestId('reset-last')).toHaveAttribute('data-came-back', 'false');

  await panel.getByTestId('device-hot-reset').click();
  const list = app.testId('hot-reset-confirm-list');
  await expect(list).toContainText(DEVICES.blockedGpu);
  await expect(list).toContainText(DEVICES.blockedGpuAudio);
  await app.testId('confirm-ok').click();
  await expect(panel.getByTestId('hot-reset-answer')).toHaveAttribute('data-status', 'ok');
  await expect(panel.getByTestId('hot-reset-verification').filter({ hasText: DEVICES.blockedGpu })).toHaveAttribute(
    'data-came-back',
    'false',
  );

  // the event log has it as an alert on the GPU
  const events = await (await page.request.get('/api/v1/events?kinds=alert', { headers: auth })).json();
  expect(
    events.events.some(
      (e: { device?: string; message: string }) => e.device === DEVICES.blockedGpu && e.message.includes('did not come back'),
    ),
  ).toBe(true);
});

test('a reset another operator does shows on the open page without a reload', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.blockedGpu);
  await dev.ensureHeld();
  const panel = app.testId('device-reset-panel');
  await expect(panel.getByTestId('reset-hot-devices')).toContainText(DEVICES.blockedGpuAudio);

  // from its second reset on (opening the group resets it too) the GPU reads all-ones
  const res = await page.request.post(`/api/v1/devices/${DEVICES.blockedGpu}/reset`, { headers: auth });
  expect(res.ok()).toBe(true);
  const { verification } = await res.json();
  expect(verification.cameBack).toBe(false);

  const last = panel.getByTestId('reset-last');
  await expect(last).toHaveAttribute('data-came-back', 'false');
  await expect(last).toContainText('did not come back');
  // this reset's verification, not an earlier one's
  await expect(panel.getByTestId('reset-last-section')).toHaveAttribute('data-ts', String(verification.ts));
});

test('edu: no reset method and no VFIO reset', async ({ page }) => {
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.edu);
  await dev.ensureHeld();
  const panel = app.testId('device-reset-panel');
  await expect(panel.getByTestId('reset-methods-none')).toBeVisible();
  await expect(panel.getByTestId('reset-vfio')).toHaveAttribute('data-offered', 'false');
});
