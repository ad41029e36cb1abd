/**
 * Interrupt storm detection per vector. A vector storms when its rate stays
 * at or above a threshold for `sustainMs`: an absolute rate, a multiple of its
 * own baseline (an exponential average of its calm rate), or — for INTx — the
 * unmask-loop rate. INTx is auto-masked by the kernel each time it fires and
 * cannot fire again until someone unmasks it, so every INTx interrupt is one
 * fire+unmask cycle and its rate is the cycle rate. The alert clears with
 * hysteresis: the rate must stay below `clearBelowFraction` of the threshold
 * that raised it for `clearSustainMs`.
 */
import type { ResolvedStormConfig, StormAlert, StormConfig, StormReason, VectorOwner } from './telemetry-types.ts';

export const DEFAULT_STORM_CONFIG: ResolvedStormConfig = {
  absoluteRate: 50_000,
  baselineMultiple: 10,
  sustainMs: 1000,
  clearBelowFraction: 0.5,
  intxUnmaskLoopRate: 10_000,
  baselineFloorRate: 100,
  baselineWindowMs: 30_000,
  baselineWarmupMs: 5_000,
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
  baseline: number;
  /** how long the baseline has been learning */
  baselineAgeMs: number;
  overSince: number | null;
  overPeak: number;
  belowSince: number | null;
  active: StormAlert | null;
}

const NO_CHANGE: StormChange = Object.freeze({ raised: null, cleared: null });

export interface StormChange {
  raised: StormAlert | null;
  cleared: StormAlert | null;
}

export class StormDetector {
  readonly config: ResolvedStormConfig;
  private readonly states = new Map<string, VectorStormState>();
  private readonly recent: StormAlert[] = [];
  private readonly activeAlerts = new Map<string, StormAlert>();
  private nextId = 1;

  constructor(config: Partial<StormConfig> = {}) {
    // an explicit undefined (an unset CLI flag) keeps the default
    const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    this.config = { ...DEFAULT_STORM_CONFIG, ...given };
    const c = this.config;
    if (!(c.clearBelowFraction > 0 && c.clearBelowFraction <= 1)) throw new RangeError('clearBelowFraction must be in (0, 1]');
    if (!(c.sustainMs >= 0)) throw new RangeError('sustainMs must be >= 0');
  }

  /** Feed one vector's rate at clock time `now`, `dtMs` after its previous sample. */
  update(now: number, dtMs: number, v: StormSample, owner: VectorOwner | null): StormChange {
    let st = this.states.get(v.key);
    if (!st) {
      st = { baseline: v.rate, baselineAgeMs: 0, overSince: null, overPeak: 0, belowSince: null, active: null };
      this.states.set(v.key, st);
    }
    if (st.active) {
      const cleared = this.followActive(now, st, v, owner);
      return cleared ? { raised: null, cleared } : NO_CHANGE;
    }

    const over = this.overThreshold(st, v);
    if (!over) {
      st.overSince = null;
      st.overPeak = 0;
      // only calm samples teach the baseline, so a storm never becomes normal
      const alpha = 1 - Math.exp(-dtMs / this.config.baselineWindowMs);
      st.baseline += alpha * (v.rate - st.baseline);
      st.baselineAgeMs += dtMs;
      return NO_CHANGE;
    }
    st.overSince ??= now;
    st.overPeak = Math.max(st.overPeak, v.rate);
    if (now - st.overSince < this.config.sustainMs) return NO_CHANGE;

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
    this.activeAlerts.set(v.key, alert);
    return { raised: { ...alert }, cleared: null };
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
    return this.states.get(key)?.baseline ?? null;
  }

  private overThreshold(st: VectorStormState, v: StormSample): { reason: StormReason; threshold: number } | null {
    const c = this.config;
    if (v.index === 'INTX' && v.rate >= c.intxUnmaskLoopRate) return { reason: 'intx-unmask-loop', threshold: c.intxUnmaskLoopRate };
    if (v.rate >= c.absoluteRate) return { reason: 'absolute', threshold: c.absoluteRate };
    if (st.baselineAgeMs >= c.baselineWarmupMs) {
      const threshold = c.baselineMultiple * Math.max(st.baseline, c.baselineFloorRate);
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
    this.activeAlerts.delete(alert.key);
    this.recent.push(alert);
    if (this.recent.length > this.config.recentAlertsKept) this.recent.shift();
    return { ...alert };
  }
}
