import { describe, expect, it } from 'vitest';
import { nextMark, positionNow, spanLabel } from './replay-model.ts';

const state = { startT: 1000, endT: 61_000, position: 11_000, playing: true, speed: 4 as const };

describe('replay model', () => {
  it('moves the position at the speed while playing, stops at the end, stays when paused', () => {
    expect(positionNow(state, 500)).toBe(13_000);
    expect(positionNow(state, 60_000)).toBe(61_000);
    expect(positionNow({ ...state, playing: false }, 5000)).toBe(11_000);
  });

  it('finds the next mark of a kind past the one just jumped to', () => {
    const marks = [
      { t: 5000, kind: 'alert' as const, label: 'a' },
      { t: 11_500, kind: 'alert' as const, label: 'b' },
      { t: 20_000, kind: 'action' as const, label: 'map' },
      { t: 30_000, kind: 'alert' as const, label: 'c' },
    ];
    expect(nextMark(marks, 'alert', 11_000)?.label).toBe('c');
    expect(nextMark(marks, 'action', 11_000)?.label).toBe('map');
    expect(nextMark(marks, 'kernel-fault', 0)).toBeNull();
  });

  it('reads spans as people write them', () => {
    expect(spanLabel(249_000)).toBe('4:09');
    expect(spanLabel(3_849_000)).toBe('1:04:09');
  });
});
