import { describe, expect, it } from 'vitest';
import { dmaMapProblem, dmaUnmapProblem } from './dma-request.ts';

const ctx = {
  pageSize: 4096,
  ranges: [
    { start: 0n, end: 0xfedfffffn },
    { start: 0xfef00000n, end: 0xffffffffffffn },
  ],
};
const errno = (p: { errno: string; field: string } | null) => (p === null ? null : `${p.errno} ${p.field}`);

describe('DMA request shape, per IOMMU path', () => {
  it('map: zero, unaligned and outside the valid ranges are EINVAL everywhere; a wrap is EINVAL on type1, EOVERFLOW on iommufd', () => {
    for (const kind of ['type1', 'iommufd-compat', 'iommufd'] as const) {
      expect(errno(dmaMapProblem(kind, { iova: 0x100000n, size: 0x1000n }, ctx))).toBeNull();
      expect(errno(dmaMapProblem(kind, { iova: 0x100000n, size: 0n }, ctx))).toBe('EINVAL size');
      expect(errno(dmaMapProblem(kind, { iova: 0x100001n, size: 0x1000n }, ctx))).toBe('EINVAL iova');
      expect(errno(dmaMapProblem(kind, { iova: 0x100000n, size: 0x1001n }, ctx))).toBe('EINVAL size');
      expect(errno(dmaMapProblem(kind, { iova: 0xfee00000n, size: 0x1000n }, ctx))).toBe('EINVAL iova'); // the MSI window
    }
    expect(errno(dmaMapProblem('type1', { iova: 0xfffffffffffff000n, size: 0x2000n }, { pageSize: 4096, ranges: [] }))).toBe('EINVAL size');
    expect(errno(dmaMapProblem('iommufd', { iova: 0xfffffffffffff000n, size: 0x2000n }, { pageSize: 4096, ranges: [] }))).toBe(
      'EOVERFLOW size',
    );
    expect(errno(dmaMapProblem('iommufd-compat', { iova: 0xfffffffffffff000n, size: 0x2000n }, { pageSize: 4096, ranges: [] }))).toBe(
      'EOVERFLOW size',
    );
  });

  it('unmap: unaligned is EINVAL on type1; iommufd (native or compat) refuses no shape but size 0 (EINVAL) and a wrap', () => {
    expect(errno(dmaUnmapProblem('type1', { iova: 0x100800n, size: 0x1000n }, ctx))).toBe('EINVAL iova');
    // iommufd unmaps whole mappings inside any range: alignment is not a refusal there
    expect(errno(dmaUnmapProblem('iommufd', { iova: 0x100800n, size: 0x1000n }, ctx))).toBeNull();
    expect(errno(dmaUnmapProblem('iommufd', { iova: 0x100000n, size: 0x1800n }, ctx))).toBeNull();
    expect(errno(dmaUnmapProblem('iommufd-compat', { iova: 0x100800n, size: 0x1000n }, ctx))).toBeNull();
    expect(errno(dmaUnmapProblem('type1', { iova: 0x100000n, size: 0x2000n }, ctx))).toBeNull();
    expect(errno(dmaUnmapProblem('iommufd', { iova: 0xfffffffffffff000n, size: 0x2000n }, ctx))).toBe('EOVERFLOW size');
  });
});
