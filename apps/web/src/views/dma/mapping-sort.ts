/** Sorting the mapping table: 64-bit hex columns compared as bigints (parsed once per row object). */
import type { MappingRow } from '@vfioscope/protocol';

export type SortKey = 'iova' | 'size' | 'vaddr' | 'pages';
export type SortDir = 'asc' | 'desc';

const parsed = new WeakMap<MappingRow, { iova: bigint; size: bigint; vaddr: bigint }>();

export function rowNumbers(r: MappingRow) {
  let p = parsed.get(r);
  if (!p) {
    p = { iova: BigInt(r.iova), size: BigInt(r.size), vaddr: BigInt(r.vaddr) };
    parsed.set(r, p);
  }
  return p;
}

export function sortRows(rows: Iterable<MappingRow>, key: SortKey, dir: SortDir): MappingRow[] {
  const out = [...rows];
  const sign = dir === 'asc' ? 1 : -1;
  out.sort((a, b) => {
    let c: number;
    if (key === 'pages') c = a.pages - b.pages;
    else {
      const x = rowNumbers(a)[key];
      const y = rowNumbers(b)[key];
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    if (c === 0 && key !== 'iova') {
      const x = rowNumbers(a).iova;
      const y = rowNumbers(b).iova;
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    return c * sign;
  });
  return out;
}

/** the first existing mapping that [iova, iova+size) overlaps, if any */
export function findOverlap(rows: Iterable<MappingRow>, iova: bigint, size: bigint): MappingRow | null {
  const end = iova + size;
  for (const r of rows) {
    const n = rowNumbers(r);
    if (n.iova < end && iova < n.iova + n.size) return r;
  }
  return null;
}
