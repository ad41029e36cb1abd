/**
 * VFIO_IOMMU_GET_INFO on a TYPE1v2 container (vfio_iommu_type1.c):
 * page sizes, the IOVA ranges capability with the x86 MSI window carved out,
 * and the DMA_AVAIL capability that counts down dma_entry_limit.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_IOMMU_INFO_CAPS, VFIO_IOMMU_INFO_PGSIZES } from '@vfioscope/uapi';
import { eduPair, type SuiteContext } from './context.ts';

/** x86 interrupt (MSI) window that type1 reserves: never a valid IOVA */
export const X86_MSI_WINDOW = { start: 0xfee0_0000n, end: 0xfeef_ffffn } as const;

export function iommuInfo(ctx: SuiteContext): void {
  describe('IOMMU info (TYPE1v2)', () => {
    it('reports PGSIZES and CAPS, and the smallest page size is the host page size', async () => {
      const [edu] = eduPair(ctx.target());
      const { container } = await ctx.scope().openStack(edu);
      const info = await container.iommuInfo();
      expect(info.flags & VFIO_IOMMU_INFO_PGSIZES).toBe(VFIO_IOMMU_INFO_PGSIZES);
      expect(info.flags & VFIO_IOMMU_INFO_CAPS).toBe(VFIO_IOMMU_INFO_CAPS);
      const smallest = info.iovaPgsizes & -info.iovaPgsizes;
      expect(smallest).toBe(BigInt(ctx.target().host.pageSize));
    });

    it('IOVA ranges start at 0, are sorted and disjoint, and exclude exactly the MSI window 0xfee00000-0xfeefffff', async () => {
      const [edu] = eduPair(ctx.target());
      const { container } = await ctx.scope().openStack(edu);
      const { iovaRanges } = await container.iommuInfo();
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

    it('DMA_AVAIL starts at dma_entry_limit and counts one entry per mapping', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const { container } = await scope.openStack(edu);
      const page = BigInt(t.host.pageSize);
      const buf = await scope.dmaBuffer(2n * page);
      expect((await container.iommuInfo()).dmaAvail).toBe(t.dmaEntryLimit);
      const flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
      await container.mapDma({ vaddr: buf.vaddr, iova: 0x20_0000n, size: page, flags });
      // two mappings of adjacent IOVAs stay two entries: v2 never merges them
      await container.mapDma({ vaddr: buf.vaddr + page, iova: 0x20_0000n + page, size: page, flags });
      expect((await container.iommuInfo()).dmaAvail).toBe(t.dmaEntryLimit - 2);
      expect(await container.unmapDma({ iova: 0x20_0000n, size: 2n * page, flags: 0 })).toBe(2n * page);
      expect((await container.iommuInfo()).dmaAvail).toBe(t.dmaEntryLimit);
    });
  });
}
