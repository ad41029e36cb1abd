/**
 * Client-side checks of a DMA map request, mirroring the type1 rules the
 * kernel enforces (vfio_dma_do_map): nonzero size, IOVA and size aligned to
 * the IOMMU page size, no 64-bit overflow, inside a valid IOVA range, READ or
 * WRITE set. A bad request is stopped here; an overlap is only warned about,
 * so the kernel's own EEXIST answer can be seen.
 */
import { U64_MAX } from '@vfioscope/protocol';
import { parseAddress, parseSize } from '../../format/units.ts';

export interface MapInput {
  iova: string;
  size: string;
  unit: string;
  read: boolean;
  write: boolean;
}

export interface MapCheck {
  iova: bigint | null;
  size: bigint | null;
  errors: Partial<Record<'iova' | 'size' | 'flags', string>>;
}

export function checkMap(input: MapInput, pageSize: number, ranges: { start: string; end: string }[]): MapCheck {
  const errors: MapCheck['errors'] = {};
  const iova = parseAddress(input.iova);
  const size = parseSize(input.size, input.unit);
  const page = BigInt(pageSize);
  if (iova === null) errors.iova = 'IOVA must be hex (0x…) or decimal';
  else if (iova > U64_MAX) errors.iova = 'IOVA does not fit in 64 bits';
  else if (iova % page !== 0n) errors.iova = `IOVA must be aligned to the ${pageSize / 1024} KiB page size`;
  if (size === null) errors.size = 'size must be a number';
  else if (size === 0n) errors.size = 'size must be nonzero';
  else if (size % page !== 0n) errors.size = `size must be a multiple of ${pageSize / 1024} KiB`;
  if (iova !== null && size !== null && !errors.iova && !errors.size) {
    const last = iova + size - 1n;
    if (last > U64_MAX) errors.size = 'IOVA + size overflows 64 bits';
    else if (ranges.length && !ranges.some((r) => iova >= BigInt(r.start) && last <= BigInt(r.end)))
      errors.iova = `[${hexOf(iova)}, ${hexOf(last)}] is not inside a valid IOVA range`;
  }
  if (!input.read && !input.write) errors.flags = 'READ or WRITE (or both) is required';
  return { iova, size, errors };
}

const hexOf = (v: bigint) => `0x${v.toString(16)}`;
