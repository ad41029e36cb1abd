import { describe, expect, it } from 'vitest';
import type { VectorRate } from '@vfioscope/protocol';
import { groupVectors, rerank, sortGroups } from './top-vectors-model.ts';

const vm = { pid: 4242, comm: 'qemu-system-x86', vm: 'win11-cad' };
const rate = (bdf: string, vector: number, r: number, owner: VectorRate['owner'] = vm): VectorRate => ({
  key: `${bdf}/MSIX/${vector}`,
  bdf,
  index: 'MSIX',
  vector,
  source: owner ? 'observed' : 'owned',
  owner,
  count: r * 10,
  rate: r,
});

const rates = [
  rate('0000:17:00.0', 1, 300),
  rate('0000:17:00.0', 0, 60_000),
  rate('0000:4c:00.0', 0, 20),
  rate('0000:65:00.0', 0, 5, null),
];

describe('top vectors', () => {
  it('groups vectors by device, or by owner (a VM with its devices)', () => {
    const byDevice = groupVectors(rates, 'device', new Set(['0000:17:00.0/MSIX/0']));
    expect(byDevice.map((g) => [g.key, g.vectors.map((v) => v.vector), g.rate, g.hot])).toEqual([
      ['0000:17:00.0', [0, 1], 60_300, true],
      ['0000:4c:00.0', [0], 20, false],
      ['0000:65:00.0', [0], 5, false],
    ]);
    const byOwner = groupVectors(rates, 'owner', new Set());
    expect(byOwner.map((g) => [g.key, g.bdfs])).toEqual([
      ['pid:4242', ['0000:17:00.0', '0000:4c:00.0']],
      ['vfioscope', ['0000:65:00.0']],
    ]);
  });

  it('sorts by any column', () => {
    const g = groupVectors(rates, 'device', new Set());
    expect(sortGroups(g, 'rate', 'desc').map((x) => x.key)).toEqual(['0000:17:00.0', '0000:4c:00.0', '0000:65:00.0']);
    expect(sortGroups(g, 'device', 'desc').map((x) => x.key)).toEqual(['0000:65:00.0', '0000:4c:00.0', '0000:17:00.0']);
    expect(sortGroups(g, 'owner', 'asc').map((x) => x.key)).toEqual(['0000:65:00.0', '0000:17:00.0', '0000:4c:00.0']);
    expect(sortGroups(g, 'vectors', 'desc')[0]!.key).toBe('0000:17:00.0');
  });

  it('keeps the ranking for the hold time, or while paused, dropping gone rows and appending new ones', () => {
    const first = rerank(null, ['a', 'b', 'c'], 0, 2000, false);
    expect(first.order).toEqual(['a', 'b', 'c']);
    const held = rerank(first, ['c', 'a', 'd'], 1000, 2000, false);
    expect(held.order).toEqual(['a', 'c', 'd']);
    expect(held.at).toBe(0);
    expect(rerank(held, ['d', 'c', 'a'], 2500, 2000, false).order).toEqual(['d', 'c', 'a']);
    expect(rerank(held, ['d', 'c', 'a'], 60_000, 2000, true).order).toEqual(['a', 'c', 'd']);
    // nothing changed: the same object, so memoised rows stay put
    expect(rerank(held, ['c', 'a', 'd'], 1500, 2000, false)).toBe(held);
  });
});
