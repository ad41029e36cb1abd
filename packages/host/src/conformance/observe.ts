/**
 * Observe mode (sysfs / procfs on Linux, the scenario in the sim): host
 * facts, topology with drivers and groups, the owners of /dev/vfio/N or of
 * a device cdev with the memory their mode charges them, and the /proc/interrupts lines of VFIO vectors.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX } from '@vfioscope/uapi';
import type { Host } from '../host.ts';
import { pinCharge } from '../rules/pin-charge.ts';
import type { GroupOwner } from '../observe.ts';
import { eduPair, requireHostDriverDevice, type SuiteContext } from './context.ts';
import { EDU, EDU_DEVICE_ID, EDU_VENDOR_ID, eduAckAll, eduWrite } from './edu-regs.ts';
import { disableIndex, wireTrigger } from './irq-set.ts';
import type { ConformanceMode } from './modes.ts';
import type { EduDeviceRef } from './target.ts';
import { collectEvents, pollUntil } from './wait.ts';

function selfOwner(owners: GroupOwner[], group: number): GroupOwner | undefined {
  return owners.find((o) => o.group === group && o.self);
}

/** Hold the edu as the mode does, outside the case's scope (the case lets go itself): its group file, or its cdev bound to an iommufd. */
async function holdTheModesWay(host: Host, mode: ConformanceMode, edu: EduDeviceRef): Promise<() => Promise<void>> {
  if (mode !== 'iommufd') {
    const group = await host.openGroup(edu.group);
    return () => group.close();
  }
  const iommufd = await host.openIommufd();
  const device = await host.openDeviceCdev(edu.bdf);
  await device.bind(iommufd);
  return async () => {
    await device.close();
    await iommufd.close();
  };
}

export function observe(ctx: SuiteContext): void {
  describe('observe', () => {
    it('hostInfo reports the backend, page size, limits in force and an IOMMU with groups', async () => {
      const t = ctx.target();
      const info = await t.host.hostInfo();
      const topology = await t.host.topology();
      expect(info.backend).toBe(t.host.backend);
      expect(info.pageSize).toBe(t.host.pageSize);
      expect(info.memlockLimit).toBe(t.memlockLimit);
      // vfio_iommu_type1 (and its dma_entry_limit) is there exactly when it serves /dev/vfio/vfio
      const type1 = info.uapi.container === 'type1';
      expect(info.modules.vfioIommuType1).toBe(type1);
      expect(info.modules.dmaEntryLimit).toBe(type1 ? t.dmaEntryLimit : null);
      expect(info.modules.vfio && info.modules.vfioPci).toBe(true);
      expect(info.iommu.present).toBe(true);
      expect(info.iommu.groupCount).toBe(topology.groups.length);
    });

    it('topology: each edu is 1234:11e8 on vfio-pci, alone in a viable group with no blockers', async () => {
      const t = ctx.target();
      const topology = await t.host.topology();
      for (const edu of t.edu) {
        const pci = topology.devices.find((d) => d.bdf === edu.bdf);
        expect(pci).toMatchObject({ vendorId: EDU_VENDOR_ID, deviceId: EDU_DEVICE_ID, driver: 'vfio-pci', iommuGroup: edu.group });
        const group = topology.groups.find((g) => g.id === edu.group);
        expect(group).toMatchObject({ id: edu.group, devices: [edu.bdf], viable: true, blockers: [] });
      }
    });

    it('topology: a device on a host driver shows that driver', async () => {
      const t = ctx.target();
      const dev = requireHostDriverDevice(t);
      const pci = (await t.host.topology()).devices.find((d) => d.bdf === dev.bdf);
      expect(pci?.driver).toBe(dev.driver);
      expect(pci?.driver).not.toBe('vfio-pci');
    });

    it("owners: a device held the mode's way (group file, or bound cdev) lists this process as its owner (self), and the entry goes when it closes", async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const via = ctx.mode === 'iommufd' ? 'cdev' : 'group';
      expect(selfOwner(await t.host.owners(), edu.group)).toBeUndefined();
      const release = await holdTheModesWay(t.host, ctx.mode, edu);
      try {
        const owner = selfOwner(await t.host.owners(), edu.group);
        expect(owner).toMatchObject({ group: edu.group, via, pid: process.pid, self: true, memlockLimit: t.memlockLimit });
      } finally {
        await release();
      }
      expect(selfOwner(await t.host.owners(), edu.group)).toBeUndefined();
    });

    it('owners: a group held by another process names that process, not this one', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const release = await t.holdGroupElsewhere(edu.group);
      try {
        const holders = (await t.host.owners()).filter((o) => o.group === edu.group);
        expect(holders).toHaveLength(1);
        expect(holders[0]!.self).toBe(false);
        expect(holders[0]!.pid).not.toBe(process.pid);
      } finally {
        await release();
      }
    });

    it('owners: pinned memory of this process grows by exactly the bytes mapped where the mode charges it (type1 VmLck, iommufd VmPin, compat both), and shrinks on unmap', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const { dma } = await scope.openStack(edu);
      const page = BigInt(t.host.pageSize);
      const size = 4n * page;
      const buf = await scope.dmaBuffer(size);
      // the one rule of where each path charges pins (rules/pin-charge.ts), checked here against the kernel
      const rule = pinCharge(ctx.mode);
      const charged = (['lockedBytes', 'pinnedBytes'] as const).filter((k) => (k === 'lockedBytes' ? rule.locked : rule.pinned));
      const uncharged = (['lockedBytes', 'pinnedBytes'] as const).filter((k) => !charged.includes(k));
      const before = selfOwner(await t.host.owners(), edu.group)!;
      await dma.map({ vaddr: buf.vaddr, iova: 0x20_0000n, size });
      const during = selfOwner(await t.host.owners(), edu.group)!;
      for (const k of charged) expect(during[k] - before[k], k).toBe(Number(size));
      for (const k of uncharged) expect(during[k], k).toBe(before[k]);
      await dma.unmap(0x20_0000n, size);
      const after = selfOwner(await t.host.owners(), edu.group)!;
      for (const k of charged) expect(after[k], k).toBe(before[k]);
    });

    it('irqLines: an enabled INTx shows as vfio-intx(BDF) and counts the interrupts the device raises; it goes when disabled', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const { device } = await scope.openStack(edu);
      await eduAckAll(device);
      const efd = await wireTrigger(scope, device, VFIO_PCI_INTX_IRQ_INDEX);
      const line = async () => (await t.host.irqLines()).find((l) => l.bdf === edu.bdf && l.index === 'INTX');
      const before = await line();
      expect(before).toMatchObject({ vector: 0, name: `vfio-intx(${edu.bdf})` });
      await eduWrite(device, EDU.IRQ_RAISE, 0x1);
      expect(await collectEvents(efd, 1)).toBe(1);
      const after = await pollUntil(line, (l) => (l?.count ?? 0) > before!.count);
      expect(after!.count).toBeGreaterThanOrEqual(before!.count + 1);
      await eduWrite(device, EDU.IRQ_ACK, 0x1);
      await disableIndex(device, VFIO_PCI_INTX_IRQ_INDEX);
      expect(await line()).toBeUndefined();
    });

    it('irqLines: an enabled MSI vector shows as vfio-msi[0](BDF)', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const { device } = await scope.openStack(edu);
      await wireTrigger(scope, device, VFIO_PCI_MSI_IRQ_INDEX);
      const lines = (await t.host.irqLines()).filter((l) => l.bdf === edu.bdf);
      expect(lines.map((l) => ({ index: l.index, vector: l.vector, name: l.name }))).toEqual([
        { index: 'MSI', vector: 0, name: `vfio-msi[0](${edu.bdf})` },
      ]);
    });

    it('drainEventFds returns each eventfd count since its last read and resets it', async () => {
      const t = ctx.target();
      const scope = ctx.scope();
      const a = await scope.eventFd();
      const b = await scope.eventFd();
      await a.signal(3);
      await b.signal();
      expect(await t.host.drainEventFds([a, b])).toEqual([3, 1]);
      expect(await t.host.drainEventFds([a, b])).toEqual([0, 0]);
    });
  });
}
