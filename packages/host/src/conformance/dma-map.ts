/**
 * VFIO_IOMMU_MAP_DMA / UNMAP_DMA on TYPE1v2 (vfio_dma_do_map,
 * vfio_dma_do_unmap in vfio_iommu_type1.c): alignment, permissions,
 * wrap-around, overlap, valid IOVA ranges, and v2's whole-mapping unmap.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_UNMAP_FLAG_ALL } from '@vfioscope/uapi';
import type { Container, DmaBuffer } from '../drive.ts';
import { eduPair, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';
import { X86_MSI_WINDOW } from './iommu-info.ts';

const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
/** a flag bit the uAPI does not define */
const UNDEFINED_MAP_FLAG = 1 << 7;
const BASE = 0x4000_0000n;

export function dmaMap(ctx: SuiteContext): void {
  /** A TYPE1v2 container and a buffer of `pages` pages. */
  async function setup(pages: number): Promise<{ container: Container; buf: DmaBuffer; page: bigint }> {
    const scope = ctx.scope();
    const [edu] = eduPair(ctx.target());
    const { container } = await scope.openStack(edu);
    const page = BigInt(ctx.target().host.pageSize);
    const buf = await scope.dmaBuffer(BigInt(pages) * page);
    return { container, buf, page };
  }

  describe('DMA map', () => {
    it('maps and unmaps a page-aligned READ|WRITE range; unmap returns the bytes unmapped', async () => {
      const { container, buf, page } = await setup(4);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: 4n * page, flags: RW });
      expect(await container.unmapDma({ iova: BASE, size: 4n * page, flags: 0 })).toBe(4n * page);
    });

    it('READ-only and WRITE-only mappings are accepted', async () => {
      const { container, buf, page } = await setup(2);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: VFIO_DMA_MAP_FLAG_READ });
      await container.mapDma({ vaddr: buf.vaddr + page, iova: BASE + page, size: page, flags: VFIO_DMA_MAP_FLAG_WRITE });
      expect(await container.unmapDma({ iova: BASE, size: 2n * page, flags: 0 })).toBe(2n * page);
    });

    it('size 0 fails with EINVAL', async () => {
      const { container, buf } = await setup(1);
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: 0n, flags: RW }), 'EINVAL');
    });

    it('an IOVA, size or vaddr that is not page-aligned fails with EINVAL', async () => {
      const { container, buf, page } = await setup(2);
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE + 0x800n, size: page, flags: RW }), 'EINVAL');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page + 0x800n, flags: RW }), 'EINVAL');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr + 0x800n, iova: BASE, size: page, flags: RW }), 'EINVAL');
      expect((await container.iommuInfo()).dmaAvail).toBe(ctx.target().dmaEntryLimit);
    });

    it('neither READ nor WRITE fails with EINVAL; an undefined flag bit fails with EINVAL', async () => {
      const { container, buf, page } = await setup(1);
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: 0 }), 'EINVAL');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: RW | UNDEFINED_MAP_FLAG }), 'EINVAL');
    });

    it('process memory that is not mapped (vaddr 0) cannot be pinned: EFAULT, and no entry is left', async () => {
      const { container, page } = await setup(1);
      await expectErrno(container.mapDma({ vaddr: 0n, iova: BASE, size: page, flags: RW }), 'EFAULT');
      expect((await container.iommuInfo()).dmaAvail).toBe(ctx.target().dmaEntryLimit);
    });

    it('an IOVA range that wraps past 2^64 fails with EINVAL', async () => {
      const { container, buf, page } = await setup(2);
      const top = (1n << 64n) - page;
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: top, size: 2n * page, flags: RW }), 'EINVAL');
    });

    it('a range overlapping an existing mapping fails with EEXIST; an adjacent one is accepted', async () => {
      const { container, buf, page } = await setup(4);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE + page, size: 2n * page, flags: RW });
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE + page, size: 2n * page, flags: RW }), 'EEXIST');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: 2n * page, flags: RW }), 'EEXIST');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE + 2n * page, size: 2n * page, flags: RW }), 'EEXIST');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: 4n * page, flags: RW }), 'EEXIST');
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: RW });
      await container.mapDma({ vaddr: buf.vaddr + 3n * page, iova: BASE + 3n * page, size: page, flags: RW });
      expect(await container.unmapDma({ iova: BASE, size: 4n * page, flags: 0 })).toBe(4n * page);
    });

    it('an IOVA inside or straddling the x86 MSI window fails with EINVAL', async () => {
      const { container, buf, page } = await setup(2);
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.start, size: page, flags: RW }), 'EINVAL');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.end + 1n - page, size: page, flags: RW }), 'EINVAL');
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.start - page, size: 2n * page, flags: RW }), 'EINVAL');
      await container.mapDma({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.start - page, size: page, flags: RW });
      await container.mapDma({ vaddr: buf.vaddr, iova: X86_MSI_WINDOW.end + 1n, size: page, flags: RW });
    });

    it('an IOVA beyond the last valid range fails with EINVAL', async () => {
      const { container, buf, page } = await setup(1);
      const { iovaRanges } = await container.iommuInfo();
      const last = iovaRanges[iovaRanges.length - 1]!;
      expect(last.end, 'the aperture ends below 2^64 - 1').toBeLessThan((1n << 64n) - 1n);
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: last.end + 1n, size: page, flags: RW }), 'EINVAL');
      await container.mapDma({ vaddr: buf.vaddr, iova: last.end + 1n - page, size: page, flags: RW });
    });
  });

  describe('DMA unmap', () => {
    it('unmapping part of a mapping (bisecting it) fails with EINVAL and leaves it mapped', async () => {
      const { container, buf, page } = await setup(2);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: 2n * page, flags: RW });
      await expectErrno(container.unmapDma({ iova: BASE, size: page, flags: 0 }), 'EINVAL');
      await expectErrno(container.unmapDma({ iova: BASE + page, size: page, flags: 0 }), 'EINVAL');
      await expectErrno(container.unmapDma({ iova: BASE + page, size: 2n * page, flags: 0 }), 'EINVAL');
      expect((await container.iommuInfo()).dmaAvail).toBe(ctx.target().dmaEntryLimit - 1);
      expect(await container.unmapDma({ iova: BASE, size: 2n * page, flags: 0 })).toBe(2n * page);
    });

    it('unmapping a range with no mapping in it succeeds and returns 0 bytes', async () => {
      const { container, page } = await setup(1);
      expect(await container.unmapDma({ iova: BASE, size: 16n * page, flags: 0 })).toBe(0n);
    });

    it('one unmap covering several whole mappings removes them all and returns their total size', async () => {
      const { container, buf, page } = await setup(3);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: RW });
      await container.mapDma({ vaddr: buf.vaddr + page, iova: BASE + 4n * page, size: 2n * page, flags: RW });
      expect(await container.unmapDma({ iova: BASE, size: 8n * page, flags: 0 })).toBe(3n * page);
      expect((await container.iommuInfo()).dmaAvail).toBe(ctx.target().dmaEntryLimit);
    });

    it('an unaligned IOVA, an unaligned size or size 0 fails with EINVAL', async () => {
      const { container, page } = await setup(1);
      await expectErrno(container.unmapDma({ iova: BASE + 0x800n, size: page, flags: 0 }), 'EINVAL');
      await expectErrno(container.unmapDma({ iova: BASE, size: page + 0x800n, flags: 0 }), 'EINVAL');
      await expectErrno(container.unmapDma({ iova: BASE, size: 0n, flags: 0 }), 'EINVAL');
    });

    it('UNMAP_ALL removes every mapping and returns their total size', async () => {
      const { container, buf, page } = await setup(3);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: RW });
      await container.mapDma({ vaddr: buf.vaddr + page, iova: 0x1_0000_0000n, size: 2n * page, flags: RW });
      expect(await container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL })).toBe(3n * page);
      expect((await container.iommuInfo()).dmaAvail).toBe(ctx.target().dmaEntryLimit);
    });

    it('UNMAP_ALL with a nonzero IOVA or size fails with EINVAL', async () => {
      const { container, buf, page } = await setup(1);
      await container.mapDma({ vaddr: buf.vaddr, iova: BASE, size: page, flags: RW });
      await expectErrno(container.unmapDma({ iova: BASE, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }), 'EINVAL');
      await expectErrno(container.unmapDma({ iova: 0n, size: page, flags: VFIO_DMA_UNMAP_FLAG_ALL }), 'EINVAL');
      expect((await container.iommuInfo()).dmaAvail).toBe(ctx.target().dmaEntryLimit - 1);
    });
  });
}
