import { describe, expect, it } from 'vitest';
import type { OwnedContainer } from '@vfioscope/session';
import { pinnedStats } from './pinned-memory.ts';

const ctx = (id: number, kind: OwnedContainer['kind']): OwnedContainer => ({
  id,
  kind,
  groups: [id + 2],
  iommuInfo: null,
  mappingCount: 1,
  pinnedBytes: 8192n,
});

describe('pinnedStats', () => {
  it('charges a context pinned pages to locked memory where its path does: type1 and compat yes, an IOAS no (VmPin only)', () => {
    const stats = pinnedStats([ctx(1, 'type1'), ctx(2, 'iommufd-compat'), ctx(3, 'iommufd')], [], 16 << 20);
    expect(stats.map((s) => [s.id, s.pinnedBytes, s.lockedBytes])).toEqual([
      [1, 8192, 8192],
      [2, 8192, 8192],
      [3, 8192, 0],
    ]);
  });
});
