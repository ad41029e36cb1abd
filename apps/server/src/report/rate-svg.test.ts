import { describe, expect, it } from 'vitest';
import { niceCeiling, ratePath, rateSvg, shortRate } from './rate-svg.ts';

/** how many pieces a path's "d" draws */
const pieces = (d: string) => d.split(' ').filter((s) => s.startsWith('M')).length;
const identity = (v: number) => v;

const points = [0, 1000, 2000, 3000, 4000].map((t, i) => ({ t, rate: [10, 20, 100, 90, 5][i]! }));

describe('rateSvg', () => {
  it('draws the rate as one path, the storm as a shaded band and the threshold as a dashed line', () => {
    const svg = rateSvg({
      points,
      from: 0,
      to: 4000,
      bands: [{ from: 2000, to: 3000, ongoing: false }],
      threshold: 50,
      width: 476,
      height: 140,
    }).text;
    expect(svg.match(/<path class="rate" d="([^"]+)"/)?.[1]?.split(' M')).toHaveLength(1);
    // the plot is 400 wide from x = 64 (476 less the margins): the band covers 2000–3000 of 0–4000, a quarter of it from its middle
    const band = svg.match(/<rect class="storm-band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/);
    expect(band?.slice(1).map(Number)).toEqual([264, 100]);
    expect(svg).toContain('class="threshold"');
    expect(svg).toContain('threshold 50/s');
    // the axis top is a round number at or over the highest rate
    expect(svg).toContain('>100/s</text>');
  });

  it('breaks the line where samples are missing', () => {
    const gappy = [...points, { t: 60_000, rate: 7 }, { t: 61_000, rate: 8 }];
    const d = ratePath(
      gappy,
      (t) => t / 1000,
      (r) => r,
    );
    expect(d.split(' ').filter((s) => s.startsWith('M'))).toHaveLength(2);
  });

  it('does not break it where per-second means give way to tick rates', () => {
    const mixed = [...points, ...Array.from({ length: 20 }, (_, i) => ({ t: 4100 + i * 100, rate: 5 }))];
    expect(pieces(ratePath(mixed, identity, identity))).toBe(1);
  });

  it('says so when there is nothing to draw, and leaves out a threshold it was not given', () => {
    const svg = rateSvg({ points: [], from: 0, to: 1000, bands: [], threshold: null }).text;
    expect(svg).toContain('no rate samples in this window');
    expect(svg).not.toContain('class="rate"');
    expect(svg).not.toContain('threshold');
  });

  it('keeps a band inside the plot when the storm outlasts the window', () => {
    const svg = rateSvg({ points, from: 0, to: 4000, bands: [{ from: -5000, to: 9000, ongoing: true }], threshold: 50, width: 476 }).text;
    const band = svg.match(/<rect class="storm-band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/);
    expect(band?.slice(1).map(Number)).toEqual([64, 400]);
    expect(svg).toContain('ongoing');
  });
});

describe('axis helpers', () => {
  it('rounds the axis top up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 3, 10, 11, 120_100, 499].map(niceCeiling)).toEqual([1, 5, 10, 20, 200_000, 500]);
  });

  it('writes rates short', () => {
    expect([0, 12.25, 1500, 50_000, 2_500_000].map(shortRate)).toEqual(['0', '12.3', '1.5k', '50k', '2.5M']);
  });
});
