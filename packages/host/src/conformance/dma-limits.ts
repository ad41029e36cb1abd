/**
 * Resource limits of type1 DMA: dma_entry_limit (ENOSPC once DMA_AVAIL
 * reaches 0) and pinned pages against RLIMIT_MEMLOCK (ENOMEM from
 * vfio_pin_pages_remote). type1 accounts pinned pages per mapping, so the
 * same page mapped twice counts twice.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE } from '@vfioscope/uapi';
import { eduPair, requireMemlockLimit, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';

const RW = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
const ENTRY_BASE = 0x1_0000_0000n;
/**
 * dma_entry_limit ioctls: fast on the sim, but 65,535 pins and IOMMU maps
 * under TCG take far longer than the default case timeout. Beds that run a
 * real kernel set a smaller vfio_iommu_type1.dma_entry_limit.
 */
const ENTRY_LIMIT_TIMEOUT_MS = 120_000;

export function dmaLimits(ctx: SuiteContext): void {
  describe('DMA limits', () => {
    it('the mapping after dma_entry_limit one-page mappings fails with ENOSPC; unmapping one frees an entry', {
      timeout: ENTRY_LIMIT_TIMEOUT_MS,
    }, async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const page = BigInt(t.host.pageSize);
      const limit = t.dmaEntryLimit;
      // every mapping pins (and accounts) its page: the bed's memlock limit must cover them all
      if (t.memlockLimit !== null) {
        expect(BigInt(limit) * page, 'dma_entry_limit pages fit in RLIMIT_MEMLOCK').toBeLessThanOrEqual(BigInt(t.memlockLimit));
      }
      const { container } = await scope.openStack(edu);
      const buf = await scope.dmaBuffer(page);
      for (let i = 0; i < limit; i++) {
        await container.mapDma({ vaddr: buf.vaddr, iova: ENTRY_BASE + BigInt(i) * page, size: page, flags: RW });
      }
      expect((await container.iommuInfo()).dmaAvail).toBe(0);
      const next = ENTRY_BASE + BigInt(limit) * page;
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: next, size: page, flags: RW }), 'ENOSPC');
      expect(await container.unmapDma({ iova: ENTRY_BASE, size: page, flags: 0 })).toBe(page);
      await container.mapDma({ vaddr: buf.vaddr, iova: next, size: page, flags: RW });
      expect((await container.iommuInfo()).dmaAvail).toBe(0);
    });

    it('pinning more than RLIMIT_MEMLOCK fails with ENOMEM and leaves no mapping behind', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const page = BigInt(t.host.pageSize);
      const limit = BigInt(requireMemlockLimit(t));
      const overLimit = ((limit + page - 1n) / page) * page + page;
      const { container } = await scope.openStack(edu);
      const buf = await scope.dmaBuffer(overLimit);
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: ENTRY_BASE, size: overLimit, flags: RW }), 'ENOMEM');
      expect((await container.iommuInfo()).dmaAvail).toBe(t.dmaEntryLimit);
      expect(await container.unmapDma({ iova: ENTRY_BASE, size: overLimit, flags: 0 })).toBe(0n);
    });

    it('pinned pages accumulate across mappings: a second mapping that crosses RLIMIT_MEMLOCK fails with ENOMEM', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const page = BigInt(t.host.pageSize);
      const limitPages = BigInt(requireMemlockLimit(t)) / page;
      const half = limitPages / 2n;
      const rest = limitPages - half + 1n;
      expect(half, 'RLIMIT_MEMLOCK holds at least two pages').toBeGreaterThan(0n);
      const { container } = await scope.openStack(edu);
      const buf = await scope.dmaBuffer(rest * page);
      await container.mapDma({ vaddr: buf.vaddr, iova: ENTRY_BASE, size: half * page, flags: RW });
      // half + rest pages is one page over the limit; the memory is the same, but type1 accounts it again
      await expectErrno(container.mapDma({ vaddr: buf.vaddr, iova: ENTRY_BASE + 0x1000_0000n, size: rest * page, flags: RW }), 'ENOMEM');
      expect((await container.iommuInfo()).dmaAvail).toBe(t.dmaEntryLimit - 1);
    });
  });
}
