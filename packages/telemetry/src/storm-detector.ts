/**
 * Interrupt storm detection per vector. A vector storms when its rate stays
 * at or above a threshold for `sustainMs`: an absolute rate, a multiple of its
 * own baseline (a high percentile of its recent per-second peaks, see
 * rate-baseline.ts, so a vector's regular high phases are normal), or — for
 * INTx — the unmask-loop rate. INTx is auto-masked by the kernel each time it fires and
 * cannot fire again until someone unmasks it, so every INTx interrupt is one
 * fire+unmask cycle and its rate is the cycle rate. The alert clears with
 * hysteresis: the rate must stay below `clearBelowFraction` of the threshold
 * that raised it for `clearSustainMs`. A vector that storms again for the
 * same reason soon after (`reraiseHoldDownMs`) re-opens its last alert rather
 * than raising a new one.
 */
import { RateBaseline } from './rate-baseline.ts';
import type { ResolvedStormConfig, StormAlert, StormConfig, StormReason, VectorOwner } from './telemetry-types.ts';

export const DEFAULT_STORM_CONFIG: ResolvedStormConfig = {
  absoluteRate: 50_000,
  baselineMultiple: 10,
  sustainMs: 1000,
  clearBelowFraction: 0.5,
  intxUnmaskLoopRate: 10_000,
  baselineFloorRate: 100,
  baselineWindowMs: 30_000,
  baselinePercentile: 0.8,
  baselineWarmupMs: 10_000,
  reraiseHoldDownMs: 30_000,
  recentAlertsKept: 100,
};

/** One vector's current rate (a sampler series fits as it is: no copy per tick). */
export interface StormSample {
  readonly key: string;
  readonly bdf: string;
  readonly index: string;
  readonly vector: number;
  readonly rate: number;
}

interface VectorStormState {
  baseline: RateBaseline;
  overSince: number | null;
  overPeak: number;
  belowSince: number | null;
  active: StormAlert | null;
  /** the vector's last cleared alert, which a re-raise within the hold-down re-opens */
  lastCleared: StormAlert | null;
}

const NO_CHANGE: StormChange = Object.freeze({ raised: null, cleared: null, reopened: null });

export interface StormChange {
  /** a new alert */
  raised: StormAlert | null;
  cleared: StormAlert | null;
  /** a cleared alert that became active again within the hold-down (same id, clearedAt null) */
  reopened: StormAlert | null;
}

export class StormDetector {
  readonly config: ResolvedStormConfig;
  private readonly states = new Map<string, VectorStormState>();
  private readonly recent: StormAlert[] = [];
  private readonly activeAlerts = new Map<string, StormAlert>();
  private nextId = 1;

  // an explicit undefined (an unset CLI flag) keeps the default
  constructor(config: { [K in keyof StormConfig]?: StormConfig[K] | undefined } = {}) {
    const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    this.config = { ...DEFAULT_STORM_CONFIG, ...given };
    const c = this.config;
    if (!(c.clearBelowFraction > 0 && c.clearBelowFraction <= 1)) throw new RangeError('clearBelowFraction must be in (0, 1]');
    if (!(c.sustainMs >= 0)) throw new RangeError('sustainMs must be >= 0');
    if (!(c.baselinePercentile > 0 && c.baselinePercentile <= 1)) throw new RangeError('baselinePercentile must be in (0, 1]');
    if (!(c.baselineWindowMs > 0)) throw new RangeError('baselineWindowMs must be > 0');
    if (!(c.reraiseHoldDownMs >= 0)) throw new RangeError('reraiseHoldDownMs must be >= 0');
  }

  /** Feed one vector's rate at clock time `now`, `dtMs` after its previous sample. */
  update(now: number, dtMs: number, v: StormSample, owner: VectorOwner | null): StormChange {
    let st = this.states.get(v.key);
    if (!st) {
      st = { baseline: this.newBaseline(), overSince: null, overPeak: 0, belowSince: null, active: null, lastCleared: null };
      this.states.set(v.key, st);
    }
    if (st.active) {
      const cleared = this.followActive(now, st, v, owner);
      return cleared ? { raised: null, cleared, reopened: null } : NO_CHANGE;
    }

    // every sample without an active alert teaches, a rise still inside its
    // sustain window too: a high phase that keeps coming back becomes normal,
    // while an alerted storm never does (the baseline ignores its top buckets)
    st.baseline.learn(now, dtMs, v.rate);
    const over = this.overThreshold(st, v);
    if (!over) {
      st.overSince = null;
      st.overPeak = 0;
      return NO_CHANGE;
    }
    st.overSince ??= now;
    st.overPeak = Math.max(st.overPeak, v.rate);
    if (now - st.overSince < this.config.sustainMs) return NO_CHANGE;

    const again = st.lastCleared;
    if (again && again.reason === over.reason && now - (again.clearedAt as number) < this.config.reraiseHoldDownMs) {
      return { raised: null, cleared: null, reopened: this.reopen(st, again, over.threshold, owner) };
    }
    const alert: StormAlert = {
      id: `storm-${now.toString(36)}-${this.nextId++}`,
      key: v.key,
      bdf: v.bdf,
      index: v.index,
      vector: v.vector,
      owner,
      peakRate: st.overPeak,
      reason: over.reason,
      threshold: over.threshold,
      raisedAt: now,
      clearedAt: null,
    };
    st.active = alert;
    st.belowSince = null;
    st.lastCleared = null;
    this.activeAlerts.set(v.key, alert);
    return { raised: { ...alert }, cleared: null, reopened: null };
  }

  /** A vector went away: its alert (if any) clears now. */
  forget(key: string, now: number): StormAlert | null {
    const st = this.states.get(key);
    this.states.delete(key);
    return st?.active ? this.clear(st, now) : null;
  }

  /** Active alerts first, then recently cleared ones (newest first). Copies. */
  alerts(): StormAlert[] {
    return [...this.activeAlerts.values(), ...this.recent.slice().reverse()].map((a) => ({ ...a }));
  }

  activeFor(key: string): StormAlert | null {
    const a = this.activeAlerts.get(key);
    return a ? { ...a } : null;
  }

  baselineOf(key: string): number | null {
    return this.states.get(key)?.baseline.value ?? null;
  }

  private newBaseline(): RateBaseline {
    const c = this.config;
    // the sustain window's samples are learned before an alert can stop that,
    // and can touch one bucket more than their length (bucket edges)
    const protectTop = Math.ceil(c.sustainMs / 1000) + 1;
    return new RateBaseline({ windowMs: c.baselineWindowMs, percentile: c.baselinePercentile, protectTop });
  }

  private reopen(st: VectorStormState, alert: StormAlert, threshold: number, owner: VectorOwner | null): StormAlert {
    alert.clearedAt = null;
    alert.peakRate = Math.max(alert.peakRate, st.overPeak);
    alert.threshold = threshold;
    alert.reopens = (alert.reopens ?? 0) + 1;
    if (owner && !alert.owner) alert.owner = owner;
    const i = this.recent.indexOf(alert);
    if (i >= 0) this.recent.splice(i, 1);
    st.active = alert;
    st.belowSince = null;
    st.lastCleared = null;
    this.activeAlerts.set(alert.key, alert);
    return { ...alert };
  }

  private overThreshold(st: VectorStormState, v: StormSample): { reason: StormReason; threshold: number } | null {
    const c = this.config;
    if (v.index === 'INTX' && v.rate >= c.intxUnmaskLoopRate) return { reason: 'intx-unmask-loop', threshold: c.intxUnmaskLoopRate };
    if (v.rate >= c.absoluteRate) return { reason: 'absolute', threshold: c.absoluteRate };
    if (st.baseline.ageMs >= c.baselineWarmupMs && st.baseline.settled) {
      const threshold = c.baselineMultiple * Math.max(st.baseline.value, c.baselineFloorRate);
      if (v.rate >= threshold) return { reason: 'baseline', threshold };
    }
    return null;
  }

  private followActive(now: number, st: VectorStormState, v: StormSample, owner: VectorOwner | null): StormAlert | null {
    const alert = st.active as StormAlert;
    alert.peakRate = Math.max(alert.peakRate, v.rate);
    if (owner && !alert.owner) alert.owner = owner;
    if (v.rate >= alert.threshold * this.config.clearBelowFraction) {
      st.belowSince = null;
      return null;
    }
    st.belowSince ??= now;
    if (now - st.belowSince < (this.config.clearSustainMs ?? this.config.sustainMs)) return null;
    return this.clear(st, now);
  }

  private clear(st: VectorStormState, now: number): StormAlert {
    const alert = st.active as StormAlert;
    alert.clearedAt = now;
    st.active = null;
    st.overSince = null;
    st.overPeak = 0;
    st.belowSince = null;
    st.lastCleared = alert;
    this.activeAlerts.delete(alert.key);
    this.recent.push(alert);
    if (this.recent.length > this.config.recentAlertsKept) this.recent.shift();
    return { ...alert };
  }
}
