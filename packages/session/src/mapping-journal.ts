/**
 * A change journal for one container's mapping table: a version stamp that
 * moves on every MAP_DMA / UNMAP_DMA the session makes, and the rows added
 * and removed since a recent version. Readers that watch a table (the
 * server's stream) ask "what changed since the version I saw?" instead of
 * re-reading up to dma_entry_limit rows. The journal is bounded; a reader
 * too far behind it (or a table that was wholly cleared) gets null and must
 * re-read the table.
 */
import type { MappingChanges, MappingRow } from './session-types.ts';

/** entries kept before the oldest half is dropped */
const JOURNAL_MAX = 4096;

/**
 * Stamps come from one clock shared by every journal, so a version seen on a
 * container that was closed is never mistaken for one of a later container
 * that got the same id.
 */
let clock = 0;

interface Entry {
  version: number;
  iova: bigint;
  /** the row added, or null: removed */
  row: MappingRow | null;
}

export class MappingJournal {
  private stamp = ++clock;
  /** the oldest version changesSince() can answer from */
  private base = this.stamp;
  private entries: Entry[] = [];

  get version(): number {
    return this.stamp;
  }

  added(row: MappingRow): void {
    this.push({ version: ++clock, iova: row.iova, row });
  }

  removed(iova: bigint): void {
    this.push({ version: ++clock, iova, row: null });
  }

  /** Everything went at once (unmap all, close): no per-row record, readers re-read. */
  reset(): void {
    this.stamp = ++clock;
    this.base = this.stamp;
    this.entries = [];
  }

  /**
   * The net change per IOVA since `version`, in the order rows were last
   * touched; null when the journal no longer reaches back that far.
   */
  changesSince(version: number, total: number): MappingChanges | null {
    if (version === this.stamp) return { version, total, changes: [] };
    if (version < this.base || version > this.stamp) return null;
    // entries are in version order: find the first one after `version`
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.version <= version) lo = mid + 1;
      else hi = mid;
    }
    const net = new Map<bigint, MappingRow | null>();
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      net.delete(e.iova); // re-insert so the order is that of the last touch
      net.set(e.iova, e.row);
    }
    return { version: this.stamp, total, changes: [...net].map(([iova, row]) => ({ iova, row })) };
  }

  private push(e: Entry): void {
    this.stamp = e.version;
    this.entries.push(e);
    if (this.entries.length > JOURNAL_MAX) {
      const drop = this.entries.length - JOURNAL_MAX / 2;
      this.base = this.entries[drop - 1]!.version;
      this.entries = this.entries.slice(drop);
    }
  }
}
