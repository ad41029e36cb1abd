/**
 * Fixed facts of the simulated IOMMU as vfio_iommu_type1 reports them on an
 * x86 host with VT-d: the page sizes it can map, the IOVA aperture, and the
 * reserved MSI window that iommu_get_resv_regions() cuts out of it. The
 * numbers are what a q35 guest with QEMU's intel-iommu (39-bit address
 * width) showed for VFIO_IOMMU_GET_INFO: 0–0xfedfffff and
 * 0xfef00000–0x7fffffffff.
 */
import type { IovaRange } from '@vfioscope/host';

/** 4 KiB | 2 MiB | 1 GiB: intel-iommu with second-level super pages */
export const TYPE1_PGSIZE_BITMAP = 0x1000n | 0x20_0000n | 0x4000_0000n;

/** the smallest page the IOMMU maps: 1 << __ffs(pgsize_bitmap) */
export const TYPE1_MIN_PAGE = TYPE1_PGSIZE_BITMAP & -TYPE1_PGSIZE_BITMAP;

/** the x86 interrupt (MSI) address window, IOMMU_RESV_MSI */
export const X86_MSI_WINDOW: IovaRange = { start: 0xfee0_0000n, end: 0xfeef_ffffn };

/** the domain aperture for a 39-bit address width */
export const VTD_APERTURE: IovaRange = { start: 0n, end: (1n << 39n) - 1n };

/** The aperture minus the reserved regions: vfio_iommu_resv_exclude(). */
export function validIovaRanges(aperture: IovaRange = VTD_APERTURE, reserved: IovaRange[] = [X86_MSI_WINDOW]): IovaRange[] {
  let ranges: IovaRange[] = [{ ...aperture }];
  for (const r of reserved) {
    ranges = ranges.flatMap((a) => {
      if (r.end < a.start || r.start > a.end) return [a];
      const out: IovaRange[] = [];
      if (r.start > a.start) out.push({ start: a.start, end: r.start - 1n });
      if (r.end < a.end) out.push({ start: r.end + 1n, end: a.end });
      return out;
    });
  }
  return ranges;
}

export const U64_MAX = (1n << 64n) - 1n;

/** A value a __u64 ioctl field can carry. */
export const isU64 = (v: bigint): boolean => typeof v === 'bigint' && v >= 0n && v <= U64_MAX;
