import { describe, expect, it } from 'vitest';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, VFIO_UPDATE_VADDR } from '@vfioscope/uapi';
import { eduHost, errnoOf } from './test-support.ts';

// edu scenario: groups 3 and 4 hold one edu each; group 5 = bridge + edu + e1000 (not viable)
const EDU = '0000:00:03.0';

describe('groups and containers', () => {
  it('opens a group once, and only one that exists', async () => {
    const { host } = eduHost();
    const g = await host.openGroup(3);
    expect(await errnoOf(host.openGroup(3))).toBe('EBUSY');
    expect(await errnoOf(host.openGroup(99))).toBe('ENOENT');
    await g.close();
    await (await host.openGroup(3)).close();
    const release = host.holdGroupElsewhere(4);
    expect(await errnoOf(host.openGroup(4))).toBe('EBUSY');
    expect((await host.owners()).find((o) => o.group === 4)?.self).toBe(false);
    release();
    await (await host.openGroup(4)).close();
  });

  it('follows the SET_CONTAINER / SET_IOMMU / GET_DEVICE_FD order', async () => {
    const { host } = eduHost();
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    expect(await errnoOf(c.setIommu(VFIO_TYPE1v2_IOMMU))).toBe('EINVAL');
    expect(await c.checkExtension(VFIO_UPDATE_VADDR)).toBe(0);
    await g.setContainer(c);
    expect(await errnoOf(g.setContainer(c))).toBe('EINVAL');
    expect(await errnoOf(g.openDevice('0000:00:04.0'))).toBe('ENODEV');
    expect(await errnoOf(g.openDevice(EDU))).toBe('EINVAL');
    expect(await errnoOf(c.iommuInfo())).toBe('EINVAL');
    expect(await errnoOf(c.setIommu(2))).toBe('ENODEV');
    // type1 says yes to UNMAP_ALL as an extension, then refuses to open as that type
    expect(await errnoOf(c.setIommu(VFIO_UNMAP_ALL))).toBe('EINVAL');
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    expect(await errnoOf(c.setIommu(VFIO_TYPE1v2_IOMMU))).toBe('EINVAL');
    expect(await c.checkExtension(VFIO_UPDATE_VADDR)).toBe(1);
    const d = await g.openDevice(EDU);
    expect(await errnoOf(g.unsetContainer())).toBe('EBUSY');
    await d.close();
    expect(await errnoOf(d.info())).toBe('EBADF');
    await g.unsetContainer();
    expect(await errnoOf(g.unsetContainer())).toBe('EINVAL');
  });

  it('refuses a non-viable group with EPERM and reports its blockers', async () => {
    const { host } = eduHost();
    const c = await host.openContainer();
    const g = await host.openGroup(5);
    expect(await g.status()).toEqual({ viable: false, containerSet: false });
    expect(await errnoOf(g.setContainer(c))).toBe('EPERM');
    const info = (await host.topology()).groups.find((x) => x.id === 5)!;
    expect(info.blockers).toEqual([{ bdf: '0000:01:02.0', driver: 'e1000' }]);
  });

  it('releases the IOMMU and unpins when the last group leaves, even with the container fd closed', async () => {
    const { host } = eduHost();
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    await g.setContainer(c);
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    const d = await g.openDevice(EDU);
    const buf = await host.allocDmaBuffer(0x4000n);
    await c.mapDma({ vaddr: buf.vaddr, iova: 0x100000n, size: 0x4000n, flags: VFIO_DMA_MAP_FLAG_READ });
    const self = async () => (await host.owners()).find((o) => o.self)!;
    expect((await self()).lockedBytes).toBe(0x4000);
    await c.close();
    await g.close();
    // the open device fd keeps the group file, its container and the mappings
    expect((await self()).lockedBytes).toBe(0x4000);
    expect(await errnoOf(host.openGroup(3))).toBe('EBUSY');
    await d.close();
    expect((await host.owners()).some((o) => o.self)).toBe(false);
    expect(host.kernel.space.lockedPages).toBe(0);
    await (await host.openGroup(3)).close();
  });
});

describe('driver binding', () => {
  it('binding the blocker to vfio-pci makes the group viable; unbinding a held device is EBUSY', async () => {
    const { host } = eduHost();
    await host.bindDriver('0000:01:02.0', 'vfio-pci');
    const g = await host.openGroup(5);
    expect(await g.status()).toEqual({ viable: true, containerSet: false });
    expect(await errnoOf(host.bindDriver('0000:01:02.0', null))).toBe('EBUSY');
    const c = await host.openContainer();
    await g.setContainer(c);
    await g.close();
    await host.bindDriver('0000:01:02.0', null);
    const dev = (await host.topology()).devices.find((d) => d.bdf === '0000:01:02.0')!;
    expect([dev.driver, dev.driverOverride]).toEqual([null, null]);
    await host.bindDriver('0000:01:02.0', 'e1000');
    expect((await host.topology()).groups.find((x) => x.id === 5)!.viable).toBe(false);
  });

  it('refuses a host driver on a claimed group, vfio-pci on a bridge, and unknown drivers', async () => {
    const { host } = eduHost();
    await host.bindDriver('0000:01:02.0', null);
    const g = await host.openGroup(5);
    const c = await host.openContainer();
    await g.setContainer(c);
    expect(await errnoOf(host.bindDriver('0000:01:02.0', 'e1000'))).toBe('EBUSY');
    await g.close();
    expect(await errnoOf(host.bindDriver('0000:00:05.0', 'vfio-pci'))).toBe('EINVAL');
    expect(await errnoOf(host.bindDriver('0000:00:02.0', 'nouveau'))).toBe('ENODEV');
    expect(await errnoOf(host.bindDriver('0000:09:00.0', 'vfio-pci'))).toBe('ENODEV');
  });
});

describe('SimHost.close', () => {
  it('tears everything down: IRQ lines, mappings and locked memory, groups, fds', async () => {
    const { host } = eduHost();
    const c = await host.openContainer();
    const g = await host.openGroup(3);
    await g.setContainer(c);
    await c.setIommu(VFIO_TYPE1v2_IOMMU);
    const d = await g.openDevice(EDU);
    const efd = await host.createEventFd();
    await d.setIrqs({ index: 0, start: 0, count: 1, action: 1 << 5, data: { type: 'eventfd', fds: [efd] } });
    const buf = await host.allocDmaBuffer(0x1000n);
    await c.mapDma({ vaddr: buf.vaddr, iova: 0x100000n, size: 0x1000n, flags: VFIO_DMA_MAP_FLAG_READ });
    expect((await host.irqLines()).length).toBe(1);
    await host.close();
    expect(await host.irqLines()).toEqual([]);
    expect((await host.owners()).some((o) => o.self)).toBe(false);
    expect(host.kernel.space.lockedPages).toBe(0);
    expect(host.kernel.space.liveBuffers()).toEqual([]);
    expect(await errnoOf(efd.drain())).toBe('EBADF');
    expect(await errnoOf(host.openGroup(3))).toBe('EBADF');
  });
});
