/**
 * The VFIO device cdev and iommufd objects (drivers/vfio/device_cdev.c,
 * drivers/iommu/iommufd/main.c, device.c, ioas.c): bind and attach rules,
 * IOAS lifetime, IOVA ranges before and after a device arrives, several
 * devices in one IOAS. And, for every mode, the cases it cannot express,
 * named with the kernel rule that makes them so — asserted, not skipped.
 */
import { expect, it } from 'vitest';
import { caseIn, describeIn, eduPair, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';
import { X86_MSI_WINDOW } from './iommu-info.ts';
import { LEGACY_MODES } from './modes.ts';

const NATIVE = ['iommufd'] as const;
const WHY_NATIVE = 'a rule of the device cdev and iommufd objects, which the legacy container path does not use';
/** an object id no iommufd hands out this early */
const BOGUS_ID = 0x7fff_fff0;

export function cdevRules(ctx: SuiteContext): void {
  describeIn(ctx, NATIVE, 'device cdev and iommufd objects', () => {
    caseIn(ctx, NATIVE, WHY_NATIVE, 'device ioctls on a cdev before VFIO_DEVICE_BIND_IOMMUFD fail with EINVAL', async () => {
      const [edu] = eduPair(ctx.target());
      const device = await ctx.scope().openCdev(edu.bdf);
      await expectErrno(device.info(), 'EINVAL');
    });

    caseIn(
      ctx,
      NATIVE,
      WHY_NATIVE,
      'binding a cdev twice fails with EINVAL; a second open of the same cdev opens but cannot bind (EINVAL)',
      async () => {
        const scope = ctx.scope();
        const [edu] = eduPair(ctx.target());
        const { iommufd, device } = await scope.openCdevStack(edu);
        await expectErrno(device.bind(iommufd), 'EINVAL');
        const second = await scope.openCdev(edu.bdf);
        await expectErrno(second.bind(iommufd), 'EINVAL');
      },
    );

    caseIn(ctx, NATIVE, WHY_NATIVE, 'attaching to an id that names no IOAS or HWPT fails with ENOENT', async () => {
      const scope = ctx.scope();
      const [edu] = eduPair(ctx.target());
      const iommufd = await scope.openIommufd();
      const device = await scope.openCdev(edu.bdf);
      await device.bind(iommufd);
      await expectErrno(device.attach(BOGUS_ID), 'ENOENT');
    });

    caseIn(
      ctx,
      NATIVE,
      WHY_NATIVE,
      'attaching to an IOAS gives a page table of its own (an automatic HWPT); device info works once attached',
      async () => {
        const [edu] = eduPair(ctx.target());
        const { ioas, ptId, device } = await ctx.scope().openCdevStack(edu);
        expect(ptId).not.toBe(ioas.id);
        expect((await device.info()).numRegions).toBeGreaterThan(0);
      },
    );

    caseIn(
      ctx,
      NATIVE,
      WHY_NATIVE,
      'IOMMU_DESTROY of an IOAS with a device attached fails with EBUSY; after detach it succeeds',
      async () => {
        const scope = ctx.scope();
        const [edu] = eduPair(ctx.target());
        const iommufd = await scope.openIommufd();
        const ioas = await iommufd.allocIoas();
        const device = await scope.openCdev(edu.bdf);
        await device.bind(iommufd);
        await device.attach(ioas.id);
        await expectErrno(ioas.destroy(), 'EBUSY');
        await device.detach();
        await ioas.destroy();
      },
    );

    caseIn(
      ctx,
      NATIVE,
      WHY_NATIVE,
      'a fresh IOAS spans the whole 64-bit space; an attached device carves out its reserved ranges (the MSI window)',
      async () => {
        const scope = ctx.scope();
        const [edu] = eduPair(ctx.target());
        const iommufd = await scope.openIommufd();
        const ioas = await scope.allocIoas(iommufd);
        expect((await ioas.iovaRanges()).ranges).toEqual([{ start: 0n, end: (1n << 64n) - 1n }]);
        await scope.openCdevStack(edu, { iommufd, ioas });
        const { ranges, alignment } = await ioas.iovaRanges();
        expect(alignment).toBe(BigInt(ctx.target().host.pageSize));
        expect(
          ranges.find((r) => r.end === X86_MSI_WINDOW.start - 1n),
          'a range ends right below the MSI window',
        ).toBeDefined();
        expect(ranges.some((r) => r.start <= X86_MSI_WINDOW.end && r.end >= X86_MSI_WINDOW.start)).toBe(false);
      },
    );

    caseIn(ctx, NATIVE, WHY_NATIVE, 'two devices share one IOAS (and its page table): a mapping serves both', async () => {
      const scope = ctx.scope();
      const [a, b] = eduPair(ctx.target());
      const first = await scope.openCdevStack(a);
      const second = await scope.openCdevStack(b, first);
      expect(second.ptId).toBe(first.ptId);
      const page = BigInt(ctx.target().host.pageSize);
      const buf = await scope.dmaBuffer(page);
      await first.dma.map({ vaddr: buf.vaddr, iova: 0x10_0000n, size: page });
      expect(await second.dma.unmap(0x10_0000n, page)).toBe(page);
    });

    caseIn(ctx, NATIVE, WHY_NATIVE, 'a device of a group that is not viable cannot bind: EPERM', async () => {
      const t = ctx.target();
      const shared = t.sharedGroup;
      if (!shared) throw new Error(`target ${t.name} provides no shared non-viable group; the conformance bed must include one`);
      const topology = await t.host.topology();
      const member = topology.devices.find((d) => shared.devices.includes(d.bdf) && d.driver === 'vfio-pci');
      if (!member) throw new Error(`group ${shared.group} has no device on vfio-pci`);
      const scope = ctx.scope();
      const iommufd = await scope.openIommufd();
      const device = await scope.openCdev(member.bdf);
      await expectErrno(device.bind(iommufd), 'EPERM');
    });
  });
}

/**
 * The cases this mode left out, named in the test's title, with the kernel rule that keeps the
 * other path closed asserted: a group file and a bound cdev exclude each other (vfio_group_open
 * and vfio_device_cdev's claim of DMA ownership both answer EBUSY).
 */
export function notExpressible(ctx: SuiteContext): void {
  const byWhy = new Map<string, string[]>();
  for (const c of ctx.notExpressible) byWhy.set(c.why, [...(byWhy.get(c.why) ?? []), `«${c.name}»`]);
  const named = [...byWhy].map(([why, names]) => `${why}: ${names.join(', ')}`).join('; ');
  const title = `not expressible on ${ctx.mode} (${ctx.notExpressible.length}) — ${named}`;
  if (ctx.mode === 'iommufd') {
    it(`${title}; with the cdev bound, the group file is refused with EBUSY`, async () => {
      const [edu] = eduPair(ctx.target());
      await ctx.scope().openCdevStack(edu);
      await expectErrno(ctx.target().host.openGroup(edu.group), 'EBUSY');
    });
    return;
  }
  if (!LEGACY_MODES.includes(ctx.mode)) throw new Error(`no rule names what ${ctx.mode} cannot express`);
  it(`${title}; with the group's device open, its cdev is absent (ENOENT) or cannot bind (EBUSY)`, async () => {
    const t = ctx.target();
    const [edu] = eduPair(t);
    await ctx.scope().openLegacyStack(edu);
    const { uapi } = await t.host.hostInfo();
    if (!uapi.cdev || !uapi.iommufd) {
      await expectErrno(t.host.openDeviceCdev(edu.bdf), 'ENOENT');
      return;
    }
    const iommufd = await ctx.scope().openIommufd();
    const cdev = await ctx.scope().openCdev(edu.bdf);
    await expectErrno(cdev.bind(iommufd), 'EBUSY');
  });
}
