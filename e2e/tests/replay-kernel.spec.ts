/**
 * A real kernel's recording replays (#14 §2): the kernel bed's live step
 * (e2e/kernel/live-check.ts) records its server on the linux backend while it
 * raises an edu INTx, maps DMA, is refused a reset and a map over its memlock
 * limit, and a QEMU VM holds the other edu and makes DMAR faults; the file is
 * <out>/live.vfr (6.1: e2e/kernel/.work/out, type1; 6.12-cdev:
 * .work/guest-6.12-cdev/out, iommufd). scripts/test.sh's kernel stage
 * (e2e/kernel/run-all.sh) runs this spec alone after the guests, once per
 * recording, its path in VFIOSCOPE_KERNEL_RECORDING (playwright.config.ts
 * leaves the spec out otherwise); a missing file fails it. A second server
 * replays the file and the browser,
 * at known moments taken from the recording's own marks, sees:
 *   - the replay bar naming a linux host and its kernel;
 *   - halfway between the map and the unmap: the edu's INTx counted on the
 *     interrupts view and its device page, the mapping in the DMA view's table;
 *   - "next kernel fault", then play: the VM's DMAR fault in the Events view,
 *     the VM as the group's owner; played on, the device's page with the VM
 *     as its holder, the fault in its kernel messages, its MSI vector counted.
 * Every wait is a deadline on a condition (a loaded 2-core machine).
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ReplayResponse } from '@vfioscope/protocol';
import { OPERATOR } from '../abuse/server-process.ts';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { DmaPage } from '../pages/dma-page.ts';
import { InterruptsPage } from '../pages/interrupts-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { marksOf, type ReplayServer, startReplayServer } from '../support/replay-server.ts';

const RECORDING = process.env.VFIOSCOPE_KERNEL_RECORDING;
/** what live-check maps (e2e/kernel/live-check.ts) and where the VM's first DMA faults (live-vm.ts FIRST_FAULT) */
const MAPPED = { iova: '0x100000', pages: 4 };
const FAULT_ADDRESS = '0xc000000';

test.describe.configure({ mode: 'serial' });

let server: ReplayServer;
let replay: ReplayResponse;
/** the edu live-check drives, the container it maps into, a moment its mapping is held; the VM's edu and its first fault */
let edu = '';
let container = 0;
let mappedAt = 0;
let vmEdu = '';
let faultAt = 0;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  if (!RECORDING || !existsSync(RECORDING)) {
    throw new Error(
      `VFIOSCOPE_KERNEL_RECORDING=${RECORDING ?? ''}: no recording there — the kernel bed's live step writes it (e2e/kernel/run.sh live: e2e/kernel/.work/out/live.vfr)`,
    );
  }
  server = await startReplayServer(RECORDING);
  replay = await server.control({ playing: false });
  edu = marksOf(replay, 'action', /^setIrqs \S+$/)[0]!.label.split(' ')[1]!;
  const mapped = marksOf(replay, 'action', /^mapDma container \d+$/)[0]!;
  container = Number(mapped.label.split(' ')[2]);
  const unmap = marksOf(replay, 'action', new RegExp(`^unmapDma container ${container}$`)).find((m) => m.t > mapped.t)!;
  // halfway: an action's event is logged once it is done, so its mark trails the stream's change by up to
  // a tick or two (the 6.1 bed under load: the mapping was gone 2 s before the unmap's mark); between the
  // two lie the memlock refusal and the reset (tens of seconds under TCG)
  mappedAt = Math.round((mapped.t + unmap.t) / 2);
  // the kernel's DMAR line names the device by bus:dev.fn (domain 0 in the guest)
  const fault = marksOf(replay, 'kernel-fault', new RegExp(`fault addr ${FAULT_ADDRESS}`))[0]!;
  vmEdu = `0000:${/Request device \[([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\]/.exec(fault.label)?.[1]}`;
  faultAt = fault.t;
  expect(vmEdu).not.toBe(edu);
});

test.afterAll(async () => {
  await server?.stop();
});

test('the replay bar names the recorded linux host and its kernel', async ({ page }) => {
  expect(replay.header.host.backend).toBe('linux');
  expect(replay.ended).toBe('stopped');
  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/topology');
  await expect(page.getByTestId('replay-file')).toHaveText(basename(RECORDING!));
  await expect(page.getByTestId('replay-bar')).toContainText(`linux · kernel ${replay.header.host.kernel}`);
  await expect(app.connection).toContainText('replay');
});

test("while its mapping is held: the edu's INTx counted, the mapping in the DMA view's table", async ({ page }) => {
  const at = mappedAt;
  await server.control({ seek: at, playing: false });
  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/interrupts');
  await expect(page.getByTestId('replay-bar')).toHaveAttribute('data-position', String(at), { timeout: 30_000 });
  // the group row's last cell is its vectors' count: the one INTx live-check raised (a BAR0 write)
  const irqs = new InterruptsPage(app);
  await expect(irqs.groupRow(edu).locator('td').last()).toHaveText(/^[1-9]\d*$/);

  const dev = new DevicePage(app);
  await dev.open(edu);
  await expect(dev.held).toBeVisible();
  await expect.poll(async () => Number(await dev.vector('INTX', 0).count.getAttribute('data-count'))).toBeGreaterThanOrEqual(1);

  const dma = new DmaPage(app);
  await dma.open(container);
  const row = dma.row(MAPPED.iova);
  await expect(row).toBeVisible();
  await expect(row.locator('span').last()).toHaveText(String(MAPPED.pages));
  await expect(row).toContainText('RW');
});

test("next kernel fault, then play: the VM's DMAR fault on screen, the VM holding the device", async ({ page }) => {
  test.slow();
  await server.control({ seek: replay.state.startT, playing: false, speed: 1 });
  const app = new AppPage(page, server.base);
  await app.login(OPERATOR, '#/events');
  await expect(page.getByTestId('replay-bar')).toHaveAttribute('data-position', String(replay.state.startT), { timeout: 30_000 });
  const faultRow = page.locator('.event-row[data-kind="kernel"]', { hasText: `fault addr ${FAULT_ADDRESS}` });
  await expect(faultRow).toHaveCount(0);

  await page.getByTestId('replay-next-kernel-fault').click();
  // three seconds before the fault (the bar's lead-up), paused: not there yet
  await expect
    .poll(async () => Number(await page.getByTestId('replay-bar').getAttribute('data-position')), { timeout: 30_000 })
    .toBe(Math.max(replay.state.startT, faultAt - 3000));
  await expect(faultRow).toHaveCount(0);
  await page.getByTestId('replay-play').click();
  await expect(faultRow.first()).toBeVisible({ timeout: 60_000 });
  await expect(faultRow.first()).toContainText(vmEdu);
  await server.control({ playing: false });

  // the VM that made it holds the edu: the topology's owner line and the device page
  const topo = new TopologyPage(app);
  await topo.open();
  const card = await topo.groupOf(vmEdu);
  await expect(card.getByTestId('group-owner-memory')).toContainText('edu-vm · pid');

  // its page: a recording follows a device's page once it sees its interrupts fire (recorded-topics.ts), which
  // in the 6.1 bed is seconds after the fault (the VM's MSI vector came with it, the page's snapshot under TCG
  // after) — so the page is not in the recording yet; played on, it comes, and stays while the VM runs
  await app.go(`#/device/${vmEdu}`);
  await server.control({ playing: true });
  await expect(app.testId('device-holder')).toContainText('edu-vm · pid', { timeout: 60_000 });
  await server.control({ playing: false });
  await expect(app.testId('kernel-messages')).toContainText(`fault addr ${FAULT_ADDRESS}`);
  const dev = new DevicePage(app);
  await expect.poll(async () => Number(await dev.vector('MSI', 0).count.getAttribute('data-count'))).toBeGreaterThan(0);
});
