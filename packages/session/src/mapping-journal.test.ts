import { describe, expect, it } from 'vitest';
import { MappingJournal } from './mapping-journal.ts';
import type { MappingRow } from './session-types.ts';

const row = (iova: bigint, write = true): MappingRow => ({
  iova,
  size: 0x1000n,
  vaddr: 0x7f00_0000_0000n + iova,
  read: true,
  write,
  pages: 1,
});

describe('MappingJournal', () => {
  it('moves its version on every change and answers the net change per IOVA since a version', () => {
    const j = new MappingJournal();
    const v0 = j.version;
    expect(j.changesSince(v0, 0)).toEqual({ version: v0, total: 0, changes: [] });
    j.added(row(0x1000n));
    j.added(row(0x2000n));
    const v1 = j.version;
    expect(v1).toBeGreaterThan(v0);
    j.removed(0x1000n);
    j.added(row(0x1000n, false));
    j.added(row(0x3000n));
    j.removed(0x3000n);
    expect(j.changesSince(v1, 2)).toEqual({
      version: j.version,
      total: 2,
      changes: [
        { iova: 0x1000n, row: row(0x1000n, false) },
        { iova: 0x3000n, row: null },
      ],
    });
    expect(j.changesSince(v0, 2)!.changes.map((c) => c.iova)).toEqual([0x2000n, 0x1000n, 0x3000n]);
    // a version from the future, or from before the journal, cannot be answered
    expect(j.changesSince(j.version + 1, 2)).toBeNull();
    expect(j.changesSince(v0 - 1, 2)).toBeNull();
  });

  it('gives up on readers behind what it kept, and on every reader after a reset', () => {
    const j = new MappingJournal();
    const start = j.version;
    for (let i = 0; i < 5000; i++) j.added(row(BigInt(i) << 12n));
    expect(j.changesSince(start, 5000)).toBeNull();
    const recent = j.version - 10;
    expect(j.changesSince(recent, 5000)!.changes).toHaveLength(10);
    const before = j.version;
    j.reset();
    expect(j.version).toBeGreaterThan(before);
    expect(j.changesSince(before, 0)).toBeNull();
    expect(j.changesSince(j.version, 0)).toEqual({ version: j.version, total: 0, changes: [] });
  });

  it('never reuses a version across journals (a container id used again is a new table)', () => {
    const a = new MappingJournal();
    a.added(row(0x1000n));
    const seen = a.version;
    const b = new MappingJournal();
    expect(b.version).toBeGreaterThan(seen);
    expect(b.changesSince(seen, 0)).toBeNull();
  });
});
