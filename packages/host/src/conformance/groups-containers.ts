/**
 * Containers and groups (drivers/vfio/container.c, group.c; vfio_main.c in
 * 6.1): the container API version and extensions, the SET_CONTAINER /
 * SET_IOMMU / GET_DEVICE_FD ordering rules, and exclusive group ownership.
 */
import { describe, expect, it } from 'vitest';
import {
  VFIO_API_VERSION,
  VFIO_NOIOMMU_IOMMU,
  VFIO_SPAPR_TCE_IOMMU,
  VFIO_TYPE1_IOMMU,
  VFIO_TYPE1v2_IOMMU,
  VFIO_UNMAP_ALL,
  VFIO_DMA_MAP_FLAG_READ,
  VFIO_DMA_MAP_FLAG_WRITE,
} from '@vfioscope/uapi';
import { eduPair, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';

const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

export function groupsAndContainers(ctx: SuiteContext): void {
  describe('containers', () => {
    it('VFIO_GET_API_VERSION is VFIO_API_VERSION (0)', async () => {
      const container = await ctx.scope().openContainer();
      expect(await container.apiVersion()).toBe(VFIO_API_VERSION);
    });

    it('VFIO_CHECK_EXTENSION: TYPE1, TYPE1v2 and UNMAP_ALL are 1; NOIOMMU, SPAPR_TCE and unknown ids are 0', async () => {
      const container = await ctx.scope().openContainer();
      expect(await container.checkExtension(VFIO_TYPE1_IOMMU)).toBe(1);
      expect(await container.checkExtension(VFIO_TYPE1v2_IOMMU)).toBe(1);
      expect(await container.checkExtension(VFIO_UNMAP_ALL)).toBe(1);
      expect(await container.checkExtension(VFIO_NOIOMMU_IOMMU)).toBe(0);
      expect(await container.checkExtension(VFIO_SPAPR_TCE_IOMMU)).toBe(0);
      expect(await container.checkExtension(0x7fff)).toBe(0);
    });

    it('VFIO_SET_IOMMU before any group is attached fails with EINVAL', async () => {
      const container = await ctx.scope().openContainer();
      await expectErrno(container.setIommu(VFIO_TYPE1v2_IOMMU), 'EINVAL');
    });

    it('IOMMU_GET_INFO and MAP_DMA before VFIO_SET_IOMMU fail with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      const buf = await scope.dmaBuffer(BigInt(ctx.target().host.pageSize));
      await expectErrno(container.iommuInfo(), 'EINVAL');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: 0x10_0000n, size: buf.size, flags: RW }), 'EINVAL');
    });

    it('VFIO_SET_IOMMU a second time fails with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await scope.setType1v2(container);
      await expectErrno(container.setIommu(VFIO_TYPE1v2_IOMMU), 'EINVAL');
    });

    it('VFIO_SET_IOMMU with a type no IOMMU driver offers fails with ENODEV', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await expectErrno(container.setIommu(VFIO_SPAPR_TCE_IOMMU), 'ENODEV');
    });

    it('two groups share one container (merged groups) after VFIO_SET_IOMMU', async () => {
      const scope = ctx.scope();
      const [a, b] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const groupA = await scope.openGroup(a.group);
      await scope.attach(groupA, container);
      await scope.setType1v2(container);
      const groupB = await scope.openGroup(b.group);
      await scope.attach(groupB, container);
      expect(await groupB.status()).toEqual({ viable: true, containerSet: true });
      await scope.openDevice(groupA, a.bdf);
      await scope.openDevice(groupB, b.bdf);
    });

    it('the container forgets its IOMMU when the last group leaves (EINVAL until SET_IOMMU again)', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await group.setContainer(container);
      await container.setIommu(VFIO_TYPE1v2_IOMMU);
      await group.unsetContainer();
      await expectErrno(container.iommuInfo(), 'EINVAL');
      await scope.attach(group, container);
      await scope.setType1v2(container);
      const info = await container.iommuInfo();
      expect(info.dmaAvail).toBe(ctx.target().dmaEntryLimit);
    });
  });

  describe('groups', () => {
    it('a fresh viable group reports VIABLE without CONTAINER_SET, then both after SET_CONTAINER', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      expect(await group.status()).toEqual({ viable: true, containerSet: false });
      await scope.attach(group, container);
      expect(await group.status()).toEqual({ viable: true, containerSet: true });
    });

    it('VFIO_GROUP_SET_CONTAINER on a group that already has one fails with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const other = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await expectErrno(group.setContainer(other), 'EINVAL');
      await expectErrno(group.setContainer(container), 'EINVAL');
    });

    it('VFIO_GROUP_UNSET_CONTAINER without a container fails with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const group = await ctx.scope().openGroup(edu.group);
      await expectErrno(group.unsetContainer(), 'EINVAL');
    });

    it('VFIO_GROUP_UNSET_CONTAINER while a device fd is open fails with EBUSY', async () => {
      const [edu] = eduPair(ctx.target());
      const { group } = await ctx.scope().openStack(edu);
      await expectErrno(group.unsetContainer(), 'EBUSY');
      expect((await group.status()).containerSet).toBe(true);
    });

    it('VFIO_GROUP_GET_DEVICE_FD before SET_CONTAINER fails with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const group = await ctx.scope().openGroup(edu.group);
      await expectErrno(group.openDevice(edu.bdf), 'EINVAL');
    });

    it('VFIO_GROUP_GET_DEVICE_FD before SET_IOMMU fails with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await expectErrno(group.openDevice(edu.bdf), 'EINVAL');
    });

    it('VFIO_GROUP_GET_DEVICE_FD with an unknown name or a device of another group fails with ENODEV', async () => {
      const [a, b] = eduPair(ctx.target());
      const { group } = await ctx.scope().openStack(a);
      await expectErrno(group.openDevice('0000:ff:1f.7'), 'ENODEV');
      await expectErrno(group.openDevice(b.bdf), 'ENODEV');
    });

    it('opening a group that is already open fails with EBUSY', async () => {
      const [edu] = eduPair(ctx.target());
      const scope = ctx.scope();
      await scope.openGroup(edu.group);
      await expectErrno(ctx.target().host.openGroup(edu.group), 'EBUSY');
    });

    it('opening a group another process holds fails with EBUSY, and succeeds once it lets go', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const release = await t.holdGroupElsewhere(edu.group);
      let released = false;
      ctx.scope().defer('host', `release foreign hold of group ${edu.group}`, async () => {
        if (!released) await release();
      });
      await expectErrno(t.host.openGroup(edu.group), 'EBUSY');
      released = true;
      await release();
      const group = await ctx.scope().openGroup(edu.group);
      expect((await group.status()).viable).toBe(true);
    });
  });
}
