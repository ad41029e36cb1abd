import { describe, expect, it } from 'vitest';
import { DEFAULT_STORM_CONFIG, StormDetector, type StormSample } from './storm-detector.ts';

const vec = (rate: number, index = 'MSIX'): StormSample => ({
  key: `0000:01:00.0/${index}/2`,
  bdf: '0000:01:00.0',
  index,
  vector: 2,
  rate,
});
const QEMU = { pid: 4242, comm: 'qemu-system-x86', vm: 'win11-cad' };

/** feed `rate` every 100 ms from `from` to `to` (exclusive); returns what changed */
function run(d: StormDetector, from: number, to: number, rate: number | ((t: number) => number), index = 'MSIX') {
  const raised: { at: number; id: string; reason: string; peak: number }[] = [];
  const cleared: { at: number; id: string }[] = [];
  const reopened: { at: number; id: string; peak: number }[] = [];
  for (let t = from; t < to; t += 100) {
    const r = typeof rate === 'number' ? rate : rate(t);
    const c = d.update(t, 100, vec(r, index), QEMU);
    if (c.raised) raised.push({ at: t, id: c.raised.id, reason: c.raised.reason, peak: c.raised.peakRate });
    if (c.cleared) cleared.push({ at: t, id: c.cleared.id });
    if (c.reopened) reopened.push({ at: t, id: c.reopened.id, peak: c.reopened.peakRate });
  }
  return { raised, cleared, reopened };
}

/** a square wave: `high` for `halfMs`, then `low` for `halfMs`, starting high unless `lowFirst` */
const flap =
  (high: number, low: number, halfMs: number, lowFirst = false, from = 0) =>
  (t: number) =>
    (Math.floor((t - from) / halfMs) % 2 === 0) !== lowFirst ? high : low;

describe('StormDetector', () => {
  const config = {
    absoluteRate: 50_000,
    baselineMultiple: 10,
    sustainMs: 1000,
    clearBelowFraction: 0.5,
    intxUnmaskLoopRate: 5_000,
    baselineFloorRate: 100,
    baselineWindowMs: 10_000,
    baselineWarmupMs: 2_000,
  };

  it('raises an absolute-rate storm only after the sustain window', () => {
    const d = new StormDetector(config);
    run(d, 0, 5_000, 1_000);
    // a 0.5 s spike is not a storm
    expect(run(d, 5_000, 5_500, 80_000).raised).toEqual([]);
    run(d, 5_500, 6_000, 1_000);
    const { raised } = run(d, 6_000, 8_000, (t) => (t === 6_500 ? 90_000 : 60_000));
    expect(raised).toEqual([{ at: 7_000, id: expect.any(String), reason: 'absolute', peak: 90_000 }]);
    const [alert] = d.alerts();
    expect(alert).toMatchObject({
      bdf: '0000:01:00.0',
      index: 'MSIX',
      vector: 2,
      owner: { pid: 4242, comm: 'qemu-system-x86' },
      reason: 'absolute',
      threshold: 50_000,
      raisedAt: 7_000,
      clearedAt: null,
    });
  });

  it('clears with hysteresis: below the threshold is not enough, below the clear fraction for the window is', () => {
    const d = new StormDetector(config);
    run(d, 0, 3_000, 1_000);
    const { raised } = run(d, 3_000, 4_500, 60_000);
    expect(raised).toHaveLength(1);
    // 40k/s is below the 50k threshold but above the 25k clear level: still storming
    expect(run(d, 4_500, 8_000, 40_000).cleared).toEqual([]);
    // dipping under 25k briefly does not clear either
    expect(run(d, 8_000, 8_500, 10_000).cleared).toEqual([]);
    run(d, 8_500, 8_600, 30_000);
    const { cleared } = run(d, 8_600, 10_000, 1_000);
    expect(cleared).toEqual([{ at: 9_600, id: raised[0]?.id }]);
    const [alert] = d.alerts();
    expect(alert).toMatchObject({ clearedAt: 9_600, peakRate: 60_000 });
    expect(d.activeFor(alert!.key)).toBeNull(); // the line above asserted alert
  });

  it('raises on a multiple of the vector own baseline, after warm-up', () => {
    const d = new StormDetector(config);
    // a vector that normally runs at 2 000/s; 25 000/s is far below the absolute threshold but 12.5x its baseline
    run(d, 0, 10_000, 2_000);
    expect(d.baselineOf(vec(0).key)).toBeCloseTo(2_000, 0);
    expect(run(d, 10_000, 10_900, 25_000).raised).toEqual([]);
    const { raised } = run(d, 10_900, 12_000, 25_000);
    expect(raised).toMatchObject([{ at: 11_000, reason: 'baseline' }]);
    expect(d.alerts()[0]?.threshold).toBeCloseTo(20_000, -1);
    // the storm did not teach the baseline
    expect(d.baselineOf(vec(0).key)).toBeCloseTo(2_000, 0);
  });

  it('does not call a quiet vector waking up a storm (baseline floor)', () => {
    const d = new StormDetector(config);
    run(d, 0, 5_000, 1);
    expect(run(d, 5_000, 8_000, 900).raised).toEqual([]);
  });

  it('treats a sustained INTx fire+unmask cycle rate as an unmask-loop storm', () => {
    const d = new StormDetector(config);
    // 6 000/s is below the absolute threshold and under 10x this vector's 1 000/s baseline
    run(d, 0, 3_000, 1_000, 'INTX');
    const { raised } = run(d, 3_000, 5_000, 6_000, 'INTX');
    expect(raised).toMatchObject([{ at: 4_000, reason: 'intx-unmask-loop' }]);
    // the same rate on an MSI-X vector is no storm
    const other = new StormDetector(config);
    run(other, 0, 3_000, 1_000);
    expect(run(other, 3_000, 5_000, 6_000).raised).toEqual([]);
  });

  it('clears the alert of a vector that goes away', () => {
    const d = new StormDetector(config);
    run(d, 0, 2_000, 60_000);
    expect(d.alerts()[0]?.clearedAt).toBeNull();
    expect(d.forget(vec(0).key, 2_500)).toMatchObject({ clearedAt: 2_500 });
    expect(d.alerts()[0]?.clearedAt).toBe(2_500);
  });

  it("learns a flapping vector's high phase as normal: no alert over 60 s", () => {
    // high and low 10x apart, full cycles of 2, 2.5, 3 and 6 s (the default scenario's VF), either phase first
    for (const halfMs of [1_000, 1_250, 1_500, 3_000]) {
      for (const lowFirst of [false, true]) {
        const d = new StormDetector();
        const { raised, reopened } = run(d, 0, 60_000, flap(8_000, 800, halfMs, lowFirst));
        expect({ halfMs, lowFirst, raised, reopened }).toEqual({ halfMs, lowFirst, raised: [], reopened: [] });
        expect(d.baselineOf(vec(0).key)).toBe(8_000);
      }
    }
  });

  it("still raises a baseline storm above a flapping vector's highs", () => {
    const d = new StormDetector();
    expect(run(d, 0, 60_000, flap(2_000, 200, 1_500)).raised).toEqual([]);
    // 25 000/s: under the absolute 50 000/s, but over 10x the vector's 2 000/s high phase
    const { raised } = run(d, 60_000, 63_000, 25_000);
    expect(raised).toMatchObject([{ at: 61_000, reason: 'baseline' }]);
    expect(d.alerts()[0]?.threshold).toBe(20_000);
  });

  it('learns a vector that starts flapping after a quiet spell: one alert, re-opened until the highs are normal', () => {
    const d = new StormDetector();
    run(d, 0, 30_000, 150);
    const { raised, reopened } = run(d, 30_000, 120_000, flap(3_000, 150, 3_000, false, 30_000));
    // a new high phase is news once; while it recurs it re-opens that alert, then it is the vector's normal
    expect(raised).toMatchObject([{ at: 31_000, reason: 'baseline' }]);
    expect(reopened.length).toBeGreaterThan(0);
    expect(reopened.every((r) => r.id === raised[0]?.id && r.at < 75_000)).toBe(true);
    expect(d.alerts()).toHaveLength(1);
    expect(d.alerts()[0]!.clearedAt).not.toBeNull(); // length 1 asserted above
    expect(d.baselineOf(vec(0).key)).toBe(3_000);
  });

  it('re-opens a cleared alert when the same storm returns within the hold-down', () => {
    const d = new StormDetector({ ...config, reraiseHoldDownMs: 30_000 });
    run(d, 0, 3_000, 1_000);
    const first = run(d, 3_000, 5_000, 60_000);
    expect(first.raised).toHaveLength(1);
    const id = first.raised[0]!.id; // length 1 asserted above
    expect(run(d, 5_000, 8_000, 1_000).cleared).toEqual([{ at: 6_000, id }]);
    // 10 s after clearing: the same alert again, no new one
    const again = run(d, 18_000, 20_000, 70_000);
    expect(again.raised).toEqual([]);
    expect(again.reopened).toEqual([{ at: 19_000, id, peak: 70_000 }]);
    expect(d.alerts()).toEqual([expect.objectContaining({ id, clearedAt: null, raisedAt: 4_000, peakRate: 70_000, reopens: 1 })]);
    expect(d.activeFor(vec(0).key)).toMatchObject({ id, clearedAt: null });
    expect(run(d, 20_000, 22_000, 1_000).cleared).toEqual([{ at: 21_000, id }]);
    // past the hold-down it is a new storm with a new alert
    const later = run(d, 52_000, 54_000, 60_000);
    expect(later.reopened).toEqual([]);
    expect(later.raised).toMatchObject([{ at: 53_000, reason: 'absolute' }]);
    const laterId = later.raised[0]!.id; // toMatchObject above asserted exactly one
    expect(laterId).not.toBe(id);
    expect(d.alerts().map((a) => a.id)).toEqual([laterId, id]);
  });

  it('raises a new alert, not a re-open, for a different reason or with the hold-down off', () => {
    const d = new StormDetector(config);
    run(d, 0, 3_000, 1_000);
    const overBaseline = run(d, 3_000, 5_000, 25_000);
    expect(overBaseline.raised).toMatchObject([{ at: 4_000, reason: 'baseline' }]);
    expect(run(d, 5_000, 7_000, 1_000).cleared).toHaveLength(1);
    const absolute = run(d, 8_000, 10_000, 60_000);
    expect(absolute.raised).toMatchObject([{ at: 9_000, reason: 'absolute' }]);
    expect(absolute.reopened).toEqual([]);

    const off = new StormDetector({ ...config, reraiseHoldDownMs: 0 });
    run(off, 0, 3_000, 1_000);
    run(off, 3_000, 5_000, 60_000);
    run(off, 5_000, 7_000, 1_000);
    expect(run(off, 7_000, 9_000, 60_000).raised).toHaveLength(1);
    expect(off.alerts()).toHaveLength(2);
  });

  it('validates its configuration', () => {
    expect(() => new StormDetector({ baselinePercentile: 0 })).toThrow(RangeError);
    expect(() => new StormDetector({ reraiseHoldDownMs: -1 })).toThrow(RangeError);
    expect(DEFAULT_STORM_CONFIG).toMatchObject({ baselineWindowMs: 30_000, reraiseHoldDownMs: 30_000 });
    expect(() => new StormDetector({ clearBelowFraction: 0 })).toThrow(RangeError);
    expect(new StormDetector().config.absoluteRate).toBe(50_000);
    expect(new StormDetector({ absoluteRate: undefined, sustainMs: 500 }).config).toMatchObject({ absoluteRate: 50_000, sustainMs: 500 });
  });
});
