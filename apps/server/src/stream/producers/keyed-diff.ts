/**
 * Add / change / remove diffs of keyed tables (mapping rows by IOVA, vector
 * rates by key, alerts by id): a row is sent again only when its serialised
 * form changed.
 */
export interface KeyedDiff<R> {
  add: R[];
  change: R[];
  remove: string[];
}

export class KeyedTable<R> {
  private rows = new Map<string, { row: R; json: string }>();

  constructor(private readonly keyOf: (r: R) => string) {}

  /** Replace the table's contents and return what changed. */
  replace(next: readonly R[]): KeyedDiff<R> {
    const out: KeyedDiff<R> = { add: [], change: [], remove: [] };
    const fresh = new Map<string, { row: R; json: string }>();
    for (const row of next) {
      const key = this.keyOf(row);
      const json = JSON.stringify(row);
      const old = this.rows.get(key);
      if (!old) out.add.push(row);
      else if (old.json !== json) out.change.push(row);
      fresh.set(key, { row, json });
    }
    for (const key of this.rows.keys()) if (!fresh.has(key)) out.remove.push(key);
    this.rows = fresh;
    return out;
  }

  /**
   * Apply known changes — per key, the row now there or null for gone — and
   * return the diff, touching only those keys (for sources that journal
   * their changes, so a big table is not re-read to find a few rows). Each
   * key at most once: the caller nets a key's changes first.
   * New keys go to the end of the table's order; see `sortBy`.
   */
  patch(changes: Iterable<readonly [string, R | null]>): KeyedDiff<R> {
    const out: KeyedDiff<R> = { add: [], change: [], remove: [] };
    for (const [key, row] of changes) {
      const old = this.rows.get(key);
      if (row === null) {
        if (old) {
          this.rows.delete(key);
          out.remove.push(key);
        }
        continue;
      }
      const json = JSON.stringify(row);
      if (!old) out.add.push(row);
      else if (old.json !== json) out.change.push(row);
      this.rows.set(key, { row, json });
    }
    return out;
  }

  /** Reorder the table (what `values` returns) by a comparison of rows. */
  sortBy(compare: (a: R, b: R) => number): void {
    this.rows = new Map([...this.rows].sort((a, b) => compare(a[1].row, b[1].row)));
  }

  values(): R[] {
    return [...this.rows.values()].map((e) => e.row);
  }

  get size(): number {
    return this.rows.size;
  }
}

export function isEmptyDiff(d: KeyedDiff<unknown>): boolean {
  return d.add.length === 0 && d.change.length === 0 && d.remove.length === 0;
}
