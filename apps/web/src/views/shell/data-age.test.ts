import { describe, expect, it } from 'vitest';
import { age, clock } from './data-age.ts';

describe('data age', () => {
  const t = new Date(2025, 0, 1, 3, 16, 42).getTime();
  it('names the wall-clock time with seconds, 24 h', () => {
    expect(clock(t)).toBe('03:16:42');
    expect(clock(new Date(2025, 0, 1, 23, 5, 7).getTime())).toBe('23:05:07');
  });
  it('says how long ago, in seconds, then minutes, then hours', () => {
    expect(age(t, t + 40_400)).toBe('40 s ago');
    expect(age(t, t + 185_000)).toBe('3 min 5 s ago');
    expect(age(t, t + (2 * 3600 + 4 * 60) * 1000)).toBe('2 h 4 min ago');
    expect(age(t, t - 5000)).toBe('0 s ago');
  });
});
