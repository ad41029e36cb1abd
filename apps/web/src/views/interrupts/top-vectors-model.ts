/**
 * The top-vectors table as the operator reads it: vectors grouped by device
 * (or by owner: a VM's devices together), sorted by a column, and ranked
 * stably — the order is refreshed at most every couple of seconds (or never,
 * while paused) so a row does not jump away under the pointer or the eye as
 * rates move every tick; the numbers themselves stay live.
 */
import type { ProcessRef, VectorRate } from '@vfioscope/protocol';
import { ownerLabel } from '../../format/owner.ts';

export type GroupBy = 'device' | 'owner';
export type TopSortKey = 'device' | 'owner' | 'vectors' | 'rate' | 'count';
export type SortDir = 'asc' | 'desc';

export interface VectorGroup {
  key: string;
  bdfs: string[];
  owner: ProcessRef | null;
  /** in index, then vector order */
  vectors: VectorRate[];
  rate: number;
  count: number;
  /** a vector in it is storming */
  hot: boolean;
}

const INDEX_ORDER = ['INTX', 'MSI', 'MSIX', 'ERR', 'REQ'];
const byIndexThenVector = (a: VectorRate, b: VectorRate) =>
  a.bdf.localeCompare(b.bdf) || INDEX_ORDER.indexOf(a.index) - INDEX_ORDER.indexOf(b.index) || a.vector - b.vector;

const ownerKey = (o: ProcessRef | null) => (o ? `pid:${o.pid}` : 'vfioscope');

export function groupVectors(rates: Iterable<VectorRate>, by: GroupBy, hot: Set<string>): VectorGroup[] {
  const groups = new Map<string, VectorGroup>();
  for (const r of rates) {
    const key = by === 'device' ? r.bdf : ownerKey(r.owner);
    let g = groups.get(key);
    if (!g) {
      g = { key, bdfs: [], owner: r.owner, vectors: [], rate: 0, count: 0, hot: false };
      groups.set(key, g);
    }
    if (!g.bdfs.includes(r.bdf)) g.bdfs.push(r.bdf);
    g.vectors.push(r);
    g.rate += r.rate;
    g.count += r.count;
    if (hot.has(r.key)) g.hot = true;
  }
  for (const g of groups.values()) {
    g.vectors.sort(byIndexThenVector);
    g.bdfs.sort();
  }
  return [...groups.values()];
}

export function sortGroups(groups: VectorGroup[], key: TopSortKey, dir: SortDir): VectorGroup[] {
  const sign = dir === 'asc' ? 1 : -1;
  const cmp = (a: VectorGroup, b: VectorGroup): number => {
    switch (key) {
      case 'device':
        return a.bdfs[0]!.localeCompare(b.bdfs[0]!);
      case 'owner':
        return ownerLabel(a.owner).localeCompare(ownerLabel(b.owner));
      case 'vectors':
        return a.vectors.length - b.vectors.length;
      case 'rate':
        return a.rate - b.rate;
      case 'count':
        return a.count - b.count;
    }
  };
  return [...groups].sort((a, b) => cmp(a, b) * sign || a.key.localeCompare(b.key));
}

export interface Ranking {
  order: string[];
  at: number;
}

/**
 * The order to show: the fresh one when the last is older than `holdMs`
 * (and not paused), else the last one — groups that vanished dropped, new
 * ones appended in their fresh order until the next refresh.
 */
export function rerank(prev: Ranking | null, fresh: string[], now: number, holdMs: number, paused: boolean): Ranking {
  if (prev === null || (!paused && now - prev.at >= holdMs)) return { order: fresh, at: now };
  const live = new Set(fresh);
  const kept = prev.order.filter((k) => live.has(k));
  const seen = new Set(kept);
  const order = [...kept, ...fresh.filter((k) => !seen.has(k))];
  return order.length === prev.order.length && order.every((k, i) => k === prev.order[i]) ? prev : { order, at: prev.at };
}
