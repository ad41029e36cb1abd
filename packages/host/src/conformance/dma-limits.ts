/**
 * Resource limits of DMA: type1's dma_entry_limit (ENOSPC once DMA_AVAIL
 * reaches 0; iommufd counts no mappings at all), and pinned pages against
 * RLIMIT_MEMLOCK (ENOMEM from vfio_pin_pages_remote under type1, from
 * iopt_pages' accounting under iommufd). Both account per mapping, so the
 * same page mapped twice counts twice.
 */
import { describe, expect, it } from 'vitest';
import { caseIn, eduPair, expectEntriesUsed, requireMemlockLimit, type SuiteContext } from './context.ts';
import { expectErrno } from './expect-errno.ts';

const ENTRY_BASE = 0x1_0000_0000n;
/**
 * dma_entry_limit ioctls: fast on the sim, but 65,535 pins and IOMMU maps
 * under TCG take far longer than the default case timeout. Beds that run a
 * real kernel set a smaller vfio_iommu_type1.dma_entry_limit.
 */
const ENTRY_LIMIT_TIMEOUT_MS = 120_000;
/** the bed's type1 dma_entry_limit (vfio_iommu_type1.dma_entry_limit=2048 in e2e/kernel), plus one */
const PAST_BED_ENTRY_LIMIT = 2049;

export function dmaLimits(ctx: SuiteContext): void {
  describe('DMA limits', () => {
    caseIn(
      ctx,
      ['type1'],
      'only type1 counts mappings against dma_entry_limit (compat reports a constant DMA_AVAIL, an IOAS none)',
      'the mapping after dma_entry_limit one-page mappings fails with ENOSPC; unmapping one frees an entry',
      async () => {
        const t = ctx.target();
        const [edu] = eduPair(t);
        const scope = ctx.scope();
        const page = BigInt(t.host.pageSize);
        const limit = t.dmaEntryLimit;
        // every mapping pins (and accounts) its page: the bed's memlock limit must cover them all
        if (t.memlockLimit !== null) {
          expect(BigInt(limit) * page, 'dma_entry_limit pages fit in RLIMIT_MEMLOCK').toBeLessThanOrEqual(BigInt(t.memlockLimit));
        }
        const { dma } = await scope.openStack(edu);
        const buf = await scope.dmaBuffer(page);
        for (let i = 0; i < limit; i++) {
          await dma.map({ vaddr: buf.vaddr, iova: ENTRY_BASE + BigInt(i) * page, size: page });
        }
        await expectEntriesUsed(ctx, dma, limit);
        const next = ENTRY_BASE + BigInt(limit) * page;
        await expectErrno(dma.map({ vaddr: buf.vaddr, iova: next, size: page }), 'ENOSPC');
        expect(await dma.unmap(ENTRY_BASE, page)).toBe(page);
        await dma.map({ vaddr: buf.vaddr, iova: next, size: page });
        await expectEntriesUsed(ctx, dma, limit);
      },
      { timeout: ENTRY_LIMIT_TIMEOUT_MS },
    );

    caseIn(
      ctx,
      ['iommufd-compat', 'iommufd'],
      'type1 stops at dma_entry_limit (ENOSPC)',
      `no mapping-count limit: ${PAST_BED_ENTRY_LIMIT} one-page mappings (past the bed's type1 dma_entry_limit) all succeed`,
      async () => {
        const t = ctx.target();
        const [edu] = eduPair(t);
        const scope = ctx.scope();
        const page = BigInt(t.host.pageSize);
        if (t.memlockLimit !== null) {
          expect(BigInt(PAST_BED_ENTRY_LIMIT) * page, 'the pages fit in RLIMIT_MEMLOCK').toBeLessThanOrEqual(BigInt(t.memlockLimit));
        }
        const { dma } = await scope.openStack(edu);
        const buf = await scope.dmaBuffer(page);
        for (let i = 0; i < PAST_BED_ENTRY_LIMIT; i++) {
          await dma.map({ vaddr: buf.vaddr, iova: ENTRY_BASE + BigInt(i) * page, size: page });
        }
        await expectEntriesUsed(ctx, dma, PAST_BED_ENTRY_LIMIT);
        expect(await dma.unmapAll()).toBe(BigInt(PAST_BED_ENTRY_LIMIT) * page);
      },
      { timeout: ENTRY_LIMIT_TIMEOUT_MS },
    );

    it('pinning more than RLIMIT_MEMLOCK fails with ENOMEM and leaves no mapping behind', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const page = BigInt(t.host.pageSize);
      const limit = BigInt(requireMemlockLimit(t));
      const overLimit = ((limit + page - 1n) / page) * page + page;
      const { dma } = await scope.openStack(edu);
      const buf = await scope.dmaBuffer(overLimit);
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: ENTRY_BASE, size: overLimit }), 'ENOMEM');
      await expectEntriesUsed(ctx, dma, 0);
      const empty = ctx.answers.emptyUnmap;
      if (empty === 0n) expect(await dma.unmap(ENTRY_BASE, overLimit)).toBe(0n);
      else await expectErrno(dma.unmap(ENTRY_BASE, overLimit), empty);
    });

    it('pinned pages accumulate across mappings: a second mapping of the same memory that crosses RLIMIT_MEMLOCK fails with ENOMEM', async () => {
      const t = ctx.target();
      const [edu] = eduPair(t);
      const scope = ctx.scope();
      const page = BigInt(t.host.pageSize);
      const limitPages = BigInt(requireMemlockLimit(t)) / page;
      const half = limitPages / 2n;
      const rest = limitPages - half + 1n;
      expect(half, 'RLIMIT_MEMLOCK holds at least two pages').toBeGreaterThan(0n);
      const { dma } = await scope.openStack(edu);
      const buf = await scope.dmaBuffer(rest * page);
      await dma.map({ vaddr: buf.vaddr, iova: ENTRY_BASE, size: half * page });
      // half + rest pages is one page over the limit; the memory is the same, but it is accounted again
      await expectErrno(dma.map({ vaddr: buf.vaddr, iova: ENTRY_BASE + 0x1000_0000n, size: rest * page }), 'ENOMEM');
      await expectEntriesUsed(ctx, dma, 1);
    });
  });
}
