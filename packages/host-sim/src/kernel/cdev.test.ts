/**
 * iommufd and the VFIO device cdev through the sim host, on the edu guest's
 * 6.12 kernel: each rule of research/iommufd-6.12.md ("iommufd native",
 * "cdev rules") with its errno.
 */
import { describe, expect, it } from 'vitest';
import type { Container, EventFd, Iommufd } from '@vfioscope/host';
import {
  IOMMU_IOAS_MAP_READABLE as R,
  IOMMU_IOAS_MAP_WRITEABLE as W,
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_PCI_BAR0_REGION_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { EDU_REG } from '../devices/edu-registers.ts';
import { simErrnoName } from './fail.ts';
import { eduCopy, eduFaults, eduHost, errnoOf, setBusMaster, u32 } from './test-support.ts';
import { U64_MAX } from './type1-rules.ts';

// edu scenario: groups 3 and 4 hold one edu each; group 5 = bridge + edu + e1000 (not viable); 00:02.0 is an e1000e
const EDU = '0000:00:03.0';
const EDU2 = '0000:00:04.0';
const EDU_NOT_VIABLE = '0000:01:01.0';
const PAGE = 0x1000n;
const RW = R | W;
const IOVA = 0x10_0000n;

async function bound(scenario = 'edu-6.12', bdf = EDU) {
  const { host, clock } = eduHost(scenario);
  const iommufd = await host.openIommufd();
  const ioas = await iommufd.allocIoas();
  const cdev = await host.openDeviceCdev(bdf);
  const devid = await cdev.bind(iommufd);
  return { host, clock, iommufd, ioas, cdev, devid };
}

describe('which kernels have them', () => {
  it('Linux 6.1 has neither /dev/iommu nor /dev/vfio/devices: ENOENT', async () => {
    const { host } = eduHost('edu');
    expect(await errnoOf(host.openIommufd())).toBe('ENOENT');
    expect(await errnoOf(host.openDeviceCdev(EDU))).toBe('ENOENT');
    expect((await host.hostInfo()).uapi).toEqual({ container: 'type1', iommufd: false, cdev: false });
  });

  it('on 6.12 a cdev exists only for a device on vfio-pci', async () => {
    const { host } = eduHost('edu-6.12');
    expect(await errnoOf(host.openDeviceCdev('0000:00:02.0'))).toBe('ENOENT');
    expect(await errnoOf(host.openDeviceCdev('0000:09:00.0'))).toBe('ENOENT');
    await host.bindDriver('0000:00:02.0', 'vfio-pci');
    await (await host.openDeviceCdev('0000:00:02.0')).close();
  });
});

describe('the native flow (IOAS alloc → bind → attach → map → DMA)', () => {
  it('numbers objects as the bed saw them: ioas 1, devid 2, hwpt 3; a second device in the IOAS shares the HWPT', async () => {
    const { host, ioas, cdev, devid, iommufd } = await bound();
    expect([ioas.id, devid]).toEqual([1, 2]);
    expect(await cdev.attach(ioas.id)).toBe(3);
    expect(await cdev.attach(ioas.id)).toBe(3);
    const other = await host.openDeviceCdev(EDU2);
    expect(await other.bind(iommufd)).toBe(4);
    expect(await other.attach(ioas.id)).toBe(3);
    // attach to the HWPT id itself
    await other.detach();
    expect(await other.attach(3)).toBe(3);
  });

  it('answers device ioctls once bound, the same as a group-path device fd', async () => {
    const { cdev } = await bound();
    expect((await cdev.info()).flags & VFIO_DEVICE_FLAGS_PCI).toBeTruthy();
    expect((await cdev.regionInfo(VFIO_PCI_BAR0_REGION_INDEX)).size).toBe(0x10_0000n);
    expect(await errnoOf(cdev.reset())).toBe('EINVAL');
    await cdev.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.LIVENESS), u32(0x12345678));
    expect(Array.from(await cdev.read(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.LIVENESS), 4))).toEqual([0x87, 0xa9, 0xcb, 0xed]);
  });

  it('an 8-byte BAR read is one access on 6.12 (edu answers all-ones below 0x80), two 4-byte ones on 6.1', async () => {
    const { cdev } = await bound();
    expect(Buffer.from(await cdev.read(VFIO_PCI_BAR0_REGION_INDEX, 0n, 8)).toString('hex')).toBe('ffffffffffffffff');
    const { host } = eduHost('edu');
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    await g.setContainer(c);
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    const d = await g.openDevice(EDU);
    expect(Buffer.from(await d.read(VFIO_PCI_BAR0_REGION_INDEX, 0n, 8)).toString('hex')).toBe('ed00000100000000');
  });

  it('edu DMA goes through the attached IOAS; detach blocks it (DMAR fault), attach again restores it', async () => {
    const { host, clock, ioas, cdev } = await bound();
    await cdev.attach(ioas.id);
    const buf = await host.allocDmaBuffer(2n * PAGE);
    await buf.write(0n, Uint8Array.of(1, 2, 3, 4));
    await ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    await setBusMaster(cdev);
    await eduCopy(cdev, clock, IOVA, IOVA + PAGE, 4);
    expect(Array.from(await buf.read(PAGE, 4))).toEqual([1, 2, 3, 4]);
    expect(eduFaults(host, EDU)).toBe(0);
    await cdev.detach();
    await cdev.detach(); // detaching a detached device is no error
    await buf.write(0n, Uint8Array.of(9, 9, 9, 9));
    await eduCopy(cdev, clock, IOVA, IOVA + PAGE, 4);
    expect(eduFaults(host, EDU)).toBe(2);
    expect(Array.from(await buf.read(PAGE, 4))).toEqual([1, 2, 3, 4]);
    await cdev.attach(ioas.id);
    await eduCopy(cdev, clock, IOVA, IOVA + PAGE, 4);
    expect(Array.from(await buf.read(PAGE, 4))).toEqual([9, 9, 9, 9]);
  });

  it('wires INTx to an eventfd through the cdev', async () => {
    const { host, cdev } = await bound();
    const efd: EventFd = await host.createEventFd();
    await cdev.setIrqs({
      index: VFIO_PCI_INTX_IRQ_INDEX,
      start: 0,
      count: 1,
      action: VFIO_IRQ_SET_ACTION_TRIGGER,
      data: { type: 'eventfd', fds: [efd] },
    });
    await cdev.write(VFIO_PCI_BAR0_REGION_INDEX, BigInt(EDU_REG.IRQ_RAISE), u32(1));
    expect(await efd.drain()).toBe(1);
    expect((await host.irqLines()).map((l) => l.name)).toEqual([`vfio-intx(${EDU})`]);
  });
});

describe('IOAS ranges and destroy', () => {
  it('the whole 64-bit space (alignment 1) on a fresh IOAS, the type1 ranges (4 KiB) once a device is attached', async () => {
    const { ioas, cdev } = await bound();
    expect(await ioas.iovaRanges()).toEqual({ ranges: [{ start: 0n, end: U64_MAX }], alignment: 1n });
    await cdev.attach(ioas.id);
    expect(await ioas.iovaRanges()).toEqual({
      ranges: [
        { start: 0n, end: 0xfedf_ffffn },
        { start: 0xfef0_0000n, end: 0x7f_ffff_ffffn },
      ],
      alignment: PAGE,
    });
    await cdev.detach();
    expect((await ioas.iovaRanges()).ranges).toEqual([{ start: 0n, end: U64_MAX }]);
  });

  it('destroying an attached IOAS is EBUSY; detached it goes with its mappings; then ENOENT', async () => {
    const { host, ioas, cdev } = await bound();
    await cdev.attach(ioas.id);
    const buf = await host.allocDmaBuffer(PAGE);
    await ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: PAGE, flags: RW });
    expect(await errnoOf(ioas.destroy())).toBe('EBUSY');
    await cdev.detach();
    await ioas.destroy();
    expect(await errnoOf(ioas.destroy())).toBe('ENOENT');
    expect(await errnoOf(ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: PAGE, flags: RW }))).toBe('ENOENT');
    expect(await errnoOf(cdev.attach(ioas.id))).toBe('ENOENT');
  });

  it('a closed iommufd answers EBADF; the IOAS lives on while a bound device holds the context', async () => {
    const { host, clock, iommufd, ioas, cdev } = await bound();
    await cdev.attach(ioas.id);
    const buf = await host.allocDmaBuffer(2n * PAGE);
    await buf.write(0n, Uint8Array.of(5, 6));
    await ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    await iommufd.close();
    expect(await errnoOf(ioas.iovaRanges())).toBe('EBADF');
    expect(await errnoOf(iommufd.allocIoas())).toBe('EBADF');
    await setBusMaster(cdev);
    await eduCopy(cdev, clock, IOVA, IOVA + PAGE, 2);
    expect(Array.from(await buf.read(PAGE, 2))).toEqual([5, 6]);
    expect(host.kernel.space.pinnedPages).toBe(2);
    await cdev.close();
    expect(host.kernel.space.pinnedPages).toBe(0);
  });
});

describe('cdev rules', () => {
  it('device ioctls, reads and writes before bind: EINVAL', async () => {
    const { host } = eduHost('edu-6.12');
    const cdev = await host.openDeviceCdev(EDU);
    expect(await errnoOf(cdev.info())).toBe('EINVAL');
    expect(await errnoOf(cdev.regionInfo(0))).toBe('EINVAL');
    expect(await errnoOf(cdev.irqInfo(0))).toBe('EINVAL');
    expect(await errnoOf(cdev.reset())).toBe('EINVAL');
    expect(await errnoOf(cdev.read(VFIO_PCI_BAR0_REGION_INDEX, 0n, 4))).toBe('EINVAL');
    expect(await errnoOf(cdev.write(VFIO_PCI_BAR0_REGION_INDEX, 4n, u32(1)))).toBe('EINVAL');
    expect(await errnoOf(cdev.attach(1))).toBe('EINVAL');
    expect(await errnoOf(cdev.detach())).toBe('EINVAL');
    await cdev.close();
    expect(await errnoOf(cdev.info())).toBe('EBADF');
  });

  it('bind twice: EINVAL; a second open of the same cdev succeeds but its bind is EINVAL', async () => {
    const { host, iommufd, cdev } = await bound();
    expect(await errnoOf(cdev.bind(iommufd))).toBe('EINVAL');
    const second = await host.openDeviceCdev(EDU);
    expect(await errnoOf(second.bind(iommufd))).toBe('EINVAL');
    expect(await errnoOf(second.info())).toBe('EINVAL');
    await cdev.close();
    expect(await second.bind(iommufd)).toBe(2);
  });

  it('binding an fd that is not an iommufd: EBADFD; one that is not open: EBADF', async () => {
    const { host } = eduHost('edu-6.12');
    const cdev = await host.openDeviceCdev(EDU);
    const container = await host.openContainer();
    expect(await errnoOf(cdev.bind({ id: container.id } as Iommufd))).toBe(simErrnoName('EBADFD'));
    const efd = await host.createEventFd();
    expect(await errnoOf(cdev.bind({ id: efd.fd } as Iommufd))).toBe(simErrnoName('EBADFD'));
    const iommufd = await host.openIommufd();
    await iommufd.close();
    expect(await errnoOf(cdev.bind(iommufd))).toBe('EBADF');
    // the compat container is an iommufd file: a cdev binds to it
    const { host: compat } = eduHost('edu-6.12-compat');
    const c = await compat.openContainer();
    expect(await (await compat.openDeviceCdev(EDU)).bind(c as unknown as Iommufd)).toBe(1);
  });

  it('attach to an id that names nothing: ENOENT; to a device id: EINVAL', async () => {
    const { cdev, devid } = await bound();
    expect(await errnoOf(cdev.attach(999))).toBe('ENOENT');
    expect(await errnoOf(cdev.attach(devid))).toBe('EINVAL');
  });

  it('opening the group while the cdev is bound: EBUSY; after close the group opens', async () => {
    const { host, cdev } = await bound();
    expect(await errnoOf(host.openGroup(3))).toBe('EBUSY');
    await cdev.close();
    await (await host.openGroup(3)).close();
  });

  it('binding the cdev while the group path holds the group: EBUSY (this process or a VM)', async () => {
    const { host } = eduHost('edu-6.12');
    const iommufd = await host.openIommufd();
    const group = await host.openGroup(3);
    const cdev = await host.openDeviceCdev(EDU);
    expect(await errnoOf(cdev.bind(iommufd))).toBe('EBUSY');
    await group.close();
    expect(await cdev.bind(iommufd)).toBeGreaterThan(0);
    const release = host.holdGroupElsewhere(4);
    expect(await errnoOf((await host.openDeviceCdev(EDU2)).bind(iommufd))).toBe('EBUSY');
    release();
  });

  it('a group that is not viable cannot be bound: EPERM (iommu_device_claim_dma_owner), as SET_CONTAINER answers', async () => {
    const { host } = eduHost('edu-6.12');
    const iommufd = await host.openIommufd();
    const cdev = await host.openDeviceCdev(EDU_NOT_VIABLE);
    expect(await errnoOf(cdev.bind(iommufd))).toBe('EPERM');
    // nothing stays blocked by the failed bind
    await (await host.openGroup(5)).close();
    await host.bindDriver('0000:01:02.0', 'vfio-pci');
    expect(await cdev.bind(iommufd)).toBeGreaterThan(0);
    // the group's DMA is claimed: a host driver cannot take a device of it back
    expect(await errnoOf(host.bindDriver('0000:01:02.0', 'e1000'))).toBe('EBUSY');
  });

  it('two devices of one group bound to different iommufds: EPERM for the second', async () => {
    const { host } = eduHost('edu-6.12');
    await host.bindDriver('0000:01:02.0', 'vfio-pci');
    const a = await host.openIommufd();
    const b = await host.openIommufd();
    await (await host.openDeviceCdev(EDU_NOT_VIABLE)).bind(a);
    expect(await errnoOf((await host.openDeviceCdev('0000:01:02.0')).bind(b))).toBe('EPERM');
    expect(await (await host.openDeviceCdev('0000:01:02.0')).bind(a)).toBeGreaterThan(0);
  });

  it('unbinding vfio-pci from a device whose cdev is open: EBUSY', async () => {
    const { host } = eduHost('edu-6.12');
    const cdev = await host.openDeviceCdev(EDU);
    expect(await errnoOf(host.bindDriver(EDU, null))).toBe('EBUSY');
    await cdev.close();
    await host.bindDriver(EDU, null);
    expect(await errnoOf(host.openDeviceCdev(EDU))).toBe('ENOENT');
  });

  it('SET_CONTAINER with an fd that is no container: EBADFD on 6.12, EINVAL on 6.1', async () => {
    const on612 = eduHost('edu-6.12').host;
    const efd = await on612.createEventFd();
    expect(await errnoOf((await on612.openGroup(3)).setContainer({ id: efd.fd } as Container))).toBe(simErrnoName('EBADFD'));
    const on61 = eduHost('edu').host;
    const efd61 = await on61.createEventFd();
    expect(await errnoOf((await on61.openGroup(3)).setContainer({ id: efd61.fd } as Container))).toBe('EINVAL');
    expect(await errnoOf((await on61.openGroup(4)).setContainer({ id: 999 } as Container))).toBe('EBADF');
  });
});

describe('who holds what', () => {
  it('vfioscope holding a device through its cdev is an owner via cdev, its pins in VmPin (not VmLck)', async () => {
    const { host, ioas, cdev } = await bound();
    await cdev.attach(ioas.id);
    const buf = await host.allocDmaBuffer(4n * PAGE);
    await ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: RW });
    const self = (await host.owners()).filter((o) => o.self);
    expect(self.map((o) => [o.group, o.via, o.lockedBytes, o.pinnedBytes])).toEqual([[3, 'cdev', 0, 0x4000]]);
    await cdev.close();
    expect((await host.owners()).some((o) => o.self)).toBe(false);
  });

  it('a VM holding a group through cdevs is an owner via cdev; its devices cannot be bound here (EINVAL), its group not opened (EBUSY)', async () => {
    const { host } = eduHost('edu-6.12');
    const release = host.holdGroupElsewhere(4, { via: 'cdev', pid: 7001 });
    const vm = (await host.owners()).find((o) => o.pid === 7001)!;
    expect([vm.group, vm.via, vm.self]).toEqual([4, 'cdev', false]);
    expect(vm.cmdline).toContain('iommufd');
    const iommufd = await host.openIommufd();
    expect(await errnoOf((await host.openDeviceCdev(EDU2)).bind(iommufd))).toBe('EINVAL');
    expect(await errnoOf(host.openGroup(4))).toBe('EBUSY');
    release();
    expect(() => eduHost('edu').host.holdGroupElsewhere(4, { via: 'cdev' })).toThrow(/cdev/);
  });

  it('SimHost.close unbinds cdevs and closes iommufds: nothing pinned, groups free', async () => {
    const { host, ioas, cdev } = await bound();
    await cdev.attach(ioas.id);
    const buf = await host.allocDmaBuffer(PAGE);
    await ioas.map({ vaddr: buf.vaddr, iova: IOVA, size: PAGE, flags: RW });
    await host.close();
    expect([host.kernel.space.pinnedPages, host.kernel.user.lockedPages]).toEqual([0, 0]);
    expect(host.kernel.groups.get(3)!.cdevBound).toBe(0);
    expect(await errnoOf(cdev.info())).toBe('EBADF');
  });
});
