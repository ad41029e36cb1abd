/**
 * From "not viable" to a VM's GPU in one place: the default host's second
 * GPU shares its group with its HDMI audio, which snd_hda_intel drives. The
 * device page shows the group's blockers; "Bind all blockers to vfio-pci…"
 * (confirmed, each bind audited) makes it viable and says what next.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEFAULT_URL, DEVICES, DOC_SCREENSHOTS, OPERATOR_TOKEN } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

const api = new OperatorApi(DEFAULT_URL);

test.afterEach(async ({ request }) => {
  // the scenario as it was: the audio function back on its host driver, the group not held
  const topo = await api.topology();
  const g = topo.groups.find((x) => x.devices.includes(DEVICES.blockedGpu));
  if (g?.container !== null && g !== undefined) await api.closeGroup(g.id);
  const res = await request.post(`/api/v1/devices/${DEVICES.blockedGpuAudio}/bind`, {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    data: { driver: 'snd_hda_intel' },
  });
  expect(res.ok()).toBe(true);
});

test('the device page shows why the GPU cannot be passed through, binds the blockers, and says what next', async ({ page }) => {
  const group = (await api.topology()).groups.find((g) => g.devices.includes(DEVICES.blockedGpu))!.id;
  const app = new AppPage(page);
  await app.login();
  const dev = new DevicePage(app);
  await dev.open(DEVICES.blockedGpu);

  // the group's viability and what blocks it, on the device's own page
  const panel = app.testId('device-group');
  await expect(panel).toHaveAttribute('data-viable', 'false');
  await expect(panel.getByTestId('blockers')).toContainText(`${DEVICES.blockedGpuAudio} → snd_hda_intel`);
  await expect(dev.openGroupButton).toBeDisabled();
  await app.screenshot('not-viable', DOC_SCREENSHOTS);

  // bind all blockers: confirmed, naming each device and the driver it leaves
  await panel.getByTestId(`bind-blockers-${group}`).click();
  await expect(app.testId('bind-plan')).toContainText(`${DEVICES.blockedGpuAudio} leaves snd_hda_intel`);
  await app.testId('confirm-ok').click();
  await expect(app.testId('toast').filter({ hasText: `${DEVICES.blockedGpuAudio} left snd_hda_intel` })).toBeVisible();
  await expect(panel).toHaveAttribute('data-viable', 'true');

  // what next: pass it to QEMU, or open it here — which takes it from any VM
  const next = panel.getByTestId('next-step');
  await expect(next).toContainText(`Group ${group} viable — pass it to QEMU with`);
  await expect(next.getByTestId('next-step-qemu')).toContainText(`-device vfio-pci,host=${DEVICES.blockedGpu}`);
  await expect(next).toContainText('takes it from any VM');
  await expect(dev.openGroupButton).toBeEnabled();

  // the group card says the same, and its Open asks first (a GPU is what VMs are given)
  const topo = new TopologyPage(app);
  await topo.open();
  const card = await topo.groupOf(DEVICES.blockedGpu);
  await expect(card).toHaveAttribute('data-viable', 'true');
  await expect(card.getByTestId('next-step')).toBeVisible();
  await card.getByTestId(`group-open-${group}`).click();
  await expect(app.testId('open-warning')).toContainText('takes it from any VM that would use it');
  await expect(app.testId('open-warning')).toContainText('resets each function');
  await app.testId('confirm-cancel').click();
  await expect(card.getByTestId(`group-open-${group}`)).toBeVisible();

  // each bind went through the audit log
  const events = await page.request.get(`/api/v1/events?kinds=action&text=${encodeURIComponent(DEVICES.blockedGpuAudio)}`, {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
  });
  expect(JSON.stringify(await events.json())).toContain('vfio-pci');
});
