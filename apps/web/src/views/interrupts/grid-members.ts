/**
 * Which vectors the chart grid shows, and in what order. Like the table's
 * ranking (rerank) the order refreshes every holdMs; unlike it, the grid is
 * a top N, and between refreshes its members hold too: a vector that slips
 * just below the Nth place stays until the next refresh. Many vectors of a
 * NIC or a VF fire at about the same rate, and without this the ones around
 * the Nth place swapped in and out every tick — each swap a chart unmounted,
 * another mounted and its minute of history fetched again (~12 fetches a
 * second on the storm host at top 64, ~6 % of a core).
 * Between refreshes a vector still enters when a place is free (one stopped
 * being reported) or when it storms (storms first: it takes the place of the
 * last calm vector that fell out of the top N).
 */
import type { Ranking } from './top-vectors-model.ts';

export function gridMembers(
  prev: Ranking | null,
  /** the top N now, storms first (busiest) */
  fresh: readonly string[],
  /** N */
  size: number,
  isReported: (key: string) => boolean,
  hot: ReadonlySet<string>,
  now: number,
  holdMs: number,
): Ranking {
  if (prev === null || now - prev.at >= holdMs) return { order: [...fresh], at: now };
  const top = new Set(fresh);
  const order = prev.order.filter(isReported);
  const shown = new Set(order);
  for (const key of fresh) {
    if (shown.has(key) || !hot.has(key)) continue;
    if (order.length >= size) {
      const out = order.findLastIndex((k) => !hot.has(k) && !top.has(k));
      if (out < 0) continue;
      shown.delete(order[out]!);
      order.splice(out, 1);
    }
    order.push(key);
    shown.add(key);
  }
  for (const key of fresh) {
    if (order.length >= size) break;
    if (shown.has(key)) continue;
    order.push(key);
    shown.add(key);
  }
  return order.length === prev.order.length && order.every((k, i) => k === prev.order[i]) ? prev : { order, at: prev.at };
}
