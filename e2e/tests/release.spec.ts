/**
 * Release and Open on a group card: both confirm first when they take
 * something (what Release tears down; that Open takes a VM's device), and
 * their results are toasts, which survive the card moving to another section.
 */
import { expect, type APIRequestContext, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEFAULT_URL, DEVICES, OPERATOR_TOKEN } from '../support/env.ts';
import { OperatorApi } from '../support/rest.ts';

const api = new OperatorApi(DEFAULT_URL);
const MiB = 1n << 20n;

async function groupOf(bdf: string) {
  return (await api.topology()).groups.find((g) => g.devices.includes(bdf))!;
}

/** the group free again, whatever an earlier test left */
async function release(bdf: string): Promise<void> {
  const g = await groupOf(bdf);
  if (g.container !== null) await api.closeGroup(g.id);
}

async function wireIrq(request: APIRequestContext, bdf: string, index: string): Promise<void> {
  const res = await request.post(`/api/v1/devices/${bdf}/irqs/${index}`, {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    data: { action: 'trigger', start: 0, count: 1 },
  });
  expect(res.ok()).toBe(true);
}

test.afterEach(async () => {
  await release(DEVICES.edu);
  await release(DEVICES.freeNvme);
  await release(DEVICES.freeVf);
});

test('Release says what it tears down before it does, and answers in a toast', async ({ page, request }) => {
  await release(DEVICES.edu);
  const { group, container } = await api.openGroup((await groupOf(DEVICES.edu)).id);
  await api.map(container, { iova: 0x100000n, size: 2n * MiB });
  await api.map(container, { iova: 0x400000n, size: 2n * MiB });
  await wireIrq(request, DEVICES.edu, 'INTX');

  const app = new AppPage(page);
  await app.login();
  const topo = new TopologyPage(app);
  const card = await topo.groupOf(DEVICES.edu);
  await card.getByTestId(`group-close-${group}`).click();
  const plan = app.testId('release-plan');
  await expect(plan).toContainText(`INTx wired on ${DEVICES.edu} (1 vector) — disabled`);
  await expect(plan).toContainText(
    `2 mappings, 4 MiB pinned — unmapped and unpinned: group ${group} is container ${container}'s last group`,
  );
  await expect(plan).toContainText("the group's device fds closed");
  // nothing happened yet
  await app.testId('confirm-cancel').click();
  expect((await groupOf(DEVICES.edu)).container).toBe(container);

  await card.getByTestId(`group-close-${group}`).click();
  await app.testId('confirm-ok').click();
  const toast = app.testId('toast').filter({ hasText: `Group ${group} released` });
  await expect(toast).toBeVisible();
  await expect(toast).toContainText(`torn down: 2 mappings, 4 MiB pinned, INTx wired on ${DEVICES.edu}`);
  // the card moved to "Not held" (it offers Open again); the answer did not go with it
  await expect(card.getByTestId(`group-open-${group}`)).toBeVisible();
  await expect(app.testId('section-free')).toBeVisible();
  await expect(toast).toBeVisible();
});

test('releasing one group of a shared container says the mappings stay with the container', async ({ page }) => {
  await release(DEVICES.edu);
  await release(DEVICES.freeNvme);
  const edu = await api.openGroup((await groupOf(DEVICES.edu)).id);
  const nvme = (await groupOf(DEVICES.freeNvme)).id;
  const res = await fetch(`${DEFAULT_URL}/api/v1/groups/${nvme}/open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ container: edu.container }),
  });
  expect(res.ok).toBe(true);
  await api.map(edu.container, { iova: 0x100000n, size: 2n * MiB });

  const app = new AppPage(page);
  await app.login();
  const card = await new TopologyPage(app).groupOf(DEVICES.edu);
  await card.getByTestId(`group-close-${edu.group}`).click();
  await expect(app.testId('release-plan')).toContainText(
    `1 mapping, 2 MiB pinned stay with container ${edu.container}: group ${nvme} still holds it`,
  );
  await app.testId('confirm-ok').click();
  await expect(app.testId('toast').filter({ hasText: `Group ${edu.group} released` })).toContainText(`kept by container ${edu.container}`);
});

test("Open asks first when the group holds a VM's kind of device, and not for a test device", async ({ page }) => {
  await release(DEVICES.freeVf);
  await release(DEVICES.edu);
  const app = new AppPage(page);
  await app.login();
  const topo = new TopologyPage(app);

  // a free E810 VF on vfio-pci: what a VM would be given
  const vf = (await groupOf(DEVICES.freeVf)).id;
  let card = await topo.groupOf(DEVICES.freeVf);
  await card.getByTestId(`group-open-${vf}`).click();
  await expect(app.testId('open-warning')).toContainText('takes it from any VM that would use it');
  await expect(app.testId('open-warning')).toContainText('vfio-pci also resets each function when its device fd opens');
  await app.testId('confirm-cancel').click();
  expect((await groupOf(DEVICES.freeVf)).container).toBeNull();

  // the edu test device opens at once; the result is a toast
  const edu = (await groupOf(DEVICES.edu)).id;
  card = await topo.groupOf(DEVICES.edu);
  await card.getByTestId(`group-open-${edu}`).click();
  await expect(app.testId('confirm-dialog')).toHaveCount(0);
  await expect(app.testId('toast').filter({ hasText: `Group ${edu} opened in container` })).toBeVisible(); // a type1 container on this host
});
