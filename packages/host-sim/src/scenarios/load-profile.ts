/**
 * Interrupt load over time. A profile is a rate function (interrupts per
 * second over milliseconds since the scenario started); the number of
 * interrupts a device raises in [t0, t1) is the exact integral of that rate,
 * floored at whole interrupts:
 *
 *   count(t0, t1) = floor(F(t1)) − floor(F(t0)),  F(t) = ∫₀ᵗ rate(τ) dτ
 *
 * So counts are deterministic (no randomness, no drift): however a run is
 * cut into advance() steps, the totals add up to floor(F(t)), and a test can
 * predict a rate to within one interrupt per window.
 */
import type { LoadProfile } from './scenario-types.ts';

/** Milliseconds of [0, t) spent in the "on" phase of a square wave starting on, `on` ms on, `period` ms long. */
function onTimeUpTo(t: number, period: number, on: number): number {
  const k = Math.floor(t / period);
  return k * on + Math.min(t - k * period, on);
}

/** The interrupt-milliseconds in [0, t): ∫ rate (per s) dτ (ms); divide by 1000 for interrupts. */
function rateIntegralMs(p: LoadProfile, t: number): number {
  if (!(t > 0)) return 0;
  switch (p.kind) {
    case 'steady':
      return p.rate * t;
    case 'bursty': {
      const burst = onTimeUpTo(t, p.periodMs, Math.min(p.burstMs, p.periodMs));
      return p.base * t + (p.burstRate - p.base) * burst;
    }
    case 'storm': {
      const since = Math.max(t - p.startMs, 0);
      const length = p.durationMs ?? Infinity;
      const inStorm = p.periodMs === undefined ? Math.min(since, length) : onTimeUpTo(since, p.periodMs, Math.min(length, p.periodMs));
      return p.base * t + (p.rate - p.base) * inStorm;
    }
    case 'flapping': {
      const high = onTimeUpTo(t, 2 * p.periodMs, p.periodMs);
      return p.low * t + (p.high - p.low) * high;
    }
  }
}

/** Expected (fractional) number of interrupts in [0, t) ms. */
export function cumulativeInterrupts(p: LoadProfile, tMs: number): number {
  return rateIntegralMs(p, tMs) / 1000;
}

/** Whole interrupts raised in [t0, t1) ms since scenario start; 0 when t1 ≤ t0. */
export function interruptsBetween(p: LoadProfile, t0Ms: number, t1Ms: number): number {
  if (!(t1Ms > t0Ms)) return 0;
  return Math.floor(cumulativeInterrupts(p, t1Ms)) - Math.floor(cumulativeInterrupts(p, t0Ms));
}

/** The instantaneous rate, interrupts per second, at t ms since scenario start (0 before the start). */
export function rateAt(p: LoadProfile, tMs: number): number {
  if (tMs < 0) return 0;
  switch (p.kind) {
    case 'steady':
      return p.rate;
    case 'bursty':
      return tMs % p.periodMs < p.burstMs ? p.burstRate : p.base;
    case 'storm': {
      if (tMs < p.startMs) return p.base;
      const since = p.periodMs === undefined ? tMs - p.startMs : (tMs - p.startMs) % p.periodMs;
      return since < (p.durationMs ?? Infinity) ? p.rate : p.base;
    }
    case 'flapping':
      return tMs % (2 * p.periodMs) < p.periodMs ? p.high : p.low;
  }
}

/** The highest rate the profile ever reaches (for sizing charts and storm thresholds). */
export function peakRate(p: LoadProfile): number {
  switch (p.kind) {
    case 'steady':
      return p.rate;
    case 'bursty':
      return Math.max(p.base, p.burstRate);
    case 'storm':
      return Math.max(p.base, p.rate);
    case 'flapping':
      return Math.max(p.high, p.low);
  }
}

/**
 * Checks a profile's shape and values; returns a list of problems, each
 * naming the field (relative to the profile), empty when valid.
 */
export function loadProfileProblems(p: unknown): string[] {
  if (typeof p !== 'object' || p === null) return ['profile: expected an object'];
  const o = p as Record<string, unknown>;
  const problems: string[] = [];
  const need = (field: string, opts: { positive?: boolean; optional?: boolean } = {}) => {
    const v = o[field];
    if (v === undefined && opts.optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${field}: required finite number`);
    else if (opts.positive ? v <= 0 : v < 0) problems.push(`${field}: must be ${opts.positive ? '> 0' : '≥ 0'}, got ${v}`);
  };
  switch (o.kind) {
    case 'steady':
      need('rate');
      break;
    case 'bursty':
      need('base');
      need('burstRate');
      need('periodMs', { positive: true });
      need('burstMs');
      break;
    case 'storm':
      need('base');
      need('rate');
      need('startMs');
      need('durationMs', { optional: true });
      need('periodMs', { optional: true, positive: true });
      if (o.periodMs !== undefined && (o.durationMs === undefined || (o.durationMs as number) >= (o.periodMs as number))) {
        problems.push('periodMs: a recurring storm needs a durationMs shorter than its periodMs');
      }
      break;
    case 'flapping':
      need('high');
      need('low');
      need('periodMs', { positive: true });
      break;
    default:
      problems.push(`kind: expected steady | bursty | storm | flapping, got ${JSON.stringify(o.kind)}`);
  }
  return problems;
}
