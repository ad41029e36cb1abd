/**
 * The DMA mappings a session made in each of its containers: memory
 * vfioscope allocated (a DmaBuffer), mapped with VFIO_IOMMU_MAP_DMA at an
 * IOVA, and therefore pinned by type1 and charged to our RLIMIT_MEMLOCK. The
 * table mirrors the kernel's per-container rb-tree of vfio_dma so listing and
 * paging never need an ioctl.
 */
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_UNMAP_FLAG_ALL } from '@vfioscope/uapi';
import { VfioError } from '../errors.ts';
import type { Host } from '../host.ts';
import type { Container, DmaBuffer } from '../drive.ts';
import { DmaMappingTable, type DmaMapping } from '../dma-mapping-table.ts';
import { MappingJournal } from './mapping-journal.ts';
import type { MapDmaRequest, MappingChanges, MappingRow, MappingSort, UnmapDmaRequest } from './session-types.ts';

/** a mapping we made; `data` is the buffer behind it */
type OwnedMapping = DmaMapping<DmaBuffer>;

const U64_END = 1n << 64n;

export class ContainerMappings {
  private readonly index = new DmaMappingTable<DmaBuffer>();
  private readonly journal = new MappingJournal();

  constructor(
    private readonly host: Host,
    private readonly container: Container,
  ) {}

  get count(): number {
    return this.index.size;
  }

  get pinnedBytes(): bigint {
    return this.index.totalBytes;
  }

  /** moves on every change to the table (see MappingJournal) */
  get version(): number {
    return this.journal.version;
  }

  /** rows added / removed since `version`; null when the reader must re-read the table */
  changesSince(version: number): MappingChanges | null {
    return this.journal.changesSince(version, this.index.size);
  }

  async map(req: MapDmaRequest): Promise<MappingRow> {
    const op = 'VFIO_IOMMU_MAP_DMA';
    const ctx = { container: this.container.id };
    // Refused here only what allocating the buffer first would misreport: the
    // kernel answers EINVAL for these, but the mmap before it would fail or round.
    if (typeof req.iova !== 'bigint' || req.iova < 0n || req.iova >= U64_END) {
      throw new VfioError('EINVAL', op, 'iova must be a 64-bit unsigned integer', { ...ctx, field: 'iova' });
    }
    if (typeof req.size !== 'bigint' || req.size <= 0n) {
      throw new VfioError('EINVAL', op, 'size must be greater than 0', { ...ctx, field: 'size' });
    }
    const page = BigInt(this.host.pageSize);
    if (req.size % page !== 0n) {
      throw new VfioError('EINVAL', op, `size 0x${req.size.toString(16)} is not a multiple of the page size ${this.host.pageSize}`, {
        ...ctx,
        field: 'size',
      });
    }
    if (req.iova + req.size > U64_END) {
      throw new VfioError('EINVAL', op, 'iova + size overflows 64 bits', { ...ctx, field: 'size' });
    }
    const buffer = await this.host.allocDmaBuffer(req.size);
    const flags = (req.read ? VFIO_DMA_MAP_FLAG_READ : 0) | (req.write ? VFIO_DMA_MAP_FLAG_WRITE : 0);
    try {
      await this.container.mapDma({ vaddr: buffer.vaddr, iova: req.iova, size: req.size, flags });
    } catch (err) {
      await buffer.free().catch(() => undefined);
      throw err;
    }
    const mapping: OwnedMapping = {
      iova: req.iova,
      size: req.size,
      vaddr: buffer.vaddr,
      flags,
      pages: Number(req.size / page),
      data: buffer,
    };
    this.index.insert(mapping);
    const row = toRow(mapping);
    this.journal.added(row);
    return row;
  }

  /** VFIO_IOMMU_UNMAP_DMA of a range (every mapping wholly inside it) or of everything. */
  async unmap(req: UnmapDmaRequest): Promise<{ unmappedBytes: bigint; removed: number }> {
    let unmappedBytes: bigint;
    let gone: OwnedMapping[];
    if ('all' in req) {
      unmappedBytes = await this.container.unmapDma({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL });
      gone = this.index.clear();
      this.journal.reset();
    } else {
      unmappedBytes = await this.container.unmapDma({ iova: req.iova, size: req.size, flags: 0 });
      gone = unmappedBytes === 0n ? [] : this.index.removeWithin(req.iova, req.size);
      for (const m of gone) this.journal.removed(m.iova);
    }
    for (const m of gone) await m.data?.free().catch(() => undefined);
    return { unmappedBytes, removed: gone.length };
  }

  /** The lowest iova >= from with `size` free bytes that end at or before `last`, or null. */
  firstGap(from: bigint, size: bigint, last: bigint): bigint | null {
    return this.index.firstGap(from, size, last) ?? null;
  }

  /** The mappings an unmap of [iova, iova + size) would have to split. */
  straddling(iova: bigint, size: bigint): MappingRow[] {
    return this.index.straddling(iova, size).map(toRow);
  }

  rows(offset: number, limit: number, sort?: MappingSort): { total: number; rows: MappingRow[] } {
    const total = this.index.size;
    const desc = sort?.order === 'desc';
    if (!sort || (sort.by === 'iova' && !desc)) return { total, rows: this.index.slice(offset, limit).map(toRow) };
    const key = sort.by;
    // other orders are a full sort; listings of up to dma_entry_limit rows are rare enough
    const sorted = this.index.all().sort((a, b) => {
      const d = a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.iova < b.iova ? -1 : 1;
      return desc ? -d : d;
    });
    return { total, rows: sorted.slice(offset, offset + limit).map(toRow) };
  }

  /** Free every buffer after the kernel has dropped the mappings (container closing). */
  async forgetAll(): Promise<void> {
    const gone = this.index.clear();
    if (gone.length > 0) this.journal.reset();
    for (const m of gone) await m.data?.free().catch(() => undefined);
  }
}

function toRow(m: OwnedMapping): MappingRow {
  return {
    iova: m.iova,
    size: m.size,
    vaddr: m.vaddr,
    read: (m.flags & VFIO_DMA_MAP_FLAG_READ) !== 0,
    write: (m.flags & VFIO_DMA_MAP_FLAG_WRITE) !== 0,
    pages: m.pages,
  };
}
