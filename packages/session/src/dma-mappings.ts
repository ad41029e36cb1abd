/**
 * The DMA mappings a session made in each of its IOMMU contexts: memory
 * vfioscope allocated (a DmaBuffer), mapped at an IOVA (VFIO_IOMMU_MAP_DMA or
 * IOMMU_IOAS_MAP), and therefore pinned and charged to our RLIMIT_MEMLOCK.
 * The table mirrors the kernel's per-context tree of mappings so listing and
 * paging never need an ioctl. It is the UI's table, not the teardown's: the
 * teardown unmaps the whole context in one call.
 */
import { DmaMappingTable, dmaMapProblem, VfioError, type DmaBuffer, type DmaMapping, type Host } from '@vfioscope/host';
import { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE } from '@vfioscope/uapi';
import type { IommuContext } from './iommu/iommu-context.ts';
import { MappingJournal } from './mapping-journal.ts';
import type { MapDmaRequest, MappingChanges, MappingRow, MappingSort, UnmapDmaRequest } from './session-types.ts';

/** a mapping we made; `data` is the buffer behind it */
type OwnedMapping = DmaMapping<DmaBuffer>;

export class ContextMappings {
  private readonly index = new DmaMappingTable<DmaBuffer>();
  private readonly journal = new MappingJournal();

  constructor(
    private readonly host: Host,
    private readonly context: IommuContext,
    /** the context's id in the session, for errors */
    private readonly id: number,
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
    // Refused here only what allocating the buffer first would misreport (a zero or unaligned size, a
    // wrap): the kernel's own answer for each, per IOMMU path. Ranges and overlaps are the kernel's call.
    const problem = dmaMapProblem(this.context.kind, req, { pageSize: this.host.pageSize, ranges: [] });
    if (problem) throw new VfioError(problem.errno, this.mapOp, problem.message, { container: this.id, field: problem.field });
    const buffer = await this.host.allocDmaBuffer(req.size);
    try {
      await this.context.map({ vaddr: buffer.vaddr, iova: req.iova, size: req.size, read: req.read, write: req.write });
    } catch (err) {
      await buffer.free().catch(() => undefined);
      throw err;
    }
    const mapping: OwnedMapping = {
      iova: req.iova,
      size: req.size,
      vaddr: buffer.vaddr,
      // the table keeps type1's flag bits whichever path mapped it
      flags: (req.read ? VFIO_DMA_MAP_FLAG_READ : 0) | (req.write ? VFIO_DMA_MAP_FLAG_WRITE : 0),
      pages: Number(req.size / BigInt(this.host.pageSize)),
      data: buffer,
    };
    this.index.insert(mapping);
    const row = toRow(mapping);
    this.journal.added(row);
    return row;
  }

  /** the ioctl a map is, on this context */
  private get mapOp(): string {
    return this.context.kind === 'iommufd' ? 'IOMMU_IOAS_MAP' : 'VFIO_IOMMU_MAP_DMA';
  }

  /** Unmap a range (every mapping wholly inside it) or everything. */
  async unmap(req: UnmapDmaRequest): Promise<{ unmappedBytes: bigint; removed: number }> {
    let unmappedBytes: bigint;
    let gone: OwnedMapping[];
    if ('all' in req) {
      unmappedBytes = await this.context.unmapAll();
      gone = this.index.clear();
      this.journal.reset();
    } else {
      unmappedBytes = await this.context.unmap(req.iova, req.size);
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
