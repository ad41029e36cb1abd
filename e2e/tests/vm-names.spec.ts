/**
 * One name for a VM everywhere, and its memory: on the default host the three
 * QEMU processes read win11-cad / nfv-router-1 / nfv-router-2 on the topology,
 * the device page, the interrupt tables and the DMA view — never their shared
 * command name — with each VM's locked memory against its limit.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from '../pages/app-page.ts';
import { DevicePage } from '../pages/device-page.ts';
import { InterruptsPage } from '../pages/interrupts-page.ts';
import { TopologyPage } from '../pages/topology-page.ts';
import { DEVICES, DOC_SCREENSHOTS } from '../support/env.ts';

const VMS = [
  { name: 'win11-cad', pid: 4242, memory: '32 / 33 GiB locked (97 %)', device: DEVICES.vmGpu },
  { name: 'nfv-router-1', pid: 5120, memory: '8 / 9 GiB locked (89 %)', device: '0000:32:00.0' },
  { name: 'nfv-router-2', pid: 5188, memory: '8 / 9 GiB locked (89 %)', device: '0000:32:00.2' },
] as const;

test.describe('each VM reads by its guest name, with its locked memory', () => {
  // one test per view: each view's first load costs its own time on a loaded machine
  test('on the topology', async ({ page }) => {
    const app = new AppPage(page);
    await app.login();
    const topo = new TopologyPage(app);
    // the owner line of each VM's group, memory against its RLIMIT_MEMLOCK
    for (const vm of VMS) {
      const card = await topo.groupOf(vm.device);
      await expect(card.getByTestId('group-owner-memory')).toHaveText(`${vm.name} · pid ${vm.pid} · ${vm.memory}`);
    }
    await topo.clearSearch();
    await topo.filter('other-owner').click();
    await expect(topo.view.getByText('qemu-system-x86')).toHaveCount(0);
    await app.screenshot('topology-vm-memory', DOC_SCREENSHOTS);
  });

  test('on the device page', async ({ page }) => {
    const app = new AppPage(page);
    await app.login();
    // who holds it, and the vectors' owner badge
    const dev = new DevicePage(app);
    await dev.open(DEVICES.vmNvme);
    await expect(app.testId('device-holder')).toHaveText('win11-cad · pid 4242');
    await expect(dev.vector('MSIX', 0).card).toContainText('win11-cad');
    await expect(dev.view.getByText('qemu-system-x86')).toHaveCount(0);
  });

  test('on the interrupts view', async ({ page }) => {
    const app = new AppPage(page);
    await app.login();
    // by device the owner column, by owner one row per VM
    const irqs = new InterruptsPage(app);
    await irqs.open();
    await expect(irqs.groupRow(DEVICES.vmGpu)).toContainText('win11-cad · pid 4242');
    await expect(irqs.groupRow(DEVICES.vmGpu)).toContainText('RTX A6000');
    await irqs.groupBy('owner').click();
    for (const vm of VMS) await expect(irqs.groupRow(`pid:${vm.pid}`)).toContainText(`${vm.name} · pid ${vm.pid}`);
    await expect(irqs.view.getByText('qemu-system-x86')).toHaveCount(0);
  });

  test('on the DMA view', async ({ page }) => {
    const app = new AppPage(page);
    await app.login();
    // every VM's locked memory against its own limit
    await app.go('#/dma');
    for (const vm of VMS) {
      const gauge = app.testId(`vm-memory-${vm.pid}`);
      await expect(gauge).toContainText(`${vm.name} · pid ${vm.pid}`);
      await expect(gauge).toContainText(vm.memory.replace(/ \(.*\)$/, ''));
    }
  });
});
