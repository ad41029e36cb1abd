import { describe, expect, it } from 'vitest';
import type { VectorRate } from '@vfioscope/protocol';
import { VectorHistory } from './vector-history.ts';

const row = (key: string, rate: number): VectorRate => ({
  key,
  bdf: key.split('/')[0]!,
  index: 'MSIX',
  vector: Number(key.split('/')[2]),
  source: 'owned',
  owner: null,
  count: 0,
  rate,
});
const A = '0000:02:00.1/MSIX/0';
const B = '0000:02:00.1/MSIX/1';
const rates = (a: number, b: number) => new Map([row(A, a), row(B, b)].map((r) => [r.key, r]));

describe('the chart grid history', () => {
  it('records one point per tick for the charted vectors only, in the same array', () => {
    const h = new VectorHistory(60_000);
    const series = h.get(A);
    h.record(100, rates(5, 7), [A]);
    h.record(100, rates(6, 7), [A]); // the same tick again: no second point
    h.record(200, rates(8, 7), [A]);
    expect(h.get(A)).toBe(series);
    expect(series).toEqual([
      { t: 100, rate: 5 },
      { t: 200, rate: 8 },
    ]);
    expect(h.has(B)).toBe(false);
  });

  it('forgets a vector that left the grid and keeps the last window', () => {
    const h = new VectorHistory(1000);
    for (let t = 0; t <= 3000; t += 100) h.record(t, rates(t, 1), [A, B]);
    expect(h.get(A)[0]!.t).toBeGreaterThanOrEqual(2000 - 1000);
    expect(h.get(A).at(-1)).toEqual({ t: 3000, rate: 3000 });
    h.record(3100, rates(1, 1), [A]);
    expect(h.has(B)).toBe(false);
  });

  it("puts the server's older points in front of the live ones", () => {
    const h = new VectorHistory(60_000);
    h.get(A);
    h.record(1000, rates(9, 0), [A]);
    h.seed(A, [
      { t: 800, rate: 1 },
      { t: 900, rate: 2 },
      { t: 1000, rate: 3 },
    ]);
    expect(h.get(A).map((p) => p.t)).toEqual([800, 900, 1000]);
    expect(h.get(A).at(-1)!.rate).toBe(9);
  });
});
