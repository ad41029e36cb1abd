import { describe, expect, it } from 'vitest';
import { niceAxis } from './axis-ticks.ts';

const MiB = 1024 * 1024;
const labels = (max: number, kind: 'bytes' | 'rate' | 'count') => {
  const a = niceAxis(max, kind);
  return a.ticks.map(a.format);
};

describe('niceAxis', () => {
  it('steps binary sizes in round numbers of their unit', () => {
    expect(labels(38.1 * MiB, 'bytes')).toEqual(['0', '10 MiB', '20 MiB', '30 MiB', '40 MiB']);
    expect(labels(2 * MiB, 'bytes')).toEqual(['0', '0.5 MiB', '1 MiB', '1.5 MiB', '2 MiB']);
    expect(niceAxis(38.1 * MiB, 'bytes').domain).toEqual([0, 40 * MiB]);
  });

  it('gives an empty chart one tick at 0', () => {
    expect(labels(0, 'bytes')).toEqual(['0']);
    expect(labels(0, 'rate')).toEqual(['0']);
    expect(labels(0, 'count')).toEqual(['0']);
  });

  it('never splits a count below one', () => {
    expect(labels(2, 'count')).toEqual(['0', '1', '2']);
    expect(labels(4000, 'count')).toEqual(['0', '1,000', '2,000', '3,000', '4,000']);
  });

  it('writes rates with k and M', () => {
    expect(labels(60_000, 'rate')).toEqual(['0', '20k/s', '40k/s', '60k/s']);
    expect(labels(1400, 'rate')).toEqual(['0', '500/s', '1k/s', '1.5k/s']);
    expect(labels(3.2, 'rate')).toEqual(['0', '1/s', '2/s', '3/s', '4/s']);
  });
});
