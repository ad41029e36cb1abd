import { describe, expect, it } from 'vitest';
import { cumulativeInterrupts, interruptsBetween, loadProfileProblems, peakRate, rateAt } from './load-profile.ts';
import type { LoadProfile } from './scenario-types.ts';

/** sum of per-step counts over [0, end) in `step` ms steps */
function stepped(p: LoadProfile, end: number, step: number): number {
  let n = 0;
  for (let t = 0; t < end; t += step) n += interruptsBetween(p, t, Math.min(t + step, end));
  return n;
}

describe('load profiles', () => {
  it('steady: rate × time, however the window is cut', () => {
    const p: LoadProfile = { kind: 'steady', rate: 1000 };
    expect(interruptsBetween(p, 0, 1000)).toBe(1000);
    expect(interruptsBetween(p, 250, 750)).toBe(500);
    const odd: LoadProfile = { kind: 'steady', rate: 333 };
    expect(stepped(odd, 10_000, 7)).toBe(3330);
    expect(stepped(odd, 10_000, 100)).toBe(3330);
    expect(rateAt(odd, 123)).toBe(333);
  });

  it('bursty: base plus burstRate during the first burstMs of every period', () => {
    const p: LoadProfile = { kind: 'bursty', base: 100, burstRate: 5000, periodMs: 1000, burstMs: 200 };
    // per period: 0.2 s × 5000 + 0.8 s × 100 = 1080
    expect(interruptsBetween(p, 0, 1000)).toBe(1080);
    expect(interruptsBetween(p, 0, 10_000)).toBe(10_800);
    expect(interruptsBetween(p, 200, 1000)).toBe(80);
    expect(interruptsBetween(p, 1000, 1100)).toBe(500);
    expect(rateAt(p, 1150)).toBe(5000);
    expect(rateAt(p, 1250)).toBe(100);
    expect(stepped(p, 10_000, 33)).toBe(10_800);
  });

  it('storm: base until startMs, then rate for durationMs, then base again', () => {
    const p: LoadProfile = { kind: 'storm', base: 10, rate: 100_000, startMs: 3000, durationMs: 2000 };
    expect(interruptsBetween(p, 0, 3000)).toBe(30);
    expect(interruptsBetween(p, 3000, 4000)).toBe(100_000);
    expect(interruptsBetween(p, 5000, 6000)).toBe(10);
    expect(rateAt(p, 2999)).toBe(10);
    expect(rateAt(p, 3000)).toBe(100_000);
    expect(rateAt(p, 5000)).toBe(10);
    const forever: LoadProfile = { kind: 'storm', base: 0, rate: 50, startMs: 1000 };
    expect(interruptsBetween(forever, 0, 61_000)).toBe(3000);
    expect(peakRate(p)).toBe(100_000);
  });

  it('flapping: high for periodMs, then low for periodMs, repeating', () => {
    const p: LoadProfile = { kind: 'flapping', high: 2000, low: 100, periodMs: 500 };
    expect(interruptsBetween(p, 0, 500)).toBe(1000);
    expect(interruptsBetween(p, 500, 1000)).toBe(50);
    expect(interruptsBetween(p, 0, 10_000)).toBe(10 * 1050);
    expect(rateAt(p, 499)).toBe(2000);
    expect(rateAt(p, 500)).toBe(100);
    expect(stepped(p, 10_000, 17)).toBe(10_500);
  });

  it('measured rates stay within 1% of the nominal rate over a 1 s window', () => {
    const p: LoadProfile = { kind: 'steady', rate: 12_345 };
    const measured = interruptsBetween(p, 5000, 6000);
    expect(Math.abs(measured - 12_345) / 12_345).toBeLessThan(0.01);
    expect(cumulativeInterrupts(p, -5)).toBe(0);
    expect(interruptsBetween(p, 10, 10)).toBe(0);
  });

  it('names the field of a malformed profile', () => {
    expect(loadProfileProblems({ kind: 'bursty', base: 1, burstRate: 2, periodMs: 0, burstMs: 1 })).toEqual([
      'periodMs: must be > 0, got 0',
    ]);
    expect(loadProfileProblems({ kind: 'steady' })).toEqual(['rate: required finite number']);
    expect(loadProfileProblems({ kind: 'wave' })[0]).toMatch(/^kind:/);
  });
});

describe('a recurring storm', () => {
  const p = { kind: 'storm' as const, base: 10, rate: 1000, startMs: 1000, durationMs: 500, periodMs: 2000 };

  it('storms for durationMs every periodMs after startMs, and its counts add up exactly', () => {
    expect([0, 999, 1000, 1499, 1500, 2999, 3000, 3499, 3500].map((t) => rateAt(p, t))).toEqual([
      10, 10, 1000, 1000, 10, 10, 1000, 1000, 10,
    ]);
    // [0, 5000): 5 s of base + 2 storm episodes of 0.5 s each at +990/s... plus the third starts at 5000
    expect(cumulativeInterrupts(p, 5000)).toBeCloseTo(10 * 5 + 990 * 0.5 * 2, 6);
    expect(interruptsBetween(p, 0, 2500) + interruptsBetween(p, 2500, 5000)).toBe(Math.floor(cumulativeInterrupts(p, 5000)));
  });

  it('is refused when an episode would not end before the next', () => {
    expect(loadProfileProblems({ ...p, durationMs: 2000 })).toEqual([
      'periodMs: a recurring storm needs a durationMs shorter than its periodMs',
    ]);
    expect(loadProfileProblems({ ...p, durationMs: undefined })).toEqual([
      'periodMs: a recurring storm needs a durationMs shorter than its periodMs',
    ]);
    expect(loadProfileProblems(p)).toEqual([]);
  });
});
