import { describe, expect, it } from 'vitest';
import type { VectorRate } from '@vfioscope/protocol';
import { busiestCpus, heatCells } from './cpu-heat.ts';

const rate = (over: Partial<VectorRate>): VectorRate => ({
  key: '0000:01:00.0/MSIX/0',
  bdf: '0000:01:00.0',
  index: 'MSIX',
  vector: 0,
  source: 'observed',
  owner: null,
  count: 100,
  rate: 0,
  ...over,
});

describe('heatCells', () => {
  it('puts the rate on the CPU that took it, marks the effective CPU and the allowed ones', () => {
    const cells = heatCells(rate({ rate: 500, cpus: [[2, 500]], affinity: '2-3', effective: '2' }), 4);
    expect(cells.map((c) => [c.cpu, c.share, c.allowed, c.effective])).toEqual([
      [0, 0, false, false],
      [1, 0, false, false],
      [2, 1, true, true],
      [3, 0, true, false],
    ]);
    expect(busiestCpus(cells)).toEqual([2]);
  });

  it('splits the share between CPUs when a vector moved within the tick', () => {
    const cells = heatCells(
      rate({
        rate: 400,
        cpus: [
          [0, 100],
          [1, 300],
        ],
        affinity: '0-1',
        effective: '1',
      }),
      2,
    );
    expect(cells.map((c) => c.share)).toEqual([0.25, 0.75]);
  });

  it('shows an idle vector (no cpus on the wire) with its affinity and every share zero', () => {
    const cells = heatCells(rate({ affinity: '0-1', effective: '0' }), 2);
    expect(cells.map((c) => [c.share, c.effective])).toEqual([
      [0, true],
      [0, false],
    ]);
    expect(busiestCpus(cells)).toEqual([]);
  });

  it('allows every CPU when the affinity is unknown, and widens past the host count for a CPU it names', () => {
    const cells = heatCells(rate({ rate: 1, cpus: [[3, 1]] }), 2);
    expect(cells).toHaveLength(4);
    expect(cells.every((c) => c.allowed)).toBe(true);
  });
});
