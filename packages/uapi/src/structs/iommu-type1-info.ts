/**
 * struct vfio_iommu_type1_info: VFIO_IOMMU_GET_INFO on a container with a
 * type1 IOMMU set. The fixed part gives the supported page-size bitmap; with
 * VFIO_IOMMU_INFO_CAPS a capability chain follows: valid IOVA ranges
 * (reserved holes such as the x86 MSI window excluded), dirty-tracking
 * (migration) support, and how many more DMA mappings are allowed.
 * A caller passing only sizeof (24) gets argsz back with the size the chain
 * needs and cap_offset 0; it should retry with that argsz.
 */
import {
  VFIO_IOMMU_INFO_CAPS,
  VFIO_IOMMU_INFO_PGSIZES,
  VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
  VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
  VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
} from '../constants-iommu.ts';
import { deliveredCaps, layoutCapChain, writeCapHeader, type VfioInfoCap } from './cap-chain.ts';
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, setU64, u32, u64, viewOf, type ArgszFrame } from './layout.ts';

export const VFIO_IOMMU_TYPE1_INFO_LAYOUT = defineLayout('vfio_iommu_type1_info', 24, {
  argsz: 0,
  flags: 4,
  iova_pgsizes: 8,
  cap_offset: 16,
});

export const VFIO_IOVA_RANGE_LAYOUT = defineLayout('vfio_iova_range', 16, { start: 0, end: 8 });

export const VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE_LAYOUT = defineLayout('vfio_iommu_type1_info_cap_iova_range', 16, {
  header: 0,
  nr_iovas: 8,
  reserved: 12,
  iova_ranges: 16,
});

export const VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION_LAYOUT = defineLayout('vfio_iommu_type1_info_cap_migration', 32, {
  header: 0,
  flags: 8,
  pgsize_bitmap: 16,
  max_dirty_bitmap_size: 24,
});

export const VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL_LAYOUT = defineLayout('vfio_iommu_type1_info_dma_avail', 12, {
  header: 0,
  avail: 8,
});

export interface VfioIovaRange {
  start: bigint;
  /** inclusive */
  end: bigint;
}

export interface VfioIommuType1Migration {
  flags: number;
  pgsize_bitmap: bigint;
  max_dirty_bitmap_size: bigint;
}

export interface VfioIommuType1Info {
  argsz: number;
  /** VFIO_IOMMU_INFO_* */
  flags: number;
  iova_pgsizes: bigint;
  cap_offset: number;
}

export interface DecodedIommuType1Info extends VfioIommuType1Info, ArgszFrame {
  caps: VfioInfoCap[];
  /** VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, null when absent */
  iova_ranges: VfioIovaRange[] | null;
  /** VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, null when absent */
  migration: VfioIommuType1Migration | null;
  /** VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, null when absent */
  dma_avail: number | null;
}

/** The request: a zeroed buffer of `argsz` bytes (at least 24) with argsz set. */
export function encodeIommuType1InfoRequest(argsz = VFIO_IOMMU_TYPE1_INFO_LAYOUT.size): Uint8Array {
  return argszBuffer(VFIO_IOMMU_TYPE1_INFO_LAYOUT, argsz);
}

export function decodeIommuType1Info(bytes: Uint8Array): DecodedIommuType1Info {
  const L = VFIO_IOMMU_TYPE1_INFO_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  const frame = argszFrame(bytes);
  const flags = u32(v, L.fields.flags);
  const cap_offset = u32(v, L.fields.cap_offset);
  const caps = deliveredCaps(bytes, { flags, cap_offset, truncated: frame.truncated }, VFIO_IOMMU_INFO_CAPS);
  const find = (id: number) => caps.find((c) => c.id === id);
  const iova = find(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
  const mig = find(VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
  const avail = find(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
  return {
    ...frame,
    flags,
    iova_pgsizes: u64(v, L.fields.iova_pgsizes),
    cap_offset,
    caps,
    iova_ranges: iova ? decodeIovaRanges(bytes, iova.offset) : null,
    migration: mig ? decodeMigration(bytes, mig.offset) : null,
    dma_avail: avail ? decodeDmaAvail(bytes, avail.offset) : null,
  };
}

function decodeIovaRanges(bytes: Uint8Array, at: number): VfioIovaRange[] {
  const cap = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE_LAYOUT;
  const range = VFIO_IOVA_RANGE_LAYOUT;
  requireLength(bytes, at + cap.size, cap.name);
  const v = viewOf(bytes);
  const n = u32(v, at + cap.fields.nr_iovas);
  requireLength(bytes, at + cap.fields.iova_ranges + n * range.size, `${cap.name} with ${n} ranges`);
  return Array.from({ length: n }, (_, i) => {
    const base = at + cap.fields.iova_ranges + i * range.size;
    return { start: u64(v, base + range.fields.start), end: u64(v, base + range.fields.end) };
  });
}

function decodeMigration(bytes: Uint8Array, at: number): VfioIommuType1Migration {
  const cap = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION_LAYOUT;
  requireLength(bytes, at + cap.size, cap.name);
  const v = viewOf(bytes);
  return {
    flags: u32(v, at + cap.fields.flags),
    pgsize_bitmap: u64(v, at + cap.fields.pgsize_bitmap),
    max_dirty_bitmap_size: u64(v, at + cap.fields.max_dirty_bitmap_size),
  };
}

function decodeDmaAvail(bytes: Uint8Array, at: number): number {
  const cap = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL_LAYOUT;
  requireLength(bytes, at + cap.size, cap.name);
  return u32(viewOf(bytes), at + cap.fields.avail);
}

export interface IommuType1InfoReply {
  /** VFIO_IOMMU_INFO_PGSIZES is implied; CAPS is set when any capability is given */
  iova_pgsizes: bigint;
  iova_ranges?: VfioIovaRange[];
  migration?: VfioIommuType1Migration;
  dma_avail?: number;
}

/**
 * The reply the kernel writes, for a caller buffer of `bufferSize` bytes:
 * the chain is delivered only when it fits; otherwise argsz reports the size
 * needed and cap_offset stays 0 (vfio_iommu_type1_get_info). Lets a simulated
 * ioctl or a test produce exactly the bytes a real kernel would.
 */
export function encodeIommuType1InfoReply(reply: IommuType1InfoReply, bufferSize: number): Uint8Array {
  const L = VFIO_IOMMU_TYPE1_INFO_LAYOUT;
  const writers: { size: number; id: number; write: (v: DataView, at: number) => void }[] = [];
  if (reply.iova_ranges) {
    const ranges = reply.iova_ranges;
    const cap = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE_LAYOUT;
    writers.push({
      id: VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
      size: cap.size + ranges.length * VFIO_IOVA_RANGE_LAYOUT.size,
      write: (v, at) => {
        setU32(v, at + cap.fields.nr_iovas, ranges.length);
        ranges.forEach((r, i) => {
          const base = at + cap.fields.iova_ranges + i * VFIO_IOVA_RANGE_LAYOUT.size;
          setU64(v, base + VFIO_IOVA_RANGE_LAYOUT.fields.start, r.start);
          setU64(v, base + VFIO_IOVA_RANGE_LAYOUT.fields.end, r.end);
        });
      },
    });
  }
  if (reply.migration) {
    const m = reply.migration;
    const cap = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION_LAYOUT;
    writers.push({
      id: VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
      size: cap.size,
      write: (v, at) => {
        setU32(v, at + cap.fields.flags, m.flags);
        setU64(v, at + cap.fields.pgsize_bitmap, m.pgsize_bitmap);
        setU64(v, at + cap.fields.max_dirty_bitmap_size, m.max_dirty_bitmap_size);
      },
    });
  }
  if (reply.dma_avail !== undefined) {
    const avail = reply.dma_avail;
    const cap = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL_LAYOUT;
    writers.push({ id: VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, size: cap.size, write: (v, at) => setU32(v, at + cap.fields.avail, avail) });
  }
  const chain = layoutCapChain(
    L.size,
    writers.map((w) => w.size),
  );
  const bytes = new Uint8Array(Math.max(bufferSize, L.size));
  const v = viewOf(bytes);
  const flags = VFIO_IOMMU_INFO_PGSIZES | (writers.length > 0 ? VFIO_IOMMU_INFO_CAPS : 0);
  setU32(v, L.fields.flags, flags);
  setU64(v, L.fields.iova_pgsizes, reply.iova_pgsizes);
  const fits = writers.length > 0 && chain.end <= bytes.byteLength;
  setU32(v, L.fields.argsz, writers.length > 0 && !fits ? chain.end : Math.max(bufferSize, L.size));
  if (fits) {
    setU32(v, L.fields.cap_offset, chain.offsets[0]!);
    writers.forEach((w, i) => {
      const at = chain.offsets[i]!;
      writeCapHeader(bytes, at, { id: w.id, version: 1, next: chain.offsets[i + 1] ?? 0 });
      w.write(v, at);
    });
  }
  return bytes;
}
