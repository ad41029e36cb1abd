/**
 * struct vfio_region_info: VFIO_DEVICE_GET_REGION_INFO for one region index
 * (for vfio-pci: BAR0-5, ROM, CONFIG, VGA). Absent regions report size 0.
 * With VFIO_REGION_INFO_FLAG_CAPS the reply carries a capability chain:
 * sparse mmap areas, a device-specific type, MSI-X mappable.
 */
import { VFIO_REGION_INFO_CAP_SPARSE_MMAP, VFIO_REGION_INFO_CAP_TYPE, VFIO_REGION_INFO_FLAG_CAPS } from '../constants.ts';
import { deliveredCaps, type VfioInfoCap } from './cap-chain.ts';
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, setU64, u32, u64, viewOf, type ArgszFrame } from './layout.ts';

export const VFIO_REGION_INFO_LAYOUT = defineLayout('vfio_region_info', 32, {
  argsz: 0,
  flags: 4,
  index: 8,
  cap_offset: 12,
  size: 16,
  offset: 24,
});

export const VFIO_REGION_SPARSE_MMAP_AREA_LAYOUT = defineLayout('vfio_region_sparse_mmap_area', 16, {
  offset: 0,
  size: 8,
});

export const VFIO_REGION_INFO_CAP_SPARSE_MMAP_LAYOUT = defineLayout('vfio_region_info_cap_sparse_mmap', 16, {
  header: 0,
  nr_areas: 8,
  reserved: 12,
  areas: 16,
});

export const VFIO_REGION_INFO_CAP_TYPE_LAYOUT = defineLayout('vfio_region_info_cap_type', 16, {
  header: 0,
  type: 8,
  subtype: 12,
});

export interface VfioRegionInfo {
  argsz: number;
  /** VFIO_REGION_INFO_FLAG_* */
  flags: number;
  index: number;
  cap_offset: number;
  /** bytes; 0 for an absent region */
  size: bigint;
  /** where the region starts in the device fd (for pread/pwrite/mmap) */
  offset: bigint;
}

export interface VfioRegionSparseMmapArea {
  offset: bigint;
  size: bigint;
}

export interface DecodedRegionInfo extends VfioRegionInfo, ArgszFrame {
  /** every capability on the chain, empty when absent or not delivered (truncated) */
  caps: VfioInfoCap[];
  /** VFIO_REGION_INFO_CAP_SPARSE_MMAP areas, null when the cap is absent */
  sparse_mmap: VfioRegionSparseMmapArea[] | null;
  /** VFIO_REGION_INFO_CAP_TYPE, null when absent */
  region_type: { type: number; subtype: number } | null;
}

/** The request: index set, argsz = the buffer size (pass more than 32 to receive capabilities). */
export function encodeRegionInfo(value: Partial<VfioRegionInfo> & { index: number }): Uint8Array {
  const bytes = argszBuffer(VFIO_REGION_INFO_LAYOUT, value.argsz);
  const v = viewOf(bytes);
  const f = VFIO_REGION_INFO_LAYOUT.fields;
  setU32(v, f.flags, value.flags ?? 0);
  setU32(v, f.index, value.index);
  setU32(v, f.cap_offset, value.cap_offset ?? 0);
  setU64(v, f.size, value.size ?? 0n);
  setU64(v, f.offset, value.offset ?? 0n);
  return bytes;
}

export function decodeRegionInfo(bytes: Uint8Array): DecodedRegionInfo {
  requireLength(bytes, VFIO_REGION_INFO_LAYOUT.size, VFIO_REGION_INFO_LAYOUT.name);
  const v = viewOf(bytes);
  const f = VFIO_REGION_INFO_LAYOUT.fields;
  const frame = argszFrame(bytes);
  const flags = u32(v, f.flags);
  const cap_offset = u32(v, f.cap_offset);
  const caps = deliveredCaps(bytes, { flags, cap_offset, truncated: frame.truncated }, VFIO_REGION_INFO_FLAG_CAPS);
  const sparse = caps.find((c) => c.id === VFIO_REGION_INFO_CAP_SPARSE_MMAP);
  const type = caps.find((c) => c.id === VFIO_REGION_INFO_CAP_TYPE);
  return {
    ...frame,
    flags,
    index: u32(v, f.index),
    cap_offset,
    size: u64(v, f.size),
    offset: u64(v, f.offset),
    caps,
    sparse_mmap: sparse ? decodeSparseMmapAreas(bytes, sparse.offset) : null,
    region_type: type ? decodeCapType(bytes, type.offset) : null,
  };
}

function decodeSparseMmapAreas(bytes: Uint8Array, at: number): VfioRegionSparseMmapArea[] {
  const cap = VFIO_REGION_INFO_CAP_SPARSE_MMAP_LAYOUT;
  const area = VFIO_REGION_SPARSE_MMAP_AREA_LAYOUT;
  requireLength(bytes, at + cap.size, cap.name);
  const v = viewOf(bytes);
  const n = u32(v, at + cap.fields.nr_areas);
  requireLength(bytes, at + cap.fields.areas + n * area.size, `${cap.name} with ${n} areas`);
  const areas: VfioRegionSparseMmapArea[] = [];
  for (let i = 0; i < n; i++) {
    const base = at + cap.fields.areas + i * area.size;
    areas.push({ offset: u64(v, base + area.fields.offset), size: u64(v, base + area.fields.size) });
  }
  return areas;
}

function decodeCapType(bytes: Uint8Array, at: number): { type: number; subtype: number } {
  const cap = VFIO_REGION_INFO_CAP_TYPE_LAYOUT;
  requireLength(bytes, at + cap.size, cap.name);
  const v = viewOf(bytes);
  return { type: u32(v, at + cap.fields.type), subtype: u32(v, at + cap.fields.subtype) };
}
