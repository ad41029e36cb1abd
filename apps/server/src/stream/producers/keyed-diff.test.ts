import { describe, expect, it } from 'vitest';
import { isEmptyDiff, KeyedTable } from './keyed-diff.ts';

describe('KeyedTable', () => {
  it('reports added, changed and removed rows by key', () => {
    const t = new KeyedTable<{ k: string; v: number }>((r) => r.k);
    expect(t.replace([{ k: 'a', v: 1 }, { k: 'b', v: 2 }])).toEqual({ add: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }], change: [], remove: [] });
    const same = t.replace([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
    expect(isEmptyDiff(same)).toBe(true);
    expect(t.replace([{ k: 'a', v: 5 }, { k: 'c', v: 3 }])).toEqual({ add: [{ k: 'c', v: 3 }], change: [{ k: 'a', v: 5 }], remove: ['b'] });
    expect(t.values()).toEqual([{ k: 'a', v: 5 }, { k: 'c', v: 3 }]);
  });
});
