/**
 * Containers and groups (drivers/vfio/container.c, group.c; vfio_main.c in
 * 6.1): the container API version and extensions, the SET_CONTAINER /
 * SET_IOMMU / GET_DEVICE_FD ordering rules, and exclusive group ownership —
 * as type1 answers and as iommufd's compat container answers (vfio_compat.c,
 * which is laxer about ordering: modes.ts). The iommufd mode has no container
 * and no group file, so none of these apply there.
 */
import { expect } from 'vitest';
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
import { caseIn, describeIn, eduPair, expectEntriesUsed, type SuiteContext } from './context.ts';
import { containerSpace } from './dma-space.ts';
import { expectAnswer, expectErrno } from './expect-errno.ts';
import { LEGACY_MODES, type ModeAnswers } from './modes.ts';

const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
const WHY = 'the iommufd mode opens no container and no group file';

export function groupsAndContainers(ctx: SuiteContext): void {
  const legacy = (name: string, fn: () => Promise<void>) => caseIn(ctx, LEGACY_MODES, WHY, name, fn);
  /** the legacy answers (only read inside cases, which run in legacy modes only) */
  const answers = (): NonNullable<ModeAnswers['container']> => {
    if (!ctx.answers.container) throw new Error(`${ctx.mode} has no container`);
    return ctx.answers.container;
  };
  describeIn(ctx, LEGACY_MODES, 'containers', () => {
    legacy('VFIO_GET_API_VERSION is VFIO_API_VERSION (0)', async () => {
      const container = await ctx.scope().openContainer();
      expect(await container.apiVersion()).toBe(VFIO_API_VERSION);
    });

    legacy('VFIO_CHECK_EXTENSION: TYPE1, TYPE1v2 and UNMAP_ALL are 1; NOIOMMU, SPAPR_TCE and unknown ids are 0', async () => {
      const container = await ctx.scope().openContainer();
      expect(await container.checkExtension(VFIO_TYPE1_IOMMU)).toBe(1);
      expect(await container.checkExtension(VFIO_TYPE1v2_IOMMU)).toBe(1);
      expect(await container.checkExtension(VFIO_UNMAP_ALL)).toBe(1);
      expect(await container.checkExtension(VFIO_NOIOMMU_IOMMU)).toBe(0);
      expect(await container.checkExtension(VFIO_SPAPR_TCE_IOMMU)).toBe(0);
      expect(await container.checkExtension(0x7fff)).toBe(0);
    });

    legacy('VFIO_SET_IOMMU before any group is attached fails (type1 EINVAL, compat ENODEV)', async () => {
      const container = await ctx.scope().openContainer();
      await expectErrno(container.setIommu(VFIO_TYPE1v2_IOMMU), answers().setIommuWithoutGroup);
    });

    legacy('IOMMU_GET_INFO and MAP_DMA before VFIO_SET_IOMMU: type1 EINVAL, compat serves them', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      const buf = await scope.dmaBuffer(BigInt(ctx.target().host.pageSize));
      await expectAnswer(container.iommuInfo(), answers().beforeSetIommu);
      await expectAnswer(container.mapDma({ vaddr: buf.vaddr, iova: 0x10_0000n, size: buf.size, flags: RW }), answers().beforeSetIommu);
    });

    legacy('VFIO_SET_IOMMU a second time: type1 EINVAL, compat accepts it', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await scope.setType1v2(container);
      await expectAnswer(container.setIommu(VFIO_TYPE1v2_IOMMU), answers().setIommuTwice);
    });

    legacy('VFIO_SET_IOMMU with a type no IOMMU driver offers fails (type1 ENODEV, compat EINVAL)', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await expectErrno(container.setIommu(VFIO_SPAPR_TCE_IOMMU), answers().unofferedIommuType);
    });

    legacy('two groups share one container (merged groups) after VFIO_SET_IOMMU', async () => {
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

    legacy('when the last group leaves, type1 forgets its IOMMU (EINVAL until SET_IOMMU again); compat keeps its IOAS', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await group.setContainer(container);
      await container.setIommu(VFIO_TYPE1v2_IOMMU);
      await group.unsetContainer();
      await expectAnswer(container.iommuInfo(), answers().infoAfterLastGroupLeaves);
      await scope.attach(group, container);
      await scope.setType1v2(container);
      await expectEntriesUsed(ctx, containerSpace(container, ctx.mode), 0);
    });
  });

  describeIn(ctx, LEGACY_MODES, 'groups', () => {
    legacy('a fresh viable group reports VIABLE without CONTAINER_SET, then both after SET_CONTAINER', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      expect(await group.status()).toEqual({ viable: true, containerSet: false });
      await scope.attach(group, container);
      expect(await group.status()).toEqual({ viable: true, containerSet: true });
    });

    legacy('VFIO_GROUP_SET_CONTAINER on a group that already has one fails with EINVAL', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const other = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      await expectErrno(group.setContainer(other), 'EINVAL');
      await expectErrno(group.setContainer(container), 'EINVAL');
    });

    legacy('VFIO_GROUP_UNSET_CONTAINER without a container fails with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const group = await ctx.scope().openGroup(edu.group);
      await expectErrno(group.unsetContainer(), 'EINVAL');
    });

    legacy('VFIO_GROUP_UNSET_CONTAINER while a device fd is open: type1 EBUSY, compat lets it go', async () => {
      const [edu] = eduPair(ctx.target());
      const { group } = await ctx.scope().openLegacyStack(edu);
      const answer = answers().unsetWithDeviceOpen;
      await expectAnswer(group.unsetContainer(), answer);
      expect((await group.status()).containerSet).toBe(answer !== 'ok');
    });

    legacy('VFIO_GROUP_GET_DEVICE_FD before SET_CONTAINER fails with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const group = await ctx.scope().openGroup(edu.group);
      await expectErrno(group.openDevice(edu.bdf), 'EINVAL');
    });

    legacy('VFIO_GROUP_GET_DEVICE_FD before SET_IOMMU: type1 EINVAL, compat opens the device', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const container = await scope.openContainer();
      const group = await scope.openGroup(edu.group);
      await scope.attach(group, container);
      const answer = answers().beforeSetIommu;
      if (answer === 'ok') await scope.openDevice(group, edu.bdf);
      else await expectErrno(group.openDevice(edu.bdf), answer);
    });

    legacy('VFIO_GROUP_GET_DEVICE_FD with an unknown name or a device of another group fails with ENODEV', async () => {
      const [a, b] = eduPair(ctx.target());
      const { group } = await ctx.scope().openLegacyStack(a);
      await expectErrno(group.openDevice('0000:ff:1f.7'), 'ENODEV');
      await expectErrno(group.openDevice(b.bdf), 'ENODEV');
    });

    legacy('opening a group that is already open fails with EBUSY', async () => {
      const [edu] = eduPair(ctx.target());
      const scope = ctx.scope();
      await scope.openGroup(edu.group);
      await expectErrno(ctx.target().host.openGroup(edu.group), 'EBUSY');
    });

    legacy('opening a group another process holds fails with EBUSY, and succeeds once it lets go', async () => {
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
