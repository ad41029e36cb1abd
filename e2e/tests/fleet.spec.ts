/**
 * A fleet (#12 §2): three sim servers — rack-default, rack-storm, rack-edu —
 * and a fleet server ("hub", edu scenario, `serve --peers`) in front of them,
 * each the built CLI in its own process on loopback (support/fleet.ts). The
 * browser signs in to the hub only; the peers' tokens never reach it.
 *   - the Fleet page lists the four hosts up, the storm host flagged (and
 *     rack-default for its nearly full memlock, none of the others);
 *   - drilling into rack-default, a group opened and DMA mapped through the
 *     UI land in both audit logs: the hub's names the host and the person,
 *     the peer's names the hub's token acting for that person;
 *   - a stopped peer is shown down within 5 s and comes back by itself when
 *     it is started again on the same port;
 *   - the host switcher switches the topology view to another host.
 * Every wait is a deadline on a condition: the machine is a loaded 2-core box.
 */
import { expect, test } from '@playwright/test';
import type { HostSummary, TopologyResponse } from '@vfioscope/protocol';
import { AppPage } from '../pages/app-page.ts';
import { DmaPage } from '../pages/dma-page.ts';
import { FleetPage } from '../pages/fleet-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEVICES } from '../support/env.ts';
import { Fleet, FLEET_HUMAN, HUB_TOKEN_ID } from '../support/fleet.ts';

test.describe.configure({ mode: 'serial' });

const RACKS = [
  { name: 'rack-default', scenario: 'default' },
  { name: 'rack-storm', scenario: 'storm' },
  { name: 'rack-edu', scenario: 'edu' },
] as const;
const HOSTS = ['hub', ...RACKS.map((r) => r.name)];
/** what the hub writes as the person behind a proxied action, and the peer records beside the hub's token */
const HUMAN = `${FLEET_HUMAN} (operator)`;

let fleet: Fleet;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  fleet = await Fleet.start({ peers: RACKS });
});

test.afterAll(async () => {
  await fleet?.close();
});

async function host(name: string): Promise<HostSummary | undefined> {
  return (await fleet.hosts()).find((h) => h.name === name);
}

async function signIn(app: AppPage, hash = '#/fleet'): Promise<FleetPage> {
  await app.page.goto(fleet.loginUrl(hash));
  await expect(app.testId('app')).toBeVisible({ timeout: 30_000 });
  await expect(app.connection).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  return new FleetPage(app);
}

test('GET /hosts on the hub: itself and the three racks up, only the storm rack counting a storm', async () => {
  test.setTimeout(90_000);
  await expect
    .poll(async () => (await fleet.hosts()).map((h) => [h.name, h.state, h.figures !== null]), { timeout: 60_000 })
    .toEqual(HOSTS.map((n) => [n, 'up', true]));
  // the storm scenario's VF storms 3 s after its start
  await expect.poll(async () => (await host('rack-storm'))?.figures?.alerts.storms ?? 0, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  for (const name of ['hub', 'rack-default', 'rack-edu']) expect((await host(name))?.figures?.alerts.storms, name).toBe(0);
  // a per-host route answers with that host's own data
  const own = await fleet.peerGet<TopologyResponse>('rack-default', '/topology');
  const proxied = await fleet.hubGet<TopologyResponse>('/hosts/rack-default/topology');
  expect(proxied.groups.map((g) => g.id)).toEqual(own.groups.map((g) => g.id));
});

test('the Fleet page: four hosts up, the storm host flagged with its storm, rack-default for its memlock, the quiet ones not', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const app = new AppPage(page, fleet.hub.base);
  const fp = await signIn(app, '#/topology');
  // the hub lists more than one host, so the rail links the Fleet page
  await expect(fp.navLink).toBeVisible({ timeout: 30_000 });
  await fp.navLink.click();
  await expect(fp.view).toBeVisible();
  expect(await fp.hash()).toBe('#/fleet');
  await expect(fp.rows).toHaveCount(HOSTS.length, { timeout: 30_000 });
  for (const name of HOSTS) await expect(fp.row(name)).toHaveAttribute('data-state', 'up', { timeout: 30_000 });
  await expect(fp.row('rack-storm')).toHaveAttribute('data-trouble', 'true', { timeout: 60_000 });
  await expect.poll(() => fp.storms('rack-storm'), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  for (const name of ['hub', 'rack-default', 'rack-edu']) await expect(fp.row(name)).toHaveAttribute('data-storms', '0');
  for (const name of ['hub', 'rack-edu']) await expect(fp.row(name)).toHaveAttribute('data-trouble', 'false');
  // rack-default has no storm, but its win11-cad VM has pinned nearly all of its RLIMIT_MEMLOCK (the default
  // scenario's): that is trouble too, as it is for the memlock-headroom alert rule; the row says so
  const memlock = (await host('rack-default'))?.figures?.memlock;
  expect(memlock?.free).toBeLessThan(0.1);
  await expect(fp.row('rack-default')).toHaveAttribute('data-trouble', 'true');
  await expect(fp.row('rack-default')).toContainText('memlock');

  // filter and sort are there and act on the rows
  await fp.filter.fill('storm');
  await expect(fp.rows).toHaveCount(1);
  await expect(fp.row('rack-storm')).toBeVisible();
  await fp.filter.fill('');
  await expect(fp.rows).toHaveCount(HOSTS.length);
  await expect(fp.sort).toBeVisible();
});

test('drill into rack-default, open a group and map DMA through the UI: both audit logs have it', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page, fleet.hub.base);
  const fp = await signIn(app);
  await expect(fp.row('rack-default')).toHaveAttribute('data-state', 'up', { timeout: 30_000 });
  await fp.link('rack-default').click();
  await expect.poll(() => fp.hash()).toBe('#/hosts/rack-default/topology');
  await expect(fp.root).toHaveAttribute('data-host', 'rack-default');

  // the free E810 VF, alone in its group on vfio-pci (the default scenario's), opened from its card
  const topo = new TopologyPage(app);
  await expect(topo.view).toBeVisible({ timeout: 30_000 });
  const before = await fleet.hubGet<TopologyResponse>('/hosts/rack-default/topology');
  const group = before.groups.find((g) => g.devices.includes(DEVICES.freeVf))!;
  expect(group.container).toBeNull();
  const card = await topo.groupOf(DEVICES.freeVf);
  await card.getByTestId(`group-open-${group.id}`).click();
  // opening a VM's kind of device asks first
  const dialog = app.testId('confirm-dialog');
  await expect(dialog.or(app.testId('toast'))).toBeVisible();
  if (await dialog.isVisible()) await app.testId('confirm-ok').click();
  await expect(app.testId('toast').filter({ hasText: `Group ${group.id} opened` })).toBeVisible({ timeout: 30_000 });
  // the peer itself holds it now (asked directly, not through the hub)
  let container = -1;
  await expect
    .poll(
      async () => {
        const g = (await fleet.peerGet<TopologyResponse>('rack-default', '/topology')).groups.find((x) => x.id === group.id);
        container = g?.container ?? -1;
        return container;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(0);

  // the container's "DMA mappings" link (the opened group is drawn inside its container) leads to that
  // host's DMA view, where the map form maps
  await app
    .testId(`cluster-${container}`)
    .getByRole('link', { name: /DMA mappings/ })
    .click();
  await expect.poll(() => fp.hash()).toBe(`#/hosts/rack-default/dma/${container}`);
  const dma = new DmaPage(app);
  await expect(app.testId(`container-${container}`)).toBeVisible({ timeout: 30_000 });
  await dma.map('0x100000', '2', 'MiB');
  await expect(dma.mapAnswer).toHaveAttribute('data-status', 'ok');
  await expect(dma.row('0x100000')).toBeVisible({ timeout: 30_000 });

  // the hub's audit log: the person, the action, the host
  await expect
    .poll(() => fleet.hubAudit().filter((r) => r.phase !== 'refusals' && r.host === 'rack-default'), { timeout: 15_000 })
    .toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          phase: 'intent',
          action: 'group.open',
          tokenId: FLEET_HUMAN,
          role: 'operator',
          params: { group: String(group.id) },
        }),
        expect.objectContaining({ phase: 'result', action: 'group.open', ok: true }),
        expect.objectContaining({
          phase: 'intent',
          action: 'dma.map',
          tokenId: FLEET_HUMAN,
          role: 'operator',
          params: expect.objectContaining({ id: String(container), iova: '0x100000', size: '0x200000' }),
        }),
        expect.objectContaining({ phase: 'result', action: 'dma.map', ok: true }),
      ]),
    );
  // the peer's: the hub's token, acting for that person
  await expect
    .poll(() => fleet.peerAudit('rack-default').filter((r) => r.phase === 'intent' || r.phase === 'result'), { timeout: 15_000 })
    .toEqual([
      expect.objectContaining({ phase: 'intent', action: 'group.open', tokenId: HUB_TOKEN_ID, role: 'operator', onBehalfOf: HUMAN }),
      expect.objectContaining({ phase: 'result', action: 'group.open', ok: true, tokenId: HUB_TOKEN_ID, onBehalfOf: HUMAN }),
      expect.objectContaining({
        phase: 'intent',
        action: 'dma.map',
        tokenId: HUB_TOKEN_ID,
        onBehalfOf: HUMAN,
        params: expect.objectContaining({ iova: '0x100000' }),
      }),
      expect.objectContaining({ phase: 'result', action: 'dma.map', ok: true, tokenId: HUB_TOKEN_ID, onBehalfOf: HUMAN }),
    ]);
  // and the hub's own host was not touched
  expect(fleet.hubAudit().filter((r) => r.phase === 'intent' && r.host === undefined)).toEqual([]);
});

test('a stopped peer is shown down within 5 s, greyed, and comes back by itself when restarted', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page, fleet.hub.base);
  const fp = await signIn(app);
  const row = fp.row('rack-edu');
  await expect(row).toHaveAttribute('data-state', 'up', { timeout: 30_000 });

  const kernel = (await host('rack-edu'))?.figures?.kernel ?? '';
  expect(kernel).toMatch(/\S/);
  await expect(row).toContainText(kernel);
  await expect(row.locator('td').nth(2)).toHaveCSS('opacity', '1');

  expect(await fleet.stopPeer('rack-edu')).toBe(0);
  const stoppedAt = Date.now();
  await expect(row).toHaveAttribute('data-state', 'down', { timeout: 5_000 });
  const shownDownAfter = Date.now() - stoppedAt;
  console.log(`rack-edu shown down ${shownDownAfter} ms after it stopped`);
  expect(shownDownAfter).toBeLessThan(5_000);
  await expect(row).toContainText('down');
  // its last known figures stay, greyed
  await expect(row).toContainText(kernel);
  await expect(row.locator('td').nth(2)).not.toHaveCSS('opacity', '1');
  // the others stay up
  for (const name of ['hub', 'rack-default', 'rack-storm']) await expect(fp.row(name)).toHaveAttribute('data-state', 'up');
  expect((await host('rack-edu'))?.state).toBe('down');

  await fleet.startPeer('rack-edu');
  const restartedAt = Date.now();
  await expect(row).toHaveAttribute('data-state', 'up', { timeout: 60_000 });
  console.log(`rack-edu shown up again ${Date.now() - restartedAt} ms after it answered /health`);
  await expect(row).not.toContainText('down');
  await expect(row.locator('td').nth(2)).toHaveCSS('opacity', '1');
  expect((await host('rack-edu'))?.state).toBe('up');
});

test('the host switcher switches the topology view to another host', async ({ page }) => {
  test.setTimeout(120_000);
  // a device only rack-edu has, and one only rack-default has (the free E810 VF)
  const [eduTopo, defaultTopo] = await Promise.all([
    fleet.peerGet<TopologyResponse>('rack-edu', '/topology'),
    fleet.peerGet<TopologyResponse>('rack-default', '/topology'),
  ]);
  const onDefault = new Set(defaultTopo.devices.map((d) => d.bdf));
  const eduOnly = eduTopo.devices.find((d) => !onDefault.has(d.bdf))?.bdf;
  expect(eduOnly, 'a device of the edu scenario that the default one lacks').toBeDefined();
  expect(eduTopo.devices.some((d) => d.bdf === DEVICES.freeVf)).toBe(false);

  const app = new AppPage(page, fleet.hub.base);
  const fp = await signIn(app, '#/hosts/rack-default/topology');
  const topo = new TopologyPage(app);
  await expect(topo.view).toBeVisible({ timeout: 30_000 });
  await expect(fp.root).toHaveAttribute('data-host', 'rack-default');
  await expect(fp.switcher).toHaveValue('rack-default');
  expect(await fp.switcherHosts()).toEqual(HOSTS);
  await topo.search.fill(DEVICES.freeVf);
  await expect(app.testId(`device-link-${DEVICES.freeVf}`)).toHaveCount(1, { timeout: 30_000 });

  await fp.switcher.selectOption('rack-edu');
  await expect(fp.root).toHaveAttribute('data-host', 'rack-edu');
  await expect.poll(() => fp.hash()).toBe('#/hosts/rack-edu/topology');
  await expect(topo.view).toBeVisible();
  await topo.search.fill(DEVICES.freeVf);
  await expect(app.testId(`device-link-${DEVICES.freeVf}`)).toHaveCount(0, { timeout: 30_000 });
  await topo.search.fill(eduOnly!);
  await expect(app.testId(`device-link-${eduOnly}`)).toHaveCount(1, { timeout: 30_000 });

  // the server's own host (the switcher names it with the hosts/<name>/ prefix, which the hub serves locally)
  await fp.switcher.selectOption('hub');
  await expect(fp.root).toHaveAttribute('data-host', 'hub');
  await expect.poll(() => fp.hash()).toMatch(/^#\/(hosts\/hub\/)?topology$/);
  await topo.search.fill(DEVICES.freeVf);
  await expect(app.testId(`device-link-${DEVICES.freeVf}`)).toHaveCount(0, { timeout: 30_000 });
  // and a route without the prefix is the server's own host too
  await app.go('#/hosts/rack-default/topology');
  await expect(fp.root).toHaveAttribute('data-host', 'rack-default');
  await app.go('#/topology');
  await expect(fp.root).toHaveAttribute('data-host', 'hub');
  await expect(fp.switcher).toHaveValue('hub');
  await expect(topo.view).toBeVisible();
});
