import { describe, expect, it } from 'vitest';
import { recordedFor, stopLabel } from './record-label.ts';

describe('the Record button while recording', () => {
  it('says how long and how much', () => {
    expect(stopLabel({ startedAt: 1000, bytes: 812 * 1024 }, 1000 + 80_000)).toBe('Stop · 1m 20s · 812 KiB');
    expect(stopLabel({ startedAt: 0, bytes: 300 }, 4_999)).toBe('Stop · 4s · 300 B');
  });

  it('counts seconds, then minutes, then hours; never below zero (a browser clock behind the server)', () => {
    expect(recordedFor(59_999)).toBe('59s');
    expect(recordedFor(60_000)).toBe('1m 00s');
    expect(recordedFor(2 * 3_600_000 + 5 * 60_000 + 30_000)).toBe('2h 05m');
    expect(recordedFor(-5000)).toBe('0s');
  });
});
