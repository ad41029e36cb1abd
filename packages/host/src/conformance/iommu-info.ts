/**
 * What the IOMMU context says about itself: VFIO_IOMMU_GET_INFO on a
 * container (vfio_iommu_type1.c; vfio_compat.c under iommufd) or
 * IOMMU_IOAS_IOVA_RANGES on an IOAS — page sizes, the valid IOVA ranges with
 * the x86 MSI window carved out, and what counts mappings.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_IOMMU_INFO_CAPS, VFIO_IOMMU_INFO_PGSIZES } from '@vfioscope/uapi';
import { caseIn, eduPair, expectEntriesUsed, type SuiteContext } from './context.ts';
import { LEGACY_MODES } from './modes.ts';

/** x86 interrupt (MSI) window that the IOMMU reserves: never a valid IOVA */
export const X86_MSI_WINDOW = { start: 0xfee0_0000n, end: 0xfeef_ffffn } as const;

export function iommuInfo(ctx: SuiteContext): void {
  describe(`IOMMU info (${ctx.mode})`, () => {
    caseIn(ctx, LEGACY_MODES, 'VFIO_IOMMU_GET_INFO is a container ioctl', 'GET_INFO reports PGSIZES and CAPS', async () => {
      const [edu] = eduPair(ctx.target());
      const { container } = await ctx.scope().openLegacyStack(edu);
      const info = await container.iommuInfo();
      expect(info.flags & VFIO_IOMMU_INFO_PGSIZES).toBe(VFIO_IOMMU_INFO_PGSIZES);
      expect(info.flags & VFIO_IOMMU_INFO_CAPS).toBe(VFIO_IOMMU_INFO_CAPS);
    });

    it('the smallest IOVA page size (alignment) is the host page size', async () => {
      const [edu] = eduPair(ctx.target());
      const { dma } = await ctx.scope().openStack(edu);
      expect(await dma.iovaPage()).toBe(BigInt(ctx.target().host.pageSize));
    });

    it('IOVA ranges start at 0, are sorted and disjoint, and exclude exactly the MSI window 0xfee00000-0xfeefffff', async () => {
      const [edu] = eduPair(ctx.target());
      const { dma } = await ctx.scope().openStack(edu);
      const iovaRanges = await dma.iovaRanges();
      expect(iovaRanges.length).toBeGreaterThanOrEqual(2);
      expect(iovaRanges[0]!.start).toBe(0n);
      for (let i = 1; i < iovaRanges.length; i++) {
        expect(iovaRanges[i]!.start).toBeGreaterThan(iovaRanges[i - 1]!.end + 1n);
      }
      for (const r of iovaRanges) {
        expect(r.end >= X86_MSI_WINDOW.start && r.start <= X86_MSI_WINDOW.end, `range ${r.start}-${r.end}`).toBe(false);
      }
      const below = iovaRanges.find((r) => r.end === X86_MSI_WINDOW.start - 1n);
      const above = iovaRanges.find((r) => r.start === X86_MSI_WINDOW.end + 1n);
      expect(below, 'a range ends right below the MSI window').toBeDefined();
      expect(above, 'a range starts right above the MSI window').toBeDefined();
    });

    caseIn(
      ctx,
      LEGACY_MODES,
      'DMA_AVAIL is a capability of VFIO_IOMMU_GET_INFO; an IOAS counts no mappings (see DMA limits)',
      'DMA_AVAIL: type1 starts at dma_entry_limit and counts one entry per mapping, iommufd compat reports 4294967295 throughout',
      async () => {
        const t = ctx.target();
        const [edu] = eduPair(t);
        const scope = ctx.scope();
        const { dma } = await scope.openLegacyStack(edu);
        const page = BigInt(t.host.pageSize);
        const buf = await scope.dmaBuffer(2n * page);
        await expectEntriesUsed(ctx, dma, 0);
        await dma.map({ vaddr: buf.vaddr, iova: 0x20_0000n, size: page });
        // two mappings of adjacent IOVAs stay two entries: v2 never merges them
        await dma.map({ vaddr: buf.vaddr + page, iova: 0x20_0000n + page, size: page });
        await expectEntriesUsed(ctx, dma, 2);
        expect(await dma.unmap(0x20_0000n, 2n * page)).toBe(2n * page);
        await expectEntriesUsed(ctx, dma, 0);
      },
    );
  });
}
