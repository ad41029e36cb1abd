/**
 * An ordered map of non-overlapping DMA mappings keyed by IOVA: what type1
 * keeps per container as the rb-tree of struct vfio_dma (iommu->dma_list),
 * searched by vfio_find_dma() and walked in order by unmap. The kernel allows
 * dma_entry_limit (65,535 by default) entries per container, so every
 * operation here is O(log n): an AVL tree whose nodes also count their
 * subtree, which makes paging by position (`slice(offset, limit)`) O(log n + k)
 * too.
 *
 * Used by the sim's type1 IOMMU and by the server's session for the table of
 * mappings vfioscope made. Iterators are invalidated by insert/remove; take
 * what you need (e.g. `overlapping([...])`) before mutating.
 */

export interface DmaMapping<T = unknown> {
  iova: bigint;
  size: bigint;
  /** process virtual address the IOVA range translates to */
  vaddr: bigint;
  /** VFIO_DMA_MAP_FLAG_* */
  flags: number;
  /** pages pinned for this mapping */
  pages: number;
  /** whatever the owner wants to keep with the mapping (a buffer, a row) */
  data?: T;
}

/** The type1 default of vfio_iommu_type1.dma_entry_limit. */
export const DMA_ENTRY_LIMIT_DEFAULT = 65535;

interface Node<T> {
  m: DmaMapping<T>;
  left: Node<T> | null;
  right: Node<T> | null;
  height: number;
  /** entries in this subtree */
  count: number;
}

const height = <T>(n: Node<T> | null): number => (n ? n.height : 0);
const count = <T>(n: Node<T> | null): number => (n ? n.count : 0);
const end = (m: { iova: bigint; size: bigint }): bigint => m.iova + m.size;

function update<T>(n: Node<T>): Node<T> {
  const hl = height(n.left);
  const hr = height(n.right);
  n.height = Math.max(hl, hr) + 1;
  n.count = count(n.left) + count(n.right) + 1;
  return n;
}

function rotateRight<T>(n: Node<T>): Node<T> {
  const l = n.left!;
  n.left = l.right;
  l.right = update(n);
  return update(l);
}

function rotateLeft<T>(n: Node<T>): Node<T> {
  const r = n.right!;
  n.right = r.left;
  r.left = update(n);
  return update(r);
}

function balance<T>(n: Node<T>): Node<T> {
  update(n);
  const bf = height(n.left) - height(n.right);
  if (bf > 1) {
    if (height(n.left!.left) < height(n.left!.right)) n.left = rotateLeft(n.left!);
    return rotateRight(n);
  }
  if (bf < -1) {
    if (height(n.right!.right) < height(n.right!.left)) n.right = rotateRight(n.right!);
    return rotateLeft(n);
  }
  return n;
}

function insertNode<T>(n: Node<T> | null, m: DmaMapping<T>): Node<T> {
  if (!n) return { m, left: null, right: null, height: 1, count: 1 };
  if (m.iova < n.m.iova) n.left = insertNode(n.left, m);
  else n.right = insertNode(n.right, m);
  return balance(n);
}

function removeMin<T>(n: Node<T>): { root: Node<T> | null; min: Node<T> } {
  if (!n.left) return { root: n.right, min: n };
  const r = removeMin(n.left);
  n.left = r.root;
  return { root: balance(n), min: r.min };
}

function removeNode<T>(n: Node<T> | null, iova: bigint, out: { removed: DmaMapping<T> | undefined }): Node<T> | null {
  if (!n) return null;
  if (iova < n.m.iova) n.left = removeNode(n.left, iova, out);
  else if (iova > n.m.iova) n.right = removeNode(n.right, iova, out);
  else {
    out.removed = n.m;
    if (!n.left) return n.right;
    if (!n.right) return n.left;
    const { root, min } = removeMin(n.right);
    min.left = n.left;
    min.right = root;
    return balance(min);
  }
  return balance(n);
}

export class DmaMappingTable<T = unknown> {
  private root: Node<T> | null = null;
  private bytes = 0n;
  private pageCount = 0;

  /** number of mappings */
  get size(): number {
    return count(this.root);
  }

  /** sum of the mappings' sizes */
  get totalBytes(): bigint {
    return this.bytes;
  }

  /** sum of the mappings' pinned pages */
  get totalPages(): number {
    return this.pageCount;
  }

  /** Add a mapping. Throws RangeError when it is empty or overlaps one already present. */
  insert(m: DmaMapping<T>): void {
    if (m.size <= 0n) throw new RangeError(`mapping at 0x${m.iova.toString(16)} has no size`);
    const clash = this.firstOverlap(m.iova, m.size);
    if (clash) {
      throw new RangeError(
        `mapping 0x${m.iova.toString(16)}+0x${m.size.toString(16)} overlaps 0x${clash.iova.toString(16)}+0x${clash.size.toString(16)}`,
      );
    }
    this.root = insertNode(this.root, m);
    this.bytes += m.size;
    this.pageCount += m.pages;
  }

  /** Remove the mapping that starts exactly at `iova`. */
  remove(iova: bigint): DmaMapping<T> | undefined {
    const out: { removed: DmaMapping<T> | undefined } = { removed: undefined };
    this.root = removeNode(this.root, iova, out);
    if (out.removed) {
      this.bytes -= out.removed.size;
      this.pageCount -= out.removed.pages;
    }
    return out.removed;
  }

  /** Remove and return, in IOVA order, every mapping lying wholly inside [iova, iova + size). */
  removeWithin(iova: bigint, size: bigint): DmaMapping<T>[] {
    const limit = iova + size;
    const inside = this.overlapping(iova, size).filter((m) => m.iova >= iova && end(m) <= limit);
    for (const m of inside) this.remove(m.iova);
    return inside;
  }

  /** Remove everything; returns the mappings in IOVA order. */
  clear(): DmaMapping<T>[] {
    const all = this.all();
    this.root = null;
    this.bytes = 0n;
    this.pageCount = 0;
    return all;
  }

  /** The mapping starting exactly at `iova`. */
  get(iova: bigint): DmaMapping<T> | undefined {
    let n = this.root;
    while (n) {
      if (iova < n.m.iova) n = n.left;
      else if (iova > n.m.iova) n = n.right;
      else return n.m;
    }
    return undefined;
  }

  /** The mapping whose range contains `addr`. */
  find(addr: bigint): DmaMapping<T> | undefined {
    const m = this.floor(addr);
    return m && addr < end(m) ? m : undefined;
  }

  /** The lowest mapping that intersects [iova, iova + size), like vfio_find_dma_first_node(). */
  firstOverlap(iova: bigint, size: bigint): DmaMapping<T> | undefined {
    if (size <= 0n) return undefined;
    const below = this.floor(iova);
    if (below && end(below) > iova) return below;
    const above = this.ceiling(iova);
    return above && above.iova < iova + size ? above : undefined;
  }

  /**
   * The lowest iova >= from where [iova, iova + size) meets no mapping and ends at or before `last`
   * (inclusive), or undefined. Steps over each mapping in the way, so it costs O(k log n) for k of them.
   */
  firstGap(from: bigint, size: bigint, last: bigint): bigint | undefined {
    let at = from;
    for (let steps = 0, n = this.size; steps <= n; steps++) {
      if (size <= 0n || at + size - 1n > last) return undefined;
      const blocking = this.firstOverlap(at, size);
      if (!blocking) return at;
      at = end(blocking);
    }
    return undefined;
  }

  /** The mappings that cross an edge of [iova, iova + size): unmapping that range would have to split them. */
  straddling(iova: bigint, size: bigint): DmaMapping<T>[] {
    const limit = iova + size;
    const out: DmaMapping<T>[] = [];
    const low = this.find(iova);
    if (low && low.iova < iova) out.push(low);
    const high = this.find(limit - 1n);
    // a mapping that starts at iova and ends past the range is split at its far edge only: still named once
    if (high && end(high) > limit && !out.includes(high)) out.push(high);
    return out;
  }

  /** Every mapping that intersects [iova, iova + size), in IOVA order. */
  overlapping(iova: bigint, size: bigint): DmaMapping<T>[] {
    const first = this.firstOverlap(iova, size);
    if (!first) return [];
    const limit = iova + size;
    const out: DmaMapping<T>[] = [];
    for (const m of this.entries(first.iova)) {
      if (m.iova >= limit) break;
      out.push(m);
    }
    return out;
  }

  /** The mapping with the greatest iova <= addr. */
  floor(addr: bigint): DmaMapping<T> | undefined {
    let n = this.root;
    let best: Node<T> | null = null;
    while (n) {
      if (n.m.iova <= addr) {
        best = n;
        n = n.right;
      } else n = n.left;
    }
    return best?.m;
  }

  /** The mapping with the least iova >= addr. */
  ceiling(addr: bigint): DmaMapping<T> | undefined {
    let n = this.root;
    let best: Node<T> | null = null;
    while (n) {
      if (n.m.iova >= addr) {
        best = n;
        n = n.left;
      } else n = n.right;
    }
    return best?.m;
  }

  /** The mapping at position `index` in IOVA order. */
  at(index: number): DmaMapping<T> | undefined {
    let n = this.root;
    let i = index;
    if (i < 0 || i >= this.size) return undefined;
    while (n) {
      const l = count(n.left);
      if (i < l) n = n.left;
      else if (i === l) return n.m;
      else {
        i -= l + 1;
        n = n.right;
      }
    }
    return undefined;
  }

  /** Number of mappings whose iova is below `iova` (the position `iova` has or would have). */
  rank(iova: bigint): number {
    let n = this.root;
    let r = 0;
    while (n) {
      if (iova <= n.m.iova) n = n.left;
      else {
        r += count(n.left) + 1;
        n = n.right;
      }
    }
    return r;
  }

  /** In-order mappings starting at iova >= `fromIova` (all when omitted). */
  *entries(fromIova?: bigint): IterableIterator<DmaMapping<T>> {
    const stack: Node<T>[] = [];
    let n = this.root;
    // Descend to the first key >= fromIova, stacking every node still to visit.
    while (n) {
      if (fromIova === undefined || n.m.iova >= fromIova) {
        stack.push(n);
        n = n.left;
      } else n = n.right;
    }
    yield* drain(stack);
  }

  /** Up to `limit` mappings from position `offset` in IOVA order (a page of a listing). */
  slice(offset: number, limit: number): DmaMapping<T>[] {
    const out: DmaMapping<T>[] = [];
    if (limit <= 0 || offset >= this.size) return out;
    const stack: Node<T>[] = [];
    let n = this.root;
    let i = Math.max(0, offset);
    // Descend by subtree counts to position i, stacking the nodes at or after it.
    while (n) {
      const l = count(n.left);
      if (i <= l) {
        stack.push(n);
        if (i === l) break;
        n = n.left;
      } else {
        i -= l + 1;
        n = n.right;
      }
    }
    for (const m of drain(stack)) {
      out.push(m);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every mapping in IOVA order. */
  all(): DmaMapping<T>[] {
    return [...this.entries()];
  }

  [Symbol.iterator](): IterableIterator<DmaMapping<T>> {
    return this.entries();
  }
}

/** In-order walk from a stack whose top is the next node to visit. */
function* drain<T>(stack: Node<T>[]): IterableIterator<DmaMapping<T>> {
  while (stack.length) {
    const top = stack.pop()!;
    yield top.m;
    let n = top.right;
    while (n) {
      stack.push(n);
      n = n.left;
    }
  }
}
