/**
 * The shape checks the kernel makes of a DMA map or unmap request before it
 * looks at the mapping table — size, alignment, 64-bit wrap, valid IOVA
 * ranges — with the errno each IOMMU path answers. One pure function, used
 * by the server before a request reaches the backend and by the web form
 * before it is sent (through @vfioscope/protocol); the sim keeps its own
 * copy on purpose, as the independent model the kernel checks.
 *
 * Sources: drivers/vfio/vfio_iommu_type1.c (vfio_dma_do_map, vfio_dma_do_unmap)
 * and drivers/iommu/iommufd/io_pagetable.c (iopt_map_pages, iopt_unmap_iova),
 * with the answers measured on Linux 6.1 and 6.12 (e2e/kernel/README.md):
 *  - a range that wraps past 2^64: type1 EINVAL, iommufd (native and compat) EOVERFLOW;
 *  - an unaligned unmap: type1 EINVAL; iommufd (native and compat) checks no alignment — it
 *    unmaps the whole mappings inside the range (iopt_unmap_iova), so what it answers depends
 *    on the table: ENOENT (native) or 0 bytes (compat) when none lies inside, a split ENOENT;
 *  - zero size (map or unmap), unaligned map, outside the valid ranges: EINVAL everywhere.
 * Whether a range overlaps or splits a mapping is the table's business, not this.
 */
import type { IovaRange } from '../drive.ts';

/** Who serves the request: a type1 container, iommufd's compat container, or an IOAS. */
export type IommuKind = 'type1' | 'iommufd-compat' | 'iommufd';

export interface DmaRequestProblem {
  errno: 'EINVAL' | 'EOVERFLOW' | 'ENOENT';
  field: 'iova' | 'size';
  message: string;
}

export interface DmaRequestContext {
  /** the IOMMU page size maps and unmaps must be aligned to */
  pageSize: number;
  /** the valid IOVA ranges (inclusive ends); empty when the kernel did not say */
  ranges: readonly IovaRange[];
}

const U64_END = 1n << 64n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

function wrapErrno(kind: IommuKind): 'EINVAL' | 'EOVERFLOW' {
  return kind === 'type1' ? 'EINVAL' : 'EOVERFLOW';
}

/** What the kernel would refuse about a map request's shape, or null. */
export function dmaMapProblem(kind: IommuKind, req: { iova: bigint; size: bigint }, ctx: DmaRequestContext): DmaRequestProblem | null {
  const page = BigInt(ctx.pageSize);
  const { iova, size } = req;
  if (iova < 0n || iova >= U64_END) return { errno: 'EINVAL', field: 'iova', message: `iova ${hex(iova)} is not a 64-bit address` };
  if (size <= 0n) return { errno: 'EINVAL', field: 'size', message: 'size must not be 0' };
  if (iova % page !== 0n)
    return { errno: 'EINVAL', field: 'iova', message: `iova ${hex(iova)} is not aligned to the ${ctx.pageSize}-byte page size` };
  if (size % page !== 0n)
    return { errno: 'EINVAL', field: 'size', message: `size ${hex(size)} is not a multiple of the ${ctx.pageSize}-byte page size` };
  if (iova + size > U64_END)
    return { errno: wrapErrno(kind), field: 'size', message: `iova + size wraps past 2^64 (iova ${hex(iova)}, size ${hex(size)})` };
  const last = iova + size - 1n;
  if (ctx.ranges.length > 0 && !ctx.ranges.some((r) => iova >= r.start && last <= r.end)) {
    const shown = ctx.ranges.map((r) => `${hex(r.start)}–${hex(r.end)}`).join(', ');
    return { errno: 'EINVAL', field: 'iova', message: `iova ${hex(iova)}–${hex(last)} is outside the valid IOVA ranges (${shown})` };
  }
  return null;
}

/** What the kernel would refuse about an unmap request's shape (not "unmap everything"), or null. */
export function dmaUnmapProblem(kind: IommuKind, req: { iova: bigint; size: bigint }, ctx: DmaRequestContext): DmaRequestProblem | null {
  const page = BigInt(ctx.pageSize);
  const { iova, size } = req;
  if (iova < 0n || iova >= U64_END) return { errno: 'EINVAL', field: 'iova', message: `iova ${hex(iova)} is not a 64-bit address` };
  if (size <= 0n) return { errno: 'EINVAL', field: 'size', message: 'size must not be 0' };
  if (iova + size > U64_END)
    return { errno: wrapErrno(kind), field: 'size', message: `iova + size wraps past 2^64 (iova ${hex(iova)}, size ${hex(size)})` };
  // iommufd unmaps the whole mappings inside any range, aligned or not: the table decides, not the shape
  if (kind !== 'type1') return null;
  if (iova % page !== 0n)
    return { errno: 'EINVAL', field: 'iova', message: `iova ${hex(iova)} is not aligned to the ${ctx.pageSize}-byte page size` };
  if (size % page !== 0n)
    return { errno: 'EINVAL', field: 'size', message: `size ${hex(size)} is not a multiple of the ${ctx.pageSize}-byte page size` };
  return null;
}
