import { describe, expect, it } from 'vitest';
import { sparklinePaths } from './sparkline-path.ts';

const box = { from: 0, to: 1000, width: 100, height: 22, top: 10, threshold: null };

describe('sparklinePaths', () => {
  it('draws the points in the window from left to right, 0 at the bottom and top at the top', () => {
    const d = sparklinePaths(
      [
        { t: -100, rate: 5 },
        { t: 0, rate: 0 },
        { t: 500, rate: 10 },
        { t: 1000, rate: 5 },
      ],
      box,
    );
    expect(d.line).toBe('M0 21L50 1L100 11');
    expect(d.area).toBe('M0 21L50 1L100 11V22H0Z');
    expect(d.threshold).toBe('');
  });

  it('keeps a pixel column to its lowest and highest point in time order, so a peak survives', () => {
    const points = [
      { t: 500, rate: 2 },
      { t: 501, rate: 9 },
      { t: 502, rate: 1 },
      { t: 503, rate: 3 },
    ];
    expect(sparklinePaths(points, box).line).toBe('M50.1 3L50.2 19');
  });

  it('draws the threshold across the box, and nothing for an empty window', () => {
    const d = sparklinePaths([{ t: 5000, rate: 1 }], { ...box, threshold: 5 });
    expect(d.line).toBe('');
    expect(d.area).toBe('');
    expect(d.threshold).toBe('M0 11H100');
  });
});
