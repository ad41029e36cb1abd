/**
 * The rate history behind the interrupts view's chart grid: the irq-rates
 * topic carries each vector's rate now, so the view records one point per
 * tick for the vectors it charts, and a vector that enters the grid is first
 * filled from the server's tick history (GET /irqs/history) — its chart is a
 * full minute at once, not a line that starts when the page was opened.
 * Series are mutated in place (a push per tick, a trim at the front now and
 * then): a chart redraws from them at its own pace, nothing copies 600
 * points per vector per tick.
 */
import type { HistoryPoint, VectorRate } from '@vfioscope/protocol';

export class VectorHistory {
  private series = new Map<string, HistoryPoint[]>();
  private lastT = -1;

  constructor(private readonly windowMs: number) {}

  /** the series of a vector (the same array from tick to tick), empty when not recorded */
  get(key: string): HistoryPoint[] {
    let s = this.series.get(key);
    if (!s) {
      s = [];
      this.series.set(key, s);
    }
    return s;
  }

  has(key: string): boolean {
    return (this.series.get(key)?.length ?? 0) > 0;
  }

  /** one tick of the topic: a point for each of `keys` (once per tick however often it is called); other vectors are dropped */
  record(t: number, byKey: Map<string, VectorRate>, keys: readonly string[]): void {
    if (t === this.lastT) return;
    this.lastT = t;
    const kept = new Set(keys);
    for (const k of this.series.keys()) if (!kept.has(k)) this.series.delete(k);
    for (const k of keys) {
      const r = byKey.get(k);
      if (!r) continue;
      const s = this.get(k);
      if (s.length && s[s.length - 1]!.t >= t) continue;
      s.push({ t, rate: r.rate });
      trim(s, t - this.windowMs);
    }
  }

  /** the server's history of a vector: the points older than what was recorded live go in front */
  seed(key: string, points: readonly HistoryPoint[]): void {
    const s = this.series.get(key);
    if (!s) return; // left the grid meanwhile
    const first = s.length ? s[0]!.t : Number.POSITIVE_INFINITY;
    const older = points.filter((p) => p.t < first && p.t >= this.lastT - this.windowMs);
    s.unshift(...older);
  }
}

/** drop the points before `from`, in place; in batches, so the front is cut about once a second, not every tick */
function trim(s: HistoryPoint[], from: number): void {
  let i = 0;
  while (i < s.length && s[i]!.t < from) i++;
  if (i >= 10 || (i > 0 && i === s.length)) s.splice(0, i);
}
