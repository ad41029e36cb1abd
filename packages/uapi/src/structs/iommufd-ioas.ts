/**
 * The IOAS structs of linux/iommufd.h: an IOAS (I/O address space) is an
 * iommufd object holding IOVA → process-memory mappings, the counterpart of
 * a type1 container's mapping table. Devices attached to it (directly or
 * through a HWPT) see its mappings. Every struct starts with `__u32 size`.
 *
 * Two of them point at an array of struct iommu_iova_range in the caller's
 * memory (`allowed_iovas`, a __u64 user pointer). As with the DMA `vaddr`
 * of type1, the codec takes that address as a bigint from the caller, who
 * needs memory whose address it knows (in the linux backend an mmap'ed page,
 * as for DMA buffers: a Uint8Array handed to ffi-rs becomes a pointer only
 * as the ioctl's own argument). encodeIovaRanges / decodeIovaRanges write
 * and read the array itself.
 */
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, setU64, u32, u64, viewOf } from './layout.ts';

export const IOMMU_DESTROY_LAYOUT = defineLayout('iommu_destroy', 8, { size: 0, id: 4 });

export const IOMMU_IOAS_ALLOC_LAYOUT = defineLayout('iommu_ioas_alloc', 12, { size: 0, flags: 4, out_ioas_id: 8 });

export const IOMMU_IOVA_RANGE_LAYOUT = defineLayout('iommu_iova_range', 16, { start: 0, last: 8 });

export const IOMMU_IOAS_IOVA_RANGES_LAYOUT = defineLayout('iommu_ioas_iova_ranges', 32, {
  size: 0,
  ioas_id: 4,
  num_iovas: 8,
  __reserved: 12,
  allowed_iovas: 16,
  out_iova_alignment: 24,
});

export const IOMMU_IOAS_ALLOW_IOVAS_LAYOUT = defineLayout('iommu_ioas_allow_iovas', 24, {
  size: 0,
  ioas_id: 4,
  num_iovas: 8,
  __reserved: 12,
  allowed_iovas: 16,
});

export const IOMMU_IOAS_MAP_LAYOUT = defineLayout('iommu_ioas_map', 40, {
  size: 0,
  flags: 4,
  ioas_id: 8,
  __reserved: 12,
  user_va: 16,
  length: 24,
  iova: 32,
});

export const IOMMU_IOAS_COPY_LAYOUT = defineLayout('iommu_ioas_copy', 40, {
  size: 0,
  flags: 4,
  dst_ioas_id: 8,
  src_ioas_id: 12,
  length: 16,
  dst_iova: 24,
  src_iova: 32,
});

export const IOMMU_IOAS_UNMAP_LAYOUT = defineLayout('iommu_ioas_unmap', 24, { size: 0, ioas_id: 4, iova: 8, length: 16 });

/**
 * The `size` a codec writes: sizeof by default; a larger one is allowed
 * (the kernel requires the extra bytes to be zero, E2BIG otherwise).
 */
interface Sized {
  size?: number;
}

export interface IommuDestroy {
  size: number;
  /** any destroyable object: IOAS, HWPT, fault queue */
  id: number;
}

export interface IommuIoasAlloc {
  size: number;
  /** must be 0 */
  flags: number;
  /** out: the new IOAS's id */
  out_ioas_id: number;
}

export interface IommuIovaRange {
  start: bigint;
  /** inclusive */
  last: bigint;
}

export interface IommuIoasIovaRanges {
  size: number;
  ioas_id: number;
  /** in: entries the array at allowed_iovas holds; out: how many ranges the IOAS has (EMSGSIZE when more than in) */
  num_iovas: number;
  /** user pointer to num_iovas × struct iommu_iova_range */
  allowed_iovas: bigint;
  /** out: IOVA and length given to MAP/COPY must be multiples of it (1 … PAGE_SIZE) */
  out_iova_alignment: bigint;
}

export interface IommuIoasAllowIovas {
  size: number;
  ioas_id: number;
  num_iovas: number;
  /** user pointer to num_iovas × struct iommu_iova_range */
  allowed_iovas: bigint;
}

export interface IommuIoasMap {
  size: number;
  /** IOMMU_IOAS_MAP_* */
  flags: number;
  ioas_id: number;
  user_va: bigint;
  length: bigint;
  /** in with IOMMU_IOAS_MAP_FIXED_IOVA; out: where the kernel placed the mapping */
  iova: bigint;
}

export interface IommuIoasCopy {
  size: number;
  /** IOMMU_IOAS_MAP_* */
  flags: number;
  dst_ioas_id: number;
  src_ioas_id: number;
  length: bigint;
  /** in with IOMMU_IOAS_MAP_FIXED_IOVA; out otherwise */
  dst_iova: bigint;
  /** must match a range given to IOMMU_IOAS_MAP exactly */
  src_iova: bigint;
}

export interface IommuIoasUnmap {
  size: number;
  ioas_id: number;
  iova: bigint;
  /** in: bytes to unmap (iova 0, length U64_MAX: everything); out: bytes unmapped */
  length: bigint;
}

export function encodeIommuDestroy(value: Omit<IommuDestroy, 'size'> & Sized): Uint8Array {
  const L = IOMMU_DESTROY_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  setU32(viewOf(bytes), L.fields.id, value.id);
  return bytes;
}

export function decodeIommuDestroy(bytes: Uint8Array): IommuDestroy {
  const L = IOMMU_DESTROY_LAYOUT;
  requireLength(bytes, L.size, L.name);
  return { size: argszFrame(bytes).argsz, id: u32(viewOf(bytes), L.fields.id) };
}

export function encodeIoasAlloc(value: Partial<IommuIoasAlloc> = {}): Uint8Array {
  const L = IOMMU_IOAS_ALLOC_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags ?? 0);
  setU32(v, L.fields.out_ioas_id, value.out_ioas_id ?? 0);
  return bytes;
}

export function decodeIoasAlloc(bytes: Uint8Array): IommuIoasAlloc {
  const L = IOMMU_IOAS_ALLOC_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return { size: argszFrame(bytes).argsz, flags: u32(v, L.fields.flags), out_ioas_id: u32(v, L.fields.out_ioas_id) };
}

/**
 * The request: `num_iovas` is how many entries the array at `allowed_iovas`
 * has room for (0 with address 0 asks only for the count: EMSGSIZE, and
 * num_iovas written back).
 */
export function encodeIoasIovaRanges(
  value: Pick<IommuIoasIovaRanges, 'ioas_id' | 'num_iovas' | 'allowed_iovas'> & Partial<IommuIoasIovaRanges>,
): Uint8Array {
  const L = IOMMU_IOAS_IOVA_RANGES_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.ioas_id, value.ioas_id);
  setU32(v, L.fields.num_iovas, value.num_iovas);
  setU64(v, L.fields.allowed_iovas, value.allowed_iovas);
  setU64(v, L.fields.out_iova_alignment, value.out_iova_alignment ?? 0n);
  return bytes;
}

export function decodeIoasIovaRanges(bytes: Uint8Array): IommuIoasIovaRanges {
  const L = IOMMU_IOAS_IOVA_RANGES_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    ioas_id: u32(v, L.fields.ioas_id),
    num_iovas: u32(v, L.fields.num_iovas),
    allowed_iovas: u64(v, L.fields.allowed_iovas),
    out_iova_alignment: u64(v, L.fields.out_iova_alignment),
  };
}

export function encodeIoasAllowIovas(value: Omit<IommuIoasAllowIovas, 'size'> & Sized): Uint8Array {
  const L = IOMMU_IOAS_ALLOW_IOVAS_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.ioas_id, value.ioas_id);
  setU32(v, L.fields.num_iovas, value.num_iovas);
  setU64(v, L.fields.allowed_iovas, value.allowed_iovas);
  return bytes;
}

export function decodeIoasAllowIovas(bytes: Uint8Array): IommuIoasAllowIovas {
  const L = IOMMU_IOAS_ALLOW_IOVAS_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    ioas_id: u32(v, L.fields.ioas_id),
    num_iovas: u32(v, L.fields.num_iovas),
    allowed_iovas: u64(v, L.fields.allowed_iovas),
  };
}

/** The array of struct iommu_iova_range that `allowed_iovas` points at (what ALLOW_IOVAS reads, IOVA_RANGES writes). */
export function encodeIovaRanges(ranges: readonly IommuIovaRange[]): Uint8Array {
  const R = IOMMU_IOVA_RANGE_LAYOUT;
  const bytes = new Uint8Array(ranges.length * R.size);
  const v = viewOf(bytes);
  ranges.forEach((r, i) => {
    setU64(v, i * R.size + R.fields.start, r.start);
    setU64(v, i * R.size + R.fields.last, r.last);
  });
  return bytes;
}

/** The first `count` ranges of such an array (count: the num_iovas written back, at most the array's room). */
export function decodeIovaRanges(bytes: Uint8Array, count: number): IommuIovaRange[] {
  const R = IOMMU_IOVA_RANGE_LAYOUT;
  requireLength(bytes, count * R.size, `${count} × ${R.name}`);
  const v = viewOf(bytes);
  return Array.from({ length: count }, (_, i) => ({
    start: u64(v, i * R.size + R.fields.start),
    last: u64(v, i * R.size + R.fields.last),
  }));
}

export function encodeIoasMap(value: Omit<IommuIoasMap, 'size' | 'iova'> & Partial<Pick<IommuIoasMap, 'iova'>> & Sized): Uint8Array {
  const L = IOMMU_IOAS_MAP_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags);
  setU32(v, L.fields.ioas_id, value.ioas_id);
  setU64(v, L.fields.user_va, value.user_va);
  setU64(v, L.fields.length, value.length);
  setU64(v, L.fields.iova, value.iova ?? 0n);
  return bytes;
}

export function decodeIoasMap(bytes: Uint8Array): IommuIoasMap {
  const L = IOMMU_IOAS_MAP_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    ioas_id: u32(v, L.fields.ioas_id),
    user_va: u64(v, L.fields.user_va),
    length: u64(v, L.fields.length),
    iova: u64(v, L.fields.iova),
  };
}

export function encodeIoasCopy(
  value: Omit<IommuIoasCopy, 'size' | 'dst_iova'> & Partial<Pick<IommuIoasCopy, 'dst_iova'>> & Sized,
): Uint8Array {
  const L = IOMMU_IOAS_COPY_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags);
  setU32(v, L.fields.dst_ioas_id, value.dst_ioas_id);
  setU32(v, L.fields.src_ioas_id, value.src_ioas_id);
  setU64(v, L.fields.length, value.length);
  setU64(v, L.fields.dst_iova, value.dst_iova ?? 0n);
  setU64(v, L.fields.src_iova, value.src_iova);
  return bytes;
}

export function decodeIoasCopy(bytes: Uint8Array): IommuIoasCopy {
  const L = IOMMU_IOAS_COPY_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    dst_ioas_id: u32(v, L.fields.dst_ioas_id),
    src_ioas_id: u32(v, L.fields.src_ioas_id),
    length: u64(v, L.fields.length),
    dst_iova: u64(v, L.fields.dst_iova),
    src_iova: u64(v, L.fields.src_iova),
  };
}

export function encodeIoasUnmap(value: Omit<IommuIoasUnmap, 'size'> & Sized): Uint8Array {
  const L = IOMMU_IOAS_UNMAP_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.ioas_id, value.ioas_id);
  setU64(v, L.fields.iova, value.iova);
  setU64(v, L.fields.length, value.length);
  return bytes;
}

export function decodeIoasUnmap(bytes: Uint8Array): IommuIoasUnmap {
  const L = IOMMU_IOAS_UNMAP_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    ioas_id: u32(v, L.fields.ioas_id),
    iova: u64(v, L.fields.iova),
    length: u64(v, L.fields.length),
  };
}
