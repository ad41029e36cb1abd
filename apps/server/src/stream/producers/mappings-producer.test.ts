import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadScenario } from '@vfioscope/host-sim';
import type { MappingsDelta } from '@vfioscope/protocol';
import { makeFixture, type Fixture } from '../../test-support/app-fixture.ts';
import { KeyedTable } from './keyed-diff.ts';
import { MappingsProducer } from './mappings-producer.ts';

const PAGE = 0x1000n;
let f: Fixture | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await f?.close();
  f = null;
});

/** the edu scenario with room to pin a few thousand pages; group 3 opened by the session */
async function withContainer(): Promise<{ fx: Fixture; container: number }> {
  const scenario = loadScenario('edu');
  scenario.memlockLimit = 256 * 1024 * 1024;
  const fx = await makeFixture(scenario);
  f = fx;
  const { container } = await fx.app.vfio.ctx.session.openGroup(3);
  return { fx, container };
}

describe('MappingsProducer', () => {
  it('skips a tick with no mapping change without listing or diffing, then sends exactly the row a map added', async () => {
    const { fx, container } = await withContainer();
    const session = fx.app.vfio.ctx.session;
    for (let i = 0; i < 8; i++)
      await session.mapDma(container, { iova: 0x100000n + BigInt(i) * PAGE, size: PAGE, read: true, write: true });
    const p = new MappingsProducer(fx.app.vfio.ctx, container);
    await p.init();
    expect(p.snapshot().total).toBe(8);

    const listing = vi.spyOn(session, 'mappings');
    const journal = vi.spyOn(session, 'mappingChanges');
    const replace = vi.spyOn(KeyedTable.prototype, 'replace');
    const patch = vi.spyOn(KeyedTable.prototype, 'patch');
    for (let i = 0; i < 5; i++) expect(await p.update()).toBeNull();
    expect(listing).not.toHaveBeenCalled();
    expect(journal).not.toHaveBeenCalled();
    expect(replace).not.toHaveBeenCalled();
    expect(patch).not.toHaveBeenCalled();

    await session.mapDma(container, { iova: 0x80000n, size: 2n * PAGE, read: true, write: false });
    const d = (await p.update()) as MappingsDelta;
    expect(d).toEqual({
      container,
      total: 9,
      add: [{ iova: '0x80000', size: '0x2000', vaddr: expect.stringMatching(/^0x/), read: true, write: false, pages: 2 }],
      change: [],
      remove: [],
    });
    expect(listing).not.toHaveBeenCalled(); // from the journal, not a re-read
    expect(replace).not.toHaveBeenCalled();
    expect(await p.update()).toBeNull();
    // the snapshot keeps IOVA order although the new row was patched in last
    expect(p.snapshot().rows.map((r) => r.iova)).toEqual([
      '0x80000',
      ...Array.from({ length: 8 }, (_, i) => `0x${(0x100000 + i * 0x1000).toString(16)}`),
    ]);
  });

  it('nets out changes within a tick: unmap + map at one IOVA is a change, map + unmap is nothing', async () => {
    const { fx, container } = await withContainer();
    const session = fx.app.vfio.ctx.session;
    await session.mapDma(container, { iova: 0x10000n, size: PAGE, read: true, write: true });
    const p = new MappingsProducer(fx.app.vfio.ctx, container);
    await p.init();
    await session.unmapDma(container, { iova: 0x10000n, size: PAGE });
    await session.mapDma(container, { iova: 0x10000n, size: PAGE, read: true, write: false });
    await session.mapDma(container, { iova: 0x20000n, size: PAGE, read: true, write: true });
    await session.unmapDma(container, { iova: 0x20000n, size: PAGE });
    const d = (await p.update()) as MappingsDelta;
    expect(d.add).toEqual([]);
    expect(d.remove).toEqual([]);
    expect(d.change.map((r) => [r.iova, r.write])).toEqual([['0x10000', false]]);
    expect(d.total).toBe(1);
  });

  it('falls back to a full read when the journal cannot answer (overflowed, unmap all, container gone) and the diff stays exact', async () => {
    const { fx, container } = await withContainer();
    const session = fx.app.vfio.ctx.session;
    const p = new MappingsProducer(fx.app.vfio.ctx, container);
    await p.init();
    const listing = vi.spyOn(session, 'mappings');
    const n = 5000; // more than the journal keeps
    for (let i = 0; i < n; i++) await session.mapDma(container, { iova: BigInt(i) * PAGE, size: PAGE, read: true, write: true });
    const many = (await p.update()) as MappingsDelta;
    expect(listing).toHaveBeenCalledTimes(1);
    expect(many.total).toBe(n);
    expect(many.add).toHaveLength(n);
    expect(new Set(many.add.map((r) => r.iova)).size).toBe(n);

    await session.unmapDma(container, { all: true });
    const gone = (await p.update()) as MappingsDelta;
    expect(listing).toHaveBeenCalledTimes(2);
    expect(gone.total).toBe(0);
    expect(gone.remove).toHaveLength(n);

    await session.mapDma(container, { iova: 0x4000n, size: PAGE, read: true, write: true });
    expect(((await p.update()) as MappingsDelta).add.map((r) => r.iova)).toEqual(['0x4000']);
    await session.closeGroup(3);
    const released = (await p.update()) as MappingsDelta;
    expect(released).toMatchObject({ total: 0, add: [], change: [], remove: ['0x4000'] });
    expect(await p.update()).toBeNull();
    expect(p.snapshot()).toEqual({ container, total: 0, rows: [] });
  });
});
