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
