/**
 * DMA map and unmap in every mode: VFIO_IOMMU_MAP_DMA / UNMAP_DMA on TYPE1v2
 * (vfio_dma_do_map, vfio_dma_do_unmap in vfio_iommu_type1.c), the same
 * ioctls served by iommufd (vfio_compat.c), and IOMMU_IOAS_MAP / UNMAP
 * (ioas.c, io_pagetable.c): alignment, permissions, wrap-around, overlap,
 * valid IOVA ranges, whole-mapping unmap. Where the paths answer differently
 * the mode's table (modes.ts) or the one DMA shape rule (rules/dma-request.ts) says how.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_DMA_UNMAP_FLAG_ALL } from '@vfioscope/uapi';
import { dmaMapProblem, dmaUnmapProblem } from '../rules/dma-request.ts';
import type { DmaBuffer } from '../drive.ts';
import { caseIn, eduPair, expectEntriesUsed, type SuiteContext } from './context.ts';
import type { DmaSpace } from './dma-space.ts';
import { expectErrno } from './expect-errno.ts';
import { X86_MSI_WINDOW } from './iommu-info.ts';
import { LEGACY_MODES } from './modes.ts';

const BASE = 0x4000_0000n;

export function dmaMap(ctx: SuiteContext): void {
  /** A DMA context in the suite's mode with a device attached, and a buffer of `pages` pages. */
  async function setup(pages: number): Promise<{ dma: DmaSpace; buf: DmaBuffer; page: bigint }> {
    const scope = ctx.scope();
    const [edu] = eduPair(ctx.target());
    const { dma } = await scope.openStack(edu);
    const page = BigInt(ctx.target().host.pageSize);
    const buf = await scope.dmaBuffer(BigInt(pages) * page);
    return { dma, buf, page };
  }

  /** nothing is mapped at BASE: DMA_AVAIL back at its start where it counts, an empty unmap where it does not */
  async function expectNothingMapped(dma: DmaSpace, page: bigint): Promise<void> {
    await expectEntriesUsed(ctx, dma, 0);
    const empty = ctx.answers.emptyUnmap;
    if (empty === 0n) expect(await dma.unmap(BASE, 16n * page)).toBe(0n);
    else await expectErrno(dma.unmap(BASE, 16n * page), empty);
  }

  describe('DMA map', () => {
    it('maps and unmaps a page-aligned READ|WRITE range; unmap returns the bytes unmapped', async () => {
      const { dma, buf, page } = await setup(4);
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: 4n * page });
      expect(await dma.unmap(BASE, 4n * page)).toBe(4n * page);
    });

    it('READ-only and WRITE-only mappings are accepted', async () => {
      const { dma, buf, page } = await setup(2);
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page, write: false });
      await dma.map({ vaddr: buf.vaddr + page, iova: BASE + page, size: page, read: false });
      expect(await dma.unmap(BASE, 2n * page)).toBe(2n * page);
    });

    it('size 0 fails with EINVAL', async () => {
      const { dma, buf } = await setup(1);
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE, size: 0n }), 'EINVAL');
    });

    it('an IOVA, size or vaddr that is not page-aligned fails with EINVAL', async () => {
      const { dma, buf, page } = await setup(2);
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE + 0x800n, size: page }), 'EINVAL');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE, size: page + 0x800n }), 'EINVAL');
      await expectErrno(dma.map({ vaddr: buf.vaddr + 0x800n, iova: BASE, size: page }), 'EINVAL');
      await expectNothingMapped(dma, page);
    });

    it("neither READ nor WRITE fails with EINVAL; an undefined flag bit fails with the mode's errno", async () => {
      const { dma, buf, page } = await setup(1);
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE, size: page, read: false, write: false }), 'EINVAL');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE, size: page, undefinedFlag: true }), ctx.answers.undefinedMapFlag);
    });

    it('process memory that is not mapped (vaddr 0) cannot be pinned: EFAULT, and no mapping is left', async () => {
      const { dma, page } = await setup(1);
      await expectErrno(dma.map({ vaddr: 0n, iova: BASE, size: page }), 'EFAULT');
      await expectNothingMapped(dma, page);
    });

    it('an IOVA range that wraps past 2^64 fails with the errno of the one DMA rule (type1 EINVAL, iommufd EOVERFLOW)', async () => {
      const { dma, buf, page } = await setup(2);
      const req = { iova: (1n << 64n) - page, size: 2n * page };
      const rule = dmaMapProblem(ctx.mode, req, { pageSize: Number(page), ranges: [] });
      expect(rule?.field).toBe('size');
      await expectErrno(dma.map({ vaddr: buf.vaddr, ...req }), rule!.errno);
    });

    it('a range overlapping an existing mapping fails with EEXIST; an adjacent one is accepted', async () => {
      const { dma, buf, page } = await setup(4);
      await dma.map({ vaddr: buf.vaddr, iova: BASE + page, size: 2n * page });
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE + page, size: 2n * page }), 'EEXIST');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE, size: 2n * page }), 'EEXIST');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE + 2n * page, size: 2n * page }), 'EEXIST');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: BASE, size: 4n * page }), 'EEXIST');
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page });
      await dma.map({ vaddr: buf.vaddr + 3n * page, iova: BASE + 3n * page, size: page });
      expect(await dma.unmap(BASE, 4n * page)).toBe(4n * page);
    });

    it('an IOVA inside or straddling the x86 MSI window fails with EINVAL', async () => {
      const { dma, buf, page } = await setup(2);
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.start, size: page }), 'EINVAL');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.end + 1n - page, size: page }), 'EINVAL');
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.start - page, size: 2n * page }), 'EINVAL');
      await dma.map({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.start - page, size: page });
      await dma.map({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.end + 1n, size: page });
    });

    it('an IOVA beyond the last valid range fails with EINVAL', async () => {
      const { dma, buf, page } = await setup(1);
      const ranges = await dma.iovaRanges();
      const last = ranges[ranges.length - 1]!;
      expect(last.end, 'the aperture ends below 2^64 - 1').toBeLessThan((1n << 64n) - 1n);
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: last.end + 1n, size: page }), 'EINVAL');
      await dma.map({ vaddr: buf.vaddr, iova: last.end + 1n - page, size: page });
    });
  });

  describe('DMA unmap', () => {
    it("unmapping part of a mapping (bisecting it) fails with the mode's errno and leaves it mapped", async () => {
      const { dma, buf, page } = await setup(2);
      const errno = ctx.answers.bisectUnmap;
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: 2n * page });
      await expectErrno(dma.unmap(BASE, page), errno);
      await expectErrno(dma.unmap(BASE + page, page), errno);
      await expectErrno(dma.unmap(BASE + page, 2n * page), errno);
      await expectEntriesUsed(ctx, dma, 1);
      expect(await dma.unmap(BASE, 2n * page)).toBe(2n * page);
    });

    it('unmapping a range with no mapping in it: 0 bytes on a container, ENOENT on an IOAS', async () => {
      const { dma, page } = await setup(1);
      await expectNothingMapped(dma, page);
    });

    it('one unmap covering several whole mappings removes them all and returns their total size', async () => {
      const { dma, buf, page } = await setup(3);
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page });
      await dma.map({ vaddr: buf.vaddr + page, iova: BASE + 4n * page, size: 2n * page });
      await expectEntriesUsed(ctx, dma, 2);
      expect(await dma.unmap(BASE, 8n * page)).toBe(3n * page);
      await expectEntriesUsed(ctx, dma, 0);
    });

    it('an unaligned IOVA or size, or size 0: type1 refuses the shape (EINVAL, as the one DMA rule says); iommufd looks for whole mappings inside (none: ENOENT on an IOAS, 0 bytes on compat)', async () => {
      const { dma, buf, page } = await setup(1);
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page });
      const ctxRule = { pageSize: Number(page), ranges: [] };
      const away = BASE + 16n * page;
      for (const req of [
        { iova: away + 0x800n, size: page },
        { iova: away, size: page + 0x800n },
        { iova: away, size: 0n },
      ]) {
        const rule = dmaUnmapProblem(ctx.mode, req, ctxRule);
        const answer = rule?.errno ?? ctx.answers.emptyUnmap;
        const what = `unmap 0x${req.iova.toString(16)}+0x${req.size.toString(16)}`;
        if (answer === 0n) expect(await dma.unmap(req.iova, req.size), what).toBe(0n);
        else await expectErrno(dma.unmap(req.iova, req.size), answer);
      }
      await expectEntriesUsed(ctx, dma, 1);
    });

    caseIn(
      ctx,
      ['iommufd-compat', 'iommufd'],
      'type1 refuses an unaligned unmap (EINVAL) before it looks at mappings',
      'an unaligned unmap range that holds a whole mapping unmaps it',
      async () => {
        const { dma, buf, page } = await setup(1);
        await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page });
        expect(await dma.unmap(BASE - 0x800n, page + 0x1000n)).toBe(page);
        await expectEntriesUsed(ctx, dma, 0);
      },
    );

    it('unmapping everything removes every mapping and returns their total size', async () => {
      const { dma, buf, page } = await setup(3);
      await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page });
      await dma.map({ vaddr: buf.vaddr + page, iova: 0x1_0000_0000n, size: 2n * page });
      expect(await dma.unmapAll()).toBe(3n * page);
      await expectEntriesUsed(ctx, dma, 0);
    });

    caseIn(
      ctx,
      LEGACY_MODES,
      'VFIO_DMA_UNMAP_FLAG_ALL is a container flag; an IOAS unmaps everything with iova 0, length 2^64-1',
      'UNMAP_ALL with a nonzero IOVA or size fails with EINVAL',
      async () => {
        const [edu] = eduPair(ctx.target());
        const { container, dma } = await ctx.scope().openLegacyStack(edu);
        const page = BigInt(ctx.target().host.pageSize);
        const buf = await ctx.scope().dmaBuffer(page);
        await dma.map({ vaddr: buf.vaddr, iova: BASE, size: page });
        await expectErrno(container.unmapDma({ iova: BASE, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }), 'EINVAL');
        await expectErrno(container.unmapDma({ iova: 0n, size: page, flags: VFIO_DMA_UNMAP_FLAG_ALL }), 'EINVAL');
        await expectEntriesUsed(ctx, dma, 1);
      },
    );
  });
}
