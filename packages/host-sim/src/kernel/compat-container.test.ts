/**
 * /dev/vfio/vfio served by iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER) on the
 * edu guest's 6.12 kernel: the research note's compat column, case by case.
 */
import { describe, expect, it } from 'vitest';
import {
  VFIO_DMA_CC_IOMMU,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_VADDR,
  VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_FLAG_VADDR,
  VFIO_IOMMU_INFO_CAPS,
  VFIO_IOMMU_INFO_PGSIZES,
  VFIO_NOIOMMU_IOMMU,
  VFIO_SPAPR_TCE_IOMMU,
  VFIO_TYPE1_IOMMU,
  VFIO_TYPE1_NESTING_IOMMU,
  VFIO_TYPE1v2_IOMMU,
  VFIO_UNMAP_ALL,
  VFIO_UPDATE_VADDR,
} from '@vfioscope/uapi';
import { loadScenario } from '../scenarios/index.ts';
import { COMPAT_DMA_AVAIL } from './compat-container.ts';
import { eduCopy, eduHost, errnoOf, setBusMaster } from './test-support.ts';
import { U64_MAX } from './type1-rules.ts';

const EDU = '0000:00:03.0';
const PAGE = 0x1000n;
const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
const IOVA = 0x10_0000n;

async function withGroup(opts: { memlock?: number } = {}) {
  const scenario = loadScenario('edu-6.12-compat');
  if (opts.memlock !== undefined) scenario.memlockLimit = opts.memlock;
  const { host, clock } = eduHost(scenario);
  const container = await host.openContainer();
  const group = await host.openGroup(3);
  await group.setContainer(container);
  const buf = await host.allocDmaBuffer(16n * PAGE);
  return { host, clock, container, group, buf };
}

describe('what the host says', () => {
  it('the container is iommufd-compat: no vfio_iommu_type1 module, no dma_entry_limit', async () => {
    const { host } = eduHost('edu-6.12-compat');
    const info = await host.hostInfo();
    expect(info.uapi).toEqual({ container: 'iommufd-compat', iommufd: true, cdev: true });
    expect([info.modules.vfioIommuType1, info.modules.dmaEntryLimit, info.modules.allowUnsafeInterrupts]).toEqual([false, null, null]);
    const type1 = await eduHost('edu-6.12').host.hostInfo();
    expect([type1.modules.vfioIommuType1, type1.modules.dmaEntryLimit]).toEqual([true, 65535]);
  });
});

describe('before and around SET_IOMMU', () => {
  it('SET_IOMMU before any group: ENODEV; SPAPR and NOIOMMU: EINVAL (the type is checked first)', async () => {
    const { host } = eduHost('edu-6.12-compat');
    const c = await host.openContainer();
    expect(await errnoOf(c.setIommu(VFIO_TYPE1v2_IOMMU))).toBe('ENODEV');
    expect(await errnoOf(c.setIommu(VFIO_SPAPR_TCE_IOMMU))).toBe('EINVAL');
    expect(await errnoOf(c.setIommu(VFIO_NOIOMMU_IOMMU))).toBe('EINVAL');
    // the other container ioctls need the IOAS a group brings too (get_compat_ioas)
    expect(await errnoOf(c.iommuInfo())).toBe('ENODEV');
    expect(await errnoOf(c.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }))).toBe('ENODEV');
    expect(await c.apiVersion()).toBe(0);
  });

  it('GET_INFO, MAP_DMA and GET_DEVICE_FD before SET_IOMMU succeed; SET_IOMMU twice succeeds', async () => {
    const { container, group, buf } = await withGroup();
    expect((await container.iommuInfo()).dmaAvail).toBe(COMPAT_DMA_AVAIL);
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: PAGE, flags: RW });
    const d = await group.openDevice(EDU);
    await container.setIommu(VFIO_TYPE1v2_IOMMU);
    await container.setIommu(VFIO_TYPE1v2_IOMMU);
    await d.close();
    expect(await group.status()).toEqual({ viable: true, containerSet: true });
  });

  it('CHECK_EXTENSION: TYPE1, TYPE1v2, UNMAP_ALL 1; NESTING, UPDATE_VADDR, NOIOMMU 0; DMA_CC fails before a group, 1 bare, 0 with a device', async () => {
    const { host } = eduHost('edu-6.12-compat');
    const c = await host.openContainer();
    const answers = async () =>
      Promise.all(
        [VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, VFIO_TYPE1_NESTING_IOMMU, VFIO_UPDATE_VADDR, VFIO_NOIOMMU_IOMMU].map((e) =>
          c.checkExtension(e),
        ),
      );
    expect(await answers()).toEqual([1, 1, 1, 0, 0, 0]);
    expect(await errnoOf(c.checkExtension(VFIO_DMA_CC_IOMMU))).toBe('ENODEV');
    const g = await host.openGroup(3);
    await g.setContainer(c);
    expect(await c.checkExtension(VFIO_DMA_CC_IOMMU)).toBe(1);
    const d = await g.openDevice(EDU);
    expect(await c.checkExtension(VFIO_DMA_CC_IOMMU)).toBe(0);
    await d.close();
    expect(await c.checkExtension(VFIO_DMA_CC_IOMMU)).toBe(1);
  });
});

describe('VFIO_IOMMU_GET_INFO', () => {
  it('before a device fd is open: the whole 64-bit range, page sizes 0xfffffffffffff000, dma_avail 4294967295; with one: the VT-d ranges and sizes', async () => {
    const { container, group } = await withGroup();
    expect(await container.iommuInfo()).toEqual({
      flags: VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
      iovaPgsizes: 0xffff_ffff_ffff_f000n,
      iovaRanges: [{ start: 0n, end: U64_MAX }],
      dmaAvail: 4294967295,
    });
    const d = await group.openDevice(EDU);
    const info = await container.iommuInfo();
    expect(info.iovaPgsizes).toBe(0x4020_1000n);
    expect(info.iovaRanges).toEqual([
      { start: 0n, end: 0xfedf_ffffn },
      { start: 0xfef0_0000n, end: 0x7f_ffff_ffffn },
    ]);
    expect(info.dmaAvail).toBe(COMPAT_DMA_AVAIL);
    await d.close();
  });
});

describe('MAP_DMA and UNMAP_DMA', () => {
  it('map wrapping past 2^64: EOVERFLOW; overlap EEXIST; the VADDR flags EINVAL (UPDATE_VADDR is not emulated)', async () => {
    const { container, group, buf } = await withGroup();
    await group.openDevice(EDU);
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: U64_MAX - PAGE + 1n, size: 2n * PAGE, flags: RW }))).toBe('EOVERFLOW');
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: IOVA + PAGE, size: 2n * PAGE, flags: RW }))).toBe('EEXIST');
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: VFIO_DMA_MAP_FLAG_VADDR }))).toBe(
      'EINVAL',
    );
    expect(await errnoOf(container.unmapDma({ iova: IOVA, size: 2n * PAGE, flags: VFIO_DMA_UNMAP_FLAG_VADDR }))).toBe('EINVAL');
    // the MSI window and past the aperture, as type1
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: 0xfee0_0000n, size: PAGE, flags: RW }))).toBe('EINVAL');
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: 1n << 39n, size: PAGE, flags: RW }))).toBe('EINVAL');
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: 0x20_0000n, size: 0n, flags: RW }))).toBe('EINVAL');
    expect(await errnoOf(container.mapDma({ vaddr: 0n, iova: 0x20_0000n, size: PAGE, flags: RW }))).toBe('EFAULT');
  });

  it('a bisecting unmap: ENOENT, the mapping stays; an unaligned or empty one succeeds with 0 bytes', async () => {
    const { container, group, buf } = await withGroup();
    await group.openDevice(EDU);
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    expect(await errnoOf(container.unmapDma({ iova: IOVA, size: PAGE, flags: 0 }))).toBe('ENOENT');
    expect(await container.unmapDma({ iova: 0x40_0000n + 0x800n, size: PAGE, flags: 0 })).toBe(0n);
    expect(await container.unmapDma({ iova: 0x40_0000n, size: 16n * PAGE, flags: 0 })).toBe(0n);
    expect(await errnoOf(container.unmapDma({ iova: IOVA, size: 0n, flags: 0 }))).toBe('EINVAL');
    expect(await container.unmapDma({ iova: IOVA, size: 2n * PAGE, flags: 0 })).toBe(2n * PAGE);
    expect(await container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL })).toBe(0n);
    expect(await errnoOf(container.unmapDma({ iova: IOVA, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }))).toBe('EINVAL');
  });

  it('has no mapping-count limit: dma_avail never counts down', async () => {
    const { container, group, buf } = await withGroup();
    await group.openDevice(EDU);
    for (let i = 0n; i < 16n; i++) await container.mapDma({ vaddr: buf.vaddr + i * PAGE, iova: IOVA + i * PAGE, size: PAGE, flags: RW });
    expect((await container.iommuInfo()).dmaAvail).toBe(COMPAT_DMA_AVAIL);
  });

  it('TYPE1 (v1) may unmap part of a mapping: the mapping is cut at the range', async () => {
    const { container, buf } = await withGroup();
    await container.setIommu(VFIO_TYPE1_IOMMU);
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: RW });
    expect(await container.unmapDma({ iova: IOVA + PAGE, size: PAGE, flags: 0 })).toBe(PAGE);
    expect(await container.unmapDma({ iova: IOVA, size: 4n * PAGE, flags: 0 })).toBe(3n * PAGE);
  });

  it('edu DMA works through the compat container', async () => {
    const { container, group, buf, clock } = await withGroup();
    await buf.write(0n, Uint8Array.of(7, 8, 9));
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    const d = await group.openDevice(EDU);
    await setBusMaster(d);
    await eduCopy(d, clock, IOVA, IOVA + PAGE, 3);
    expect(Array.from(await buf.read(PAGE, 3))).toEqual([7, 8, 9]);
  });
});

describe('groups and the container’s IOAS', () => {
  it('UNSET_CONTAINER with a device open succeeds (type1: EBUSY); the device keeps its DMA', async () => {
    const { container, group, buf, clock } = await withGroup();
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    const d = await group.openDevice(EDU);
    await group.unsetContainer();
    // the open device stays bound to the iommufd and so keeps the group's DMA claimed: not viable (bed-measured)
    expect(await group.status()).toEqual({ viable: false, containerSet: false });
    expect(await errnoOf(group.openDevice(EDU))).toBe('EINVAL');
    await buf.write(0n, Uint8Array.of(1));
    await setBusMaster(d);
    await eduCopy(d, clock, IOVA, IOVA + PAGE, 1);
    expect(Array.from(await buf.read(PAGE, 1))).toEqual([1]);
  });

  it('closing the group with its device open releases the group file (type1: the device holds it, EBUSY on reopen)', async () => {
    const { host, group } = await withGroup();
    const d = await group.openDevice(EDU);
    await group.close();
    // an iommufd-opened device takes no reference to the group file: the group reopens at once,
    // not viable while the device holds its DMA, and without a container
    const again = await host.openGroup(3);
    expect(await again.status()).toEqual({ viable: false, containerSet: false });
    expect(Array.from(await d.read(0, 0n, 4))).toEqual([0xed, 0x00, 0x00, 0x01]);
    await d.close();
    expect(await again.status()).toEqual({ viable: true, containerSet: false });

    const type1 = eduHost('edu-6.12').host;
    const c1 = await type1.openContainer();
    const g1 = await type1.openGroup(3);
    await g1.setContainer(c1);
    await c1.setIommu(VFIO_TYPE1v2_IOMMU);
    const d1 = await g1.openDevice(EDU);
    await g1.close();
    expect(await errnoOf(type1.openGroup(3))).toBe('EBUSY');
    await d1.close();
    expect(await (await type1.openGroup(3)).status()).toEqual({ viable: true, containerSet: false });
  });

  it('the container keeps its IOAS, and its mappings, after the last group leaves', async () => {
    const { container, group, buf } = await withGroup();
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: PAGE, flags: RW });
    await group.unsetContainer();
    await group.close();
    expect((await container.iommuInfo()).dmaAvail).toBe(COMPAT_DMA_AVAIL);
    await container.setIommu(VFIO_TYPE1v2_IOMMU);
    expect(await container.unmapDma({ iova: IOVA, size: PAGE, flags: 0 })).toBe(PAGE);
  });

  it('a group that is not viable joins the container (SET_CONTAINER claims nothing) but GET_DEVICE_FD is EPERM', async () => {
    const { host } = eduHost('edu-6.12-compat');
    const c = await host.openContainer();
    const g = await host.openGroup(5);
    expect(await g.status()).toEqual({ viable: false, containerSet: false });
    await g.setContainer(c);
    expect(await g.status()).toEqual({ viable: true, containerSet: true });
    expect(await errnoOf(g.openDevice('0000:01:01.0'))).toBe('EPERM');
    // nothing stays claimed: the blocker may still be rebound
    await g.close();
    await host.bindDriver('0000:01:02.0', 'vfio-pci');
  });

  it('two groups in one container share its IOAS; SET_CONTAINER twice is EINVAL', async () => {
    const { host, clock } = eduHost('edu-6.12-compat');
    const c = await host.openContainer();
    const g3 = await host.openGroup(3);
    const g4 = await host.openGroup(4);
    await g3.setContainer(c);
    await g4.setContainer(c);
    expect(await errnoOf(g4.setContainer(c))).toBe('EINVAL');
    const buf = await host.allocDmaBuffer(2n * PAGE);
    await buf.write(0n, Uint8Array.of(4, 2));
    await c.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 2n * PAGE, flags: RW });
    const d4 = await g4.openDevice('0000:00:04.0');
    await g3.openDevice(EDU);
    await setBusMaster(d4);
    await eduCopy(d4, clock, IOVA, IOVA + PAGE, 2);
    expect(Array.from(await buf.read(PAGE, 2))).toEqual([4, 2]);
  });
});

describe('pinned memory through the compat container', () => {
  it('charges VmLck and VmPin, only while a device is attached; ENOMEM at RLIMIT_MEMLOCK', async () => {
    const { host, container, group, buf } = await withGroup({ memlock: 8 * 4096 });
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: RW });
    const self = async () => (await host.owners()).find((o) => o.self)!;
    expect([(await self()).lockedBytes, (await self()).pinnedBytes]).toEqual([0, 0]);
    const d = await group.openDevice(EDU);
    expect((await self()).via).toBe('group');
    expect([(await self()).lockedBytes, (await self()).pinnedBytes]).toEqual([0x4000, 0x4000]);
    expect(host.kernel.user.lockedPages).toBe(0);
    expect(await errnoOf(container.mapDma({ vaddr: buf.vaddr, iova: 0x20_0000n, size: 5n * PAGE, flags: RW }))).toBe('ENOMEM');
    await container.mapDma({ vaddr: buf.vaddr, iova: 0x20_0000n, size: 4n * PAGE, flags: RW });
    await d.close();
    expect([(await self()).lockedBytes, (await self()).pinnedBytes]).toEqual([0, 0]);
  });

  it('a device whose domain cannot take the pinned total fails to open: ENOMEM', async () => {
    const { container, group, buf } = await withGroup({ memlock: 2 * 4096 });
    await container.mapDma({ vaddr: buf.vaddr, iova: IOVA, size: 4n * PAGE, flags: RW });
    expect(await errnoOf(group.openDevice(EDU))).toBe('ENOMEM');
    await container.unmapDma({ iova: IOVA, size: 4n * PAGE, flags: 0 });
    await group.openDevice(EDU);
  });
});
