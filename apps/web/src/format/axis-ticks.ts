/**
 * Round axis ticks for every chart: steps of 1, 2 or 5 times a power of ten
 * in the unit the axis reads in — "0, 10, 20, 30, 40 MiB", never Recharts'
 * decimal steps on binary sizes ("19.1 MiB / 38.1 MiB") — and an empty chart
 * gets a single "0", not "2 B / 1 B". The charts pass the ticks and domain
 * to Recharts themselves, so what is drawn is exactly what is computed here.
 */
import { binaryUnit, formatBytes, formatCount, formatRate } from './units.ts';

export type AxisKind = 'bytes' | 'rate' | 'count';

export interface NiceAxis {
  domain: [number, number];
  ticks: number[];
  format: (v: number) => string;
}

const TICKS = 4;

/** the round step (1, 2 or 5 × 10^n) at or above `raw` */
function roundStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** at most two decimals, without trailing zeros: 1, 1.5, 0.25 */
const short = (v: number) => String(Number(v.toFixed(2)));

function rateTick(v: number): string {
  if (v >= 1e6) return `${short(v / 1e6)}M/s`;
  if (v >= 1e3) return `${short(v / 1e3)}k/s`;
  return `${short(v)}/s`;
}

/** An axis from 0 to a round value at or above `max`, with about `ticks` round steps. */
export function niceAxis(max: number, kind: AxisKind, ticks = TICKS): NiceAxis {
  if (!(max > 0) || !Number.isFinite(max)) return { domain: [0, 1], ticks: [0], format: () => '0' };
  const unit = kind === 'bytes' ? binaryUnit(max) : { size: 1, name: '' };
  let step = roundStep(max / unit.size / ticks) * unit.size;
  // counts and bytes come in whole units
  if (kind !== 'rate') step = Math.max(1, step);
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  const list = Array.from({ length: n + 1 }, (_, i) => i * step);
  const top = list[list.length - 1]!;
  const format =
    kind === 'bytes'
      ? (v: number) => (v === 0 ? '0' : `${short(v / unit.size)} ${unit.name}`)
      : kind === 'rate'
        ? (v: number) => (v === 0 ? '0' : rateTick(v))
        : (v: number) => formatCount(v);
  return { domain: [0, top], ticks: list, format };
}

/** A single value of the kind, for tooltips and labels (not rounded to the axis). */
export function formatValue(kind: AxisKind, v: number): string {
  return kind === 'bytes' ? formatBytes(v) : kind === 'rate' ? formatRate(v) : formatCount(v);
}
