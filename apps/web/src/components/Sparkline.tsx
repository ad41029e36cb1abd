/**
 * A small live rate chart for pages of many: the interrupts view's chart
 * grid and a device's vector cards. One SVG of two paths — a filled line over
 * the window and, while the vector storms, its threshold dashed — with the
 * axis top as text, its path data written imperatively. A Recharts chart
 * costs ~5–15 ms per redraw (SVG of 600 points, axes, a ResizeObserver
 * each). Not a canvas: Chromium makes each canvas a composited layer whose
 * pixels the main thread draws and hands over on every redraw (64 charts at
 * 2 Hz: ~4 % of a core in canvas flushes alone, and every frame's layer
 * update walks 64 more layers), while a path is recorded in the page's
 * display list and rastered off the main thread. It redraws at the redraw
 * clock's pace (useRedrawEpoch) or its parent's (SparklineView: the
 * interrupts view paces its charts by the data's ticks, useTickEpoch): from a
 * series mutated in place (the grid), or from a series its parent hands over
 * at that pace (usePaced: the device cards), so a tick re-renders none of it; its data attributes (what tests
 * and benches read) are set with each drawing. Big charts with axes and
 * tooltips stay on Recharts (RateChart).
 */
import { memo, useEffect, useRef } from 'react';
import type { HistoryPoint } from '@vfioscope/protocol';
import { niceAxis } from '../format/axis-ticks.ts';
import { DANGER } from './chart-theme.ts';
import { sparklinePaths } from './sparkline-path.ts';
import { useElementWidth } from './useElementWidth.ts';
import { useRedrawEpoch } from './usePaced.ts';

const LINE = '#3cc8b8';
const FILL = 'rgba(60, 200, 184, 0.18)';
const HOT_FILL = 'rgba(240, 98, 98, 0.18)';

interface SparklineProps {
  /** mutated in place from tick to tick (vector-history.ts); drawn up to its newest point */
  points: HistoryPoint[];
  windowMs: number;
  height: number;
  threshold: number | null;
  testid: string;
  /** span only the data there is (up to windowMs), not always the whole window: a series that starts when the page opens */
  fit?: boolean;
}

/** redrawn on the redraw clock (useRedrawEpoch) */
export const Sparkline = memo(function Sparkline(props: SparklineProps) {
  return <SparklineView {...props} epoch={useRedrawEpoch()} />;
});

/** redrawn when `epoch` changes: for a parent that paces its charts itself (useTickEpoch) */
export const SparklineView = memo(function SparklineView(props: SparklineProps & { epoch: number }) {
  const box = useRef<HTMLDivElement>(null);
  const line = useRef<SVGPathElement>(null);
  const area = useRef<SVGPathElement>(null);
  const limit = useRef<SVGPathElement>(null);
  const label = useRef<HTMLSpanElement>(null);
  const width = useElementWidth(box);
  const { points, windowMs, height, threshold, epoch } = props;
  const fit = props.fit ?? false;
  // biome-ignore lint/correctness/useExhaustiveDependencies: epoch is the redraw clock — the series changes in place
  useEffect(() => {
    const last = points.length ? points[points.length - 1]! : null;
    if (box.current) {
      box.current.dataset.points = String(points.length);
      box.current.dataset.last = last ? String(last.rate) : '';
      box.current.dataset.lastT = last ? String(last.t) : '';
    }
    if (width <= 0 || !last) return;
    let max = threshold ?? 0;
    for (const p of points) if (p.rate > max) max = p.rate;
    const axis = niceAxis(max, 'rate');
    const top = axis.domain[1];
    const text = axis.format(top);
    // an unchanged text is left alone: writing it anyway would lay the chart out again
    if (label.current && label.current.textContent !== text) label.current.textContent = text;
    // the scale's one tick, as RateChart names its ticks: round, and at least the threshold
    if (box.current) box.current.dataset.ticks = text;
    const from = fit && points[0]!.t < last.t ? Math.max(points[0]!.t, last.t - windowMs) : last.t - windowMs;
    const d = sparklinePaths(points, { from, to: last.t, width, height, top, threshold });
    line.current?.setAttribute('d', d.line);
    area.current?.setAttribute('d', d.area);
    limit.current?.setAttribute('d', d.threshold);
  }, [epoch, width, height, threshold, windowMs, points, fit]);
  return (
    <div ref={box} className="sparkline" style={{ height }} data-testid={props.testid} data-threshold={threshold ?? undefined}>
      <svg width="100%" height={height} role="img" aria-label="rate over the last minute">
        <path ref={area} fill={threshold !== null ? HOT_FILL : FILL} stroke="none" />
        <path ref={line} fill="none" stroke={LINE} strokeWidth={1.5} strokeLinejoin="round" />
        <path ref={limit} fill="none" stroke={DANGER} strokeWidth={1} strokeDasharray="4 3" />
      </svg>
      <span ref={label} className="sparkline-top faint" />
    </div>
  );
});
