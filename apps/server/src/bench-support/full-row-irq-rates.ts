/**
 * The irq-rates deltas as they were before the compact form — every changed
 * vector's whole VectorRate row upserted by key — for bench/stream-clients to
 * run today's figures beside the compact form's in one process. Bench only:
 * the bench's clients count frames, no client reads these.
 */
import type { IrqRatesDelta, VectorRate } from '@vfioscope/protocol';
import { IrqRatesEncoder } from '../stream/producers/irq-rates-encoder.ts';
import { isEmptyDiff, KeyedTable } from '../stream/producers/keyed-diff.ts';

/** the full-row delta's data: rows added or changed, keys gone */
export interface FullRowDelta {
  t: number;
  upsert: VectorRate[];
  remove: string[];
}

/** Full-row deltas from a table of the rows last sent; null when none changed. */
export function fullRowDelta(table: KeyedTable<VectorRate>, fresh: readonly VectorRate[], t: number): FullRowDelta | null {
  const d = table.replace(fresh);
  return isEmptyDiff(d) ? null : { t, upsert: [...d.add, ...d.change], remove: d.remove };
}

const compactNext = IrqRatesEncoder.prototype.next;

/** Switch every irq-rates producer of this process to full-row deltas (true) or back to the compact form. */
export function useFullRowIrqRates(on: boolean): void {
  if (!on) {
    IrqRatesEncoder.prototype.next = compactNext;
    return;
  }
  const tables = new WeakMap<IrqRatesEncoder, KeyedTable<VectorRate>>();
  IrqRatesEncoder.prototype.next = function (this: IrqRatesEncoder, fresh: readonly VectorRate[], t: number) {
    let table = tables.get(this);
    if (!table) {
      table = new KeyedTable<VectorRate>((r) => r.key);
      table.replace(this.rows());
      tables.set(this, table);
    }
    const d = fullRowDelta(table, fresh, t);
    this.reset(fresh); // snapshots stay current
    // the old wire form, which the protocol no longer describes: only this bench's frame counters see it
    return d as unknown as IrqRatesDelta | null;
  };
}
