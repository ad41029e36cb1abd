/**
 * A vector's rate over the report's window as inline SVG: the rate as one
 * path (broken where samples are missing), each storm interval as a shaded
 * band behind it, the threshold that made it a storm as a dashed line, and
 * time and rate axes. Plain shapes with presentation attributes, so the file
 * draws the same in any browser, offline, with no script.
 */
import type { HistoryPoint } from '@vfioscope/protocol';
import { type Html, html } from './html-escape.ts';
import type { ReportBand } from './report-facts.ts';

export interface RateChartInput {
  points: readonly HistoryPoint[];
  from: number;
  to: number;
  bands: readonly ReportBand[];
  /** the rate that made it a storm; drawn when given */
  threshold: number | null;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 12, top: 12, bottom: 28 };
/**
 * A step this much longer than the one before it breaks the line: the vector was gone, or the sampler
 * stalled. Measured against the step before, not one step for the whole series, because a report's
 * series is per-second means where the tick ring does not reach and tick rates where it does.
 */
const GAP_FACTOR = 5;

export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** "12k", "1.5M": the axis' labels */
export function shortRate(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(1)}`;
}

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);
const fixed = (n: number) => n.toFixed(1);

/** The path's "d": M at the first point and after every gap, L between. */
export function ratePath(points: readonly HistoryPoint[], x: (t: number) => number, y: (r: number) => number): string {
  return points
    .map((p, i) => {
      const step = i >= 1 ? p.t - points[i - 1]!.t : 0;
      const before = i >= 2 ? points[i - 1]!.t - points[i - 2]!.t : step;
      return `${i === 0 || step > GAP_FACTOR * before ? 'M' : 'L'}${fixed(x(p.t))} ${fixed(y(p.rate))}`;
    })
    .join(' ');
}

export function rateSvg(c: RateChartInput): Html {
  const width = c.width ?? 760;
  const height = c.height ?? 240;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const span = Math.max(1, c.to - c.from);
  const top = niceCeiling(Math.max(c.threshold ?? 0, ...c.points.map((p) => p.rate)));
  const x = (t: number) => MARGIN.left + ((Math.min(c.to, Math.max(c.from, t)) - c.from) / span) * plotW;
  const y = (r: number) => MARGIN.top + plotH - (Math.max(0, r) / top) * plotH;
  const bands = c.bands.map(
    (b) =>
      html`<rect class="storm-band" x="${fixed(x(b.from))}" y="${MARGIN.top}" width="${fixed(Math.max(1, x(b.to) - x(b.from)))}" height="${plotH}" fill="#f59e0b" fill-opacity="0.25"><title>storm ${clock(b.from)}–${b.ongoing ? 'ongoing' : clock(b.to)} UTC</title></rect>`,
  );
  const yTicks = [0, top / 2, top].map(
    (v) =>
      html`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${fixed(y(v))}" y2="${fixed(y(v))}" stroke="#e5e7eb"/><text x="${MARGIN.left - 6}" y="${fixed(y(v) + 4)}" text-anchor="end">${shortRate(v)}/s</text>`,
  );
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const t = c.from + f * span;
    return html`<text x="${fixed(x(t))}" y="${height - 8}" text-anchor="${f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}">${clock(t)}</text>`;
  });
  const threshold =
    c.threshold === null
      ? null
      : html`<line class="threshold" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${fixed(y(c.threshold))}" y2="${fixed(y(c.threshold))}" stroke="#dc2626" stroke-dasharray="6 4"/><text x="${width - MARGIN.right}" y="${fixed(y(c.threshold) - 4)}" text-anchor="end" fill="#dc2626">threshold ${shortRate(c.threshold)}/s</text>`;
  const line =
    c.points.length === 0
      ? html`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle">no rate samples in this window</text>`
      : html`<path class="rate" d="${ratePath(c.points, x, y)}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`;
  return html`<svg class="rate-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" fill="#374151" role="img" aria-label="interrupt rate over time (UTC), storm intervals shaded">${yTicks}${bands}${threshold}${line}<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#9ca3af"/>${xTicks}</svg>`;
}
