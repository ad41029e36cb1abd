/**
 * A small live rate chart for pages of many: the interrupts view's chart
 * grid and a device's vector cards. One canvas, drawn imperatively — a
 * filled line over the window and, while the vector storms, its threshold
 * dashed — with the axis top as text. A Recharts chart costs ~5–15 ms per
 * redraw (SVG of 600 points, axes, a ResizeObserver each); a canvas path a
 * small fraction of that. It redraws at the redraw clock's pace
 * (useRedrawEpoch): from a series mutated in place (the grid), or from a
 * series its parent hands over at that pace (usePaced: the device cards),
 * so a tick re-renders none of it; its data attributes (what tests and
 * benches read) are set with each drawing. Big charts with axes and
 * tooltips stay on Recharts (RateChart).
 */
import { memo, useEffect, useRef } from 'react';
import type { HistoryPoint } from '@vfioscope/protocol';
import { niceAxis } from '../format/axis-ticks.ts';
import { DANGER } from './chart-theme.ts';
import { useElementWidth } from './useElementWidth.ts';
import { useRedrawEpoch } from './usePaced.ts';

const LINE = '#3cc8b8';
const FILL = 'rgba(60, 200, 184, 0.18)';
const HOT_FILL = 'rgba(240, 98, 98, 0.18)';

export const Sparkline = memo(function Sparkline(props: {
  /** mutated in place from tick to tick (vector-history.ts); drawn up to its newest point */
  points: HistoryPoint[];
  windowMs: number;
  height: number;
  threshold: number | null;
  testid: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const label = useRef<HTMLSpanElement>(null);
  const width = useElementWidth(box);
  const epoch = useRedrawEpoch();
  const { points, windowMs, height, threshold } = props;
  // biome-ignore lint/correctness/useExhaustiveDependencies: epoch is the redraw clock — the series changes in place
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    const last = points.length ? points[points.length - 1]! : null;
    if (box.current) {
      box.current.dataset.points = String(points.length);
      box.current.dataset.last = last ? String(last.rate) : '';
      box.current.dataset.lastT = last ? String(last.t) : '';
    }
    if (!c || !ctx || width <= 0 || !last) return;
    const drawnAt = last.t;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    let max = threshold ?? 0;
    for (const p of points) if (p.rate > max) max = p.rate;
    const axis = niceAxis(max, 'rate');
    const top = axis.domain[1];
    if (label.current) label.current.textContent = axis.format(top);
    // the scale's one tick, as RateChart names its ticks: round, and at least the threshold
    if (box.current) box.current.dataset.ticks = axis.format(top);
    ctx.clearRect(0, 0, w, h);
    const from = drawnAt - windowMs;
    const x = (t: number) => ((t - from) / windowMs) * w;
    const y = (v: number) => h - 1 - (v / top) * (h - 2);
    let started = false;
    ctx.beginPath();
    for (const p of points) {
      if (p.t < from || p.t > drawnAt) continue;
      if (started) ctx.lineTo(x(p.t), y(p.rate));
      else {
        ctx.moveTo(x(p.t), y(p.rate));
        started = true;
      }
    }
    if (!started) return;
    ctx.strokeStyle = LINE;
    ctx.lineWidth = 1.5 * dpr;
    ctx.stroke();
    const first = points.find((p) => p.t >= from)!;
    const end = points.findLast((p) => p.t <= drawnAt)!;
    ctx.lineTo(x(end.t), h);
    ctx.lineTo(x(first.t), h);
    ctx.closePath();
    ctx.fillStyle = threshold !== null ? HOT_FILL : FILL;
    ctx.fill();
    if (threshold !== null) {
      ctx.beginPath();
      ctx.setLineDash([4 * dpr, 3 * dpr]);
      ctx.moveTo(0, y(threshold));
      ctx.lineTo(w, y(threshold));
      ctx.strokeStyle = DANGER;
      ctx.lineWidth = dpr;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }, [epoch, width, height, threshold, windowMs, points]);
  return (
    <div ref={box} className="sparkline" style={{ height }} data-testid={props.testid} data-threshold={threshold ?? undefined}>
      <canvas ref={canvas} style={{ width: '100%', height: '100%', display: 'block' }} role="img" aria-label="rate over the last minute" />
      <span ref={label} className="sparkline-top faint" />
    </div>
  );
});
