import { describe, expect, it } from 'vitest';
import { isEmptyDiff, KeyedTable } from './keyed-diff.ts';

describe('KeyedTable', () => {
  it('reports added, changed and removed rows by key', () => {
    const t = new KeyedTable<{ k: string; v: number }>((r) => r.k);
    expect(
      t.replace([
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
      ]),
    ).toEqual({
      add: [
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
      ],
      change: [],
      remove: [],
    });
    const same = t.replace([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
    expect(isEmptyDiff(same)).toBe(true);
    expect(
      t.replace([
        { k: 'a', v: 5 },
        { k: 'c', v: 3 },
      ]),
    ).toEqual({ add: [{ k: 'c', v: 3 }], change: [{ k: 'a', v: 5 }], remove: ['b'] });
    expect(t.values()).toEqual([
      { k: 'a', v: 5 },
      { k: 'c', v: 3 },
    ]);
  });

  it('patches only the keys it is given, with the same add / change / remove semantics', () => {
    const t = new KeyedTable<{ k: string; v: number }>((r) => r.k);
    t.replace([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
    // 'a' unchanged is not sent; 'x' was never there, so removing it is nothing
    const d = t.patch([
      ['c', { k: 'c', v: 3 }],
      ['a', { k: 'a', v: 1 }],
      ['b', null],
      ['x', null],
    ]);
    expect(d).toEqual({ add: [{ k: 'c', v: 3 }], change: [], remove: ['b'] });
    expect(t.patch([['c', { k: 'c', v: 4 }]])).toEqual({ add: [], change: [{ k: 'c', v: 4 }], remove: [] });
    expect(t.values()).toEqual([
      { k: 'a', v: 1 },
      { k: 'c', v: 4 },
    ]);
    t.patch([['0', { k: '0', v: 0 }]]);
    t.sortBy((x, y) => x.k.localeCompare(y.k));
    expect(t.values().map((r) => r.k)).toEqual(['0', 'a', 'c']);
  });
});
