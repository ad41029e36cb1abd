/**
 * Which vectors get a series of their own on /metrics. A host with SR-IOV
 * NICs can carry thousands of MSI-X vectors, and a series per vector would
 * cost every Prometheus that scrapes it more than the vectors are worth: the
 * busiest N keep their own series (`--metrics-max-vectors`), and every vector,
 * shown or not, still counts in its device's total so nothing is lost from
 * sums and rates per device or host.
 */
import type { VectorRate } from '@vfioscope/telemetry';

export interface VectorSelection {
  /** the vectors with a series of their own, busiest first */
  shown: VectorRate[];
  /** how many were left out */
  omitted: number;
}

export interface DeviceInterrupts {
  bdf: string;
  index: string;
  owner: VectorRate['owner'];
  /** interrupts counted on every vector of this device and IRQ index */
  count: number;
}

/**
 * The `max` busiest vectors by current rate (null: all of them). Ties go by
 * count, then key, so a host of equally busy vectors shows the same ones on
 * every scrape instead of a different subset each time.
 */
export function topVectors(rates: readonly VectorRate[], max: number | null): VectorSelection {
  if (max === null || rates.length <= max) return { shown: [...rates], omitted: 0 };
  const sorted = [...rates].sort((a, b) => b.rate - a.rate || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { shown: sorted.slice(0, max), omitted: rates.length - max };
}

/** Every vector's count summed per device and IRQ index: the aggregate that stays complete under the limit. */
export function interruptsByDevice(rates: readonly VectorRate[]): DeviceInterrupts[] {
  const byKey = new Map<string, DeviceInterrupts>();
  for (const r of rates) {
    const key = `${r.bdf}/${r.index}`;
    const d = byKey.get(key);
    if (d) d.count += r.count;
    else byKey.set(key, { bdf: r.bdf, index: r.index, owner: r.owner, count: r.count });
  }
  return [...byKey.values()];
}
