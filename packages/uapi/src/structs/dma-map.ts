/**
 * struct vfio_iommu_type1_dma_map / _dma_unmap: VFIO_IOMMU_MAP_DMA and
 * VFIO_IOMMU_UNMAP_DMA on a type1 container. Map pins `size` bytes of
 * process memory at `vaddr` and makes them visible to devices at `iova`.
 * Unmap writes back in `size` how many bytes it actually unmapped (0 when
 * nothing was mapped there). With VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP a
 * struct vfio_bitmap follows the unmap struct in `data[]`; only its sizes
 * are modelled here.
 */
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, setU64, u32, u64, viewOf } from './layout.ts';

export const VFIO_IOMMU_TYPE1_DMA_MAP_LAYOUT = defineLayout('vfio_iommu_type1_dma_map', 32, {
  argsz: 0,
  flags: 4,
  vaddr: 8,
  iova: 16,
  size: 24,
});

export const VFIO_IOMMU_TYPE1_DMA_UNMAP_LAYOUT = defineLayout('vfio_iommu_type1_dma_unmap', 24, {
  argsz: 0,
  flags: 4,
  iova: 8,
  size: 16,
  data: 24,
});

export const VFIO_BITMAP_LAYOUT = defineLayout('vfio_bitmap', 24, { pgsize: 0, size: 8, data: 16 });

/** argsz of an unmap carrying a struct vfio_bitmap (GET_DIRTY_BITMAP). */
export const DMA_UNMAP_WITH_BITMAP_ARGSZ = VFIO_IOMMU_TYPE1_DMA_UNMAP_LAYOUT.size + VFIO_BITMAP_LAYOUT.size;

export interface VfioIommuType1DmaMap {
  argsz: number;
  /** VFIO_DMA_MAP_FLAG_* */
  flags: number;
  vaddr: bigint;
  iova: bigint;
  size: bigint;
}

export interface VfioIommuType1DmaUnmap {
  argsz: number;
  /** VFIO_DMA_UNMAP_FLAG_* */
  flags: number;
  iova: bigint;
  /** in: bytes to unmap; out: bytes unmapped */
  size: bigint;
}

export function encodeDmaMap(value: Omit<VfioIommuType1DmaMap, 'argsz'> & { argsz?: number }): Uint8Array {
  const L = VFIO_IOMMU_TYPE1_DMA_MAP_LAYOUT;
  const bytes = argszBuffer(L, value.argsz);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags);
  setU64(v, L.fields.vaddr, value.vaddr);
  setU64(v, L.fields.iova, value.iova);
  setU64(v, L.fields.size, value.size);
  return bytes;
}

export function decodeDmaMap(bytes: Uint8Array): VfioIommuType1DmaMap {
  const L = VFIO_IOMMU_TYPE1_DMA_MAP_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    argsz: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    vaddr: u64(v, L.fields.vaddr),
    iova: u64(v, L.fields.iova),
    size: u64(v, L.fields.size),
  };
}

export function encodeDmaUnmap(value: Omit<VfioIommuType1DmaUnmap, 'argsz'> & { argsz?: number }): Uint8Array {
  const L = VFIO_IOMMU_TYPE1_DMA_UNMAP_LAYOUT;
  const bytes = argszBuffer(L, value.argsz);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags);
  setU64(v, L.fields.iova, value.iova);
  setU64(v, L.fields.size, value.size);
  return bytes;
}

export function decodeDmaUnmap(bytes: Uint8Array): VfioIommuType1DmaUnmap {
  const L = VFIO_IOMMU_TYPE1_DMA_UNMAP_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    argsz: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    iova: u64(v, L.fields.iova),
    size: u64(v, L.fields.size),
  };
}
