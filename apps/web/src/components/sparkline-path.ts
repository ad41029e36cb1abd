/**
 * The path data of a Sparkline: a series of {t, rate} over [from, to] in a
 * box of width × height CSS pixels, the value axis 0..top. A minute at 10 Hz
 * is 600 points for a chart ~200 px wide; a pixel column keeps only its
 * lowest and highest point (in time order), which is all a line of that
 * width can show — a storm's peak is never averaged away.
 */
import type { HistoryPoint } from '@vfioscope/protocol';

export interface SparklineBox {
  from: number;
  to: number;
  width: number;
  height: number;
  top: number;
  /** drawn as a horizontal line when not null */
  threshold: number | null;
}

export interface SparklinePaths {
  /** the series as an open line ('' when no point is in the window) */
  line: string;
  /** the same line closed down to the baseline, for the fill */
  area: string;
  /** the threshold across the box ('' without one) */
  threshold: string;
}

const f = (v: number): string => (Math.round(v * 10) / 10).toString();

export function sparklinePaths(points: readonly HistoryPoint[], box: SparklineBox): SparklinePaths {
  const span = box.to - box.from;
  const x = (t: number) => (span > 0 ? ((t - box.from) / span) * box.width : box.width);
  // 1 px kept free top and bottom so a 1.5 px line at 0 or at the top is not cut
  const y = (v: number) => box.height - 1 - (box.top > 0 ? (v / box.top) * (box.height - 2) : 0);
  const kept: HistoryPoint[] = [];
  let column = Number.NaN;
  let low: HistoryPoint | null = null;
  let high: HistoryPoint | null = null;
  const flush = () => {
    if (!low || !high) return;
    if (low === high) kept.push(low);
    else if (low.t < high.t) kept.push(low, high);
    else kept.push(high, low);
  };
  for (const p of points) {
    if (p.t < box.from || p.t > box.to) continue;
    const c = Math.round(x(p.t));
    if (c !== column) {
      flush();
      column = c;
      low = high = p;
    } else {
      if (p.rate < low!.rate) low = p;
      if (p.rate >= high!.rate) high = p;
    }
  }
  flush();
  const threshold = box.threshold === null ? '' : `M0 ${f(y(box.threshold))}H${f(box.width)}`;
  if (!kept.length) return { line: '', area: '', threshold };
  const parts: string[] = [];
  for (const p of kept) parts.push(`${f(x(p.t))} ${f(y(p.rate))}`);
  const line = `M${parts.join('L')}`;
  const area = `${line}V${f(box.height)}H${f(x(kept[0]!.t))}Z`;
  return { line, area, threshold };
}
