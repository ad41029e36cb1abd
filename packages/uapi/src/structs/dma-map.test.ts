import { describe, expect, it } from 'vitest';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_UNMAP_FLAG_ALL } from '../constants-iommu.ts';
import { DMA_UNMAP_WITH_BITMAP_ARGSZ, decodeDmaMap, decodeDmaUnmap, encodeDmaMap, encodeDmaUnmap } from './dma-map.ts';

describe('vfio_iommu_type1_dma_map', () => {
  it('round-trips 64-bit vaddr, iova and size', () => {
    const map = {
      flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
      vaddr: 0x7f12_3456_0000n,
      iova: 0xffff_ffff_f000n,
      size: 0x20_0000n,
    };
    const bytes = encodeDmaMap(map);
    expect(bytes.byteLength).toBe(32);
    expect(new DataView(bytes.buffer).getBigUint64(16, true)).toBe(map.iova);
    expect(decodeDmaMap(bytes)).toEqual({ argsz: 32, ...map });
  });
});

describe('vfio_iommu_type1_dma_unmap', () => {
  it('round-trips UNMAP_ALL with iova and size 0', () => {
    const unmap = { flags: VFIO_DMA_UNMAP_FLAG_ALL, iova: 0n, size: 0n };
    expect(decodeDmaUnmap(encodeDmaUnmap(unmap))).toEqual({ argsz: 24, ...unmap });
  });

  it('reads back the size the kernel wrote (bytes unmapped)', () => {
    const bytes = encodeDmaUnmap({ flags: 0, iova: 0x10000n, size: 0x4000n });
    new DataView(bytes.buffer).setBigUint64(16, 0n, true);
    expect(decodeDmaUnmap(bytes).size).toBe(0n);
  });

  it('with a dirty bitmap the argument grows by struct vfio_bitmap', () => {
    expect(DMA_UNMAP_WITH_BITMAP_ARGSZ).toBe(48);
    expect(encodeDmaUnmap({ flags: 0, iova: 0n, size: 0n, argsz: DMA_UNMAP_WITH_BITMAP_ARGSZ }).byteLength).toBe(48);
  });
});
