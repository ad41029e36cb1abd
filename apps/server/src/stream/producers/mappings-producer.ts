/**
 * mappings:<container> — a container's DMA mapping table (type1's vfio_dma
 * tree as the session mirrors it), keyed by IOVA. The table can hold
 * dma_entry_limit (65,535) rows, so a tick never re-reads it to find out
 * whether anything changed: the session's table version says that, and its
 * change journal says what. The whole table is read only when the journal
 * cannot answer (the producer is too far behind it, the table was cleared,
 * the container went away) — the diff against the rows held then is still
 * exact. Clients that fell behind are healed by the hub with a snapshot of
 * the rows held here, so they need nothing from the journal.
 */
import type { MappingChanges } from '@vfioscope/session';
import { toHex64, type MappingRow, type MappingsDelta, type MappingsSnapshot } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { mappingRowView } from '../../views/container-view.ts';
import { isEmptyDiff, KeyedTable, type KeyedDiff } from './keyed-diff.ts';
import type { TopicProducer } from './producer.ts';

/** Rows beyond this are not streamed (type1's default dma_entry_limit is 65535). */
export const MAPPINGS_STREAM_MAX = 65536;

const byIova = (a: MappingRow, b: MappingRow): number => {
  const x = BigInt(a.iova);
  const y = BigInt(b.iova);
  return x < y ? -1 : x > y ? 1 : 0;
};

export class MappingsProducer implements TopicProducer<MappingsSnapshot, MappingsDelta> {
  readonly kind = 'mappings' as const;
  readonly everyTicks = 1;
  private readonly table = new KeyedTable<MappingRow>((r) => r.iova);
  private total = 0;
  /** the table version the rows held reflect; undefined: the container is not held (no rows) */
  private version: number | undefined;
  /** rows patched in since the last full read sit at the end: sort before a snapshot */
  private ordered = true;

  constructor(
    private readonly ctx: ServerContext,
    private readonly container: number,
  ) {}

  async init(): Promise<void> {
    this.version = this.ctx.session.mappingsVersion(this.container);
    this.readAll();
  }

  async update(): Promise<MappingsDelta | null> {
    const session = this.ctx.session;
    const version = session.mappingsVersion(this.container);
    if (version === this.version) return null; // unchanged (or still gone): no listing, no diff
    const before = this.total;
    const changes = version !== undefined && this.version !== undefined ? session.mappingChanges(this.container, this.version) : null;
    this.version = version;
    const d = changes && changes.total <= MAPPINGS_STREAM_MAX ? this.apply(changes) : this.readAll();
    if (isEmptyDiff(d) && before === this.total) return null;
    return { container: this.container, total: this.total, add: d.add, change: d.change, remove: d.remove };
  }

  snapshot(): MappingsSnapshot {
    if (!this.ordered) {
      this.table.sortBy(byIova);
      this.ordered = true;
    }
    return { container: this.container, total: this.total, rows: this.table.values() };
  }

  dispose(): void {}

  private apply(c: MappingChanges): KeyedDiff<MappingRow> {
    this.total = c.total;
    const d = this.table.patch(c.changes.map(({ iova, row }) => [toHex64(iova), row ? mappingRowView(row) : null] as const));
    if (d.add.length > 0) this.ordered = false;
    return d;
  }

  /** The whole table, at `this.version` (read in the same synchronous step as the version). */
  private readAll(): KeyedDiff<MappingRow> {
    this.ordered = true;
    if (this.version === undefined) {
      this.total = 0;
      return this.table.replace([]); // the container was released: an empty table
    }
    const page = this.ctx.session.mappings(this.container, 0, MAPPINGS_STREAM_MAX);
    this.total = page.total;
    return this.table.replace(page.rows.map(mappingRowView));
  }
}
