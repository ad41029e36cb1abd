import { describe, expect, it } from 'vitest';
import { gridMembers } from './grid-members.ts';

const all = new Set(['a', 'b', 'c', 'd', 'e']);
const reported = (k: string) => all.has(k);
const calm = new Set<string>();

describe('the chart grid members', () => {
  it('takes the fresh top N at first and at each refresh', () => {
    const first = gridMembers(null, ['a', 'b', 'c'], 3, reported, calm, 0, 2000);
    expect(first.order).toEqual(['a', 'b', 'c']);
    expect(gridMembers(first, ['d', 'a', 'b'], 3, reported, calm, 2000, 2000)).toEqual({ order: ['d', 'a', 'b'], at: 2000 });
  });

  it('keeps a vector that slipped below the Nth place until the refresh, the same ranking object when nothing moved', () => {
    const first = gridMembers(null, ['a', 'b', 'c'], 3, reported, calm, 0, 2000);
    expect(gridMembers(first, ['a', 'b', 'd'], 3, reported, calm, 100, 2000)).toBe(first);
    expect(gridMembers(first, ['c', 'd', 'e'], 3, reported, calm, 1900, 2000)).toBe(first);
  });

  it('fills a place freed by a vector no longer reported from the fresh ranking', () => {
    const first = gridMembers(null, ['a', 'b', 'c'], 3, reported, calm, 0, 2000);
    const next = gridMembers(first, ['a', 'd', 'c'], 3, (k) => k !== 'b', calm, 100, 2000);
    expect(next).toEqual({ order: ['a', 'c', 'd'], at: 0 });
  });

  it('lets a new storm in at once, in the place of the last calm vector out of the top N', () => {
    const first = gridMembers(null, ['a', 'b', 'c'], 3, reported, calm, 0, 2000);
    const next = gridMembers(first, ['e', 'a', 'c'], 3, reported, new Set(['e']), 100, 2000);
    expect(next.order).toEqual(['a', 'c', 'e']);
  });

  it('shows fewer than N when fewer are reported', () => {
    expect(gridMembers(null, ['a'], 3, reported, calm, 0, 2000).order).toEqual(['a']);
  });
});
