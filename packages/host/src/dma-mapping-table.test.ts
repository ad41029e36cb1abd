import { describe, expect, it } from 'vitest';
import { DmaMappingTable, type DmaMapping } from './dma-mapping-table.ts';

const PAGE = 0x1000n;

function mapping(iova: bigint, size: bigint, data?: string): DmaMapping<string> {
  return { iova, size, vaddr: 0x7f00_0000_0000n + iova, flags: 3, pages: Number(size / PAGE), ...(data !== undefined ? { data } : {}) };
}

describe('DmaMappingTable', () => {
  it('keeps mappings in IOVA order and answers point and overlap queries', () => {
    const t = new DmaMappingTable<string>();
    t.insert(mapping(0x3000n, 0x1000n, 'c'));
    t.insert(mapping(0x1000n, 0x2000n, 'a'));
    t.insert(mapping(0x10000n, 0x4000n, 'd'));

    expect(t.all().map((m) => m.data)).toEqual(['a', 'c', 'd']);
    expect(t.size).toBe(3);
    expect(t.totalBytes).toBe(0x7000n);
    expect(t.totalPages).toBe(7);
    expect(t.find(0x2fffn)?.data).toBe('a');
    expect(t.find(0x4000n)).toBeUndefined();
    expect(t.get(0x3000n)?.data).toBe('c');
    expect(t.get(0x3001n)).toBeUndefined();
    expect(t.firstOverlap(0x2000n, 0x10000n)?.data).toBe('a');
    expect(t.overlapping(0x2000n, 0xf000n).map((m) => m.data)).toEqual(['a', 'c', 'd']);
    expect(t.overlapping(0x4000n, 0xc000n)).toEqual([]);
    expect(t.overlapping(0x4000n, 0xc001n).map((m) => m.data)).toEqual(['d']);
  });

  it('refuses an overlapping or empty mapping', () => {
    const t = new DmaMappingTable();
    t.insert(mapping(0x2000n, 0x2000n));
    expect(() => t.insert(mapping(0x3000n, 0x1000n))).toThrow(RangeError);
    expect(() => t.insert(mapping(0x1000n, 0x2000n))).toThrow(/overlaps/);
    expect(() => t.insert(mapping(0x8000n, 0n))).toThrow(RangeError);
    t.insert(mapping(0x1000n, 0x1000n));
    t.insert(mapping(0x4000n, 0x1000n));
    expect(t.size).toBe(3);
  });

  it('removes exact keys, ranges and everything', () => {
    const t = new DmaMappingTable<string>();
    for (let i = 0n; i < 10n; i++) t.insert(mapping(i * 0x2000n, 0x1000n, `m${i}`));
    expect(t.remove(0x2001n)).toBeUndefined();
    expect(t.remove(0x2000n)?.data).toBe('m1');
    expect(t.removeWithin(0x4000n, 0x5000n).map((m) => m.data)).toEqual(['m2', 'm3', 'm4']);
    expect(t.size).toBe(6);
    expect(t.clear().map((m) => m.data)).toEqual(['m0', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(t.size).toBe(0);
    expect(t.totalBytes).toBe(0n);
  });

  it('pages by position and iterates from a key', () => {
    const t = new DmaMappingTable<number>();
    for (let i = 99; i >= 0; i--) t.insert({ ...mapping(BigInt(i) * PAGE, PAGE), data: i });
    expect(t.slice(95, 10).map((m) => m.data)).toEqual([95, 96, 97, 98, 99]);
    expect(t.slice(0, 3).map((m) => m.data)).toEqual([0, 1, 2]);
    expect(t.slice(100, 3)).toEqual([]);
    expect(t.at(42)?.data).toBe(42);
    expect(t.rank(42n * PAGE)).toBe(42);
    expect(t.rank(42n * PAGE + 1n)).toBe(43);
    const from = [];
    for (const m of t.entries(97n * PAGE - 1n)) from.push(m.data);
    expect(from).toEqual([97, 98, 99]);
  });

  it('holds the kernel limit of 65535 entries', () => {
    const t = new DmaMappingTable();
    for (let i = 0; i < 65535; i++) t.insert(mapping(BigInt(i) * 2n * PAGE, PAGE));
    expect(t.size).toBe(65535);
    expect(t.find(2n * PAGE * 40000n + 5n)?.iova).toBe(2n * PAGE * 40000n);
    expect(t.slice(65530, 10)).toHaveLength(5);
  });

  it('agrees with a naive model under random operations', () => {
    // a deterministic LCG so a failure reproduces
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const t = new DmaMappingTable<number>();
    let model: DmaMapping<number>[] = [];
    const modelOverlap = (iova: bigint, size: bigint) =>
      model.filter((m) => m.iova < iova + size && iova < m.iova + m.size).sort((a, b) => (a.iova < b.iova ? -1 : 1));

    for (let step = 0; step < 4000; step++) {
      const iova = BigInt(rand(512)) * PAGE;
      const size = BigInt(1 + rand(8)) * PAGE;
      const op = rand(10);
      if (op < 5) {
        const clash = modelOverlap(iova, size).length > 0;
        const m = { ...mapping(iova, size), data: step };
        if (clash) expect(() => t.insert(m)).toThrow(RangeError);
        else {
          t.insert(m);
          model.push(m);
        }
      } else if (op < 7) {
        const exact = model.find((m) => m.iova === iova);
        expect(t.remove(iova)).toBe(exact);
        model = model.filter((m) => m !== exact);
      } else if (op < 8) {
        const inside = modelOverlap(iova, size * 4n).filter((m) => m.iova >= iova && m.iova + m.size <= iova + size * 4n);
        expect(t.removeWithin(iova, size * 4n)).toEqual(inside);
        model = model.filter((m) => !inside.includes(m));
      } else {
        expect(t.overlapping(iova, size)).toEqual(modelOverlap(iova, size));
        const containing = model.find((m) => m.iova <= iova && iova < m.iova + m.size);
        expect(t.find(iova)).toBe(containing);
      }
      if (step % 97 === 0) {
        const sorted = [...model].sort((a, b) => (a.iova < b.iova ? -1 : 1));
        expect(t.all()).toEqual(sorted);
        expect(t.size).toBe(sorted.length);
        const off = rand(sorted.length + 1);
        expect(t.slice(off, 7)).toEqual(sorted.slice(off, off + 7));
        expect(t.totalBytes).toBe(sorted.reduce((s, m) => s + m.size, 0n));
      }
    }
  });
});

describe('gaps and straddles (for the advice an EEXIST or a partial unmap gets)', () => {
  const m = (iova: number, size: number) => ({ iova: BigInt(iova), size: BigInt(size), vaddr: 0n, flags: 3, pages: size / 4096 });
  const table = () => {
    const t = new DmaMappingTable();
    for (const x of [m(0x10000, 0x2000), m(0x12000, 0x1000), m(0x20000, 0x4000)]) t.insert(x);
    return t;
  };

  it('finds the first free range of a size at or after an address, stepping over mappings in the way', () => {
    const t = table();
    expect(t.firstGap(0x10000n, 0x1000n, 0xffffffffn)).toBe(0x13000n);
    expect(t.firstGap(0x13000n, 0xd000n, 0xffffffffn)).toBe(0x13000n);
    expect(t.firstGap(0x13000n, 0xe000n, 0xffffffffn)).toBe(0x24000n);
    expect(t.firstGap(0x0n, 0x1000n, 0xffffffffn)).toBe(0x0n);
    expect(t.firstGap(0x20000n, 0x1000n, 0x24fffn)).toBe(0x24000n);
    expect(t.firstGap(0x20000n, 0x2000n, 0x24fffn)).toBeUndefined();
  });

  it('names the mappings a range would split', () => {
    const t = table();
    expect(t.straddling(0x11000n, 0x1000n).map((x) => x.iova)).toEqual([0x10000n]);
    expect(t.straddling(0x11000n, 0x10000n).map((x) => x.iova)).toEqual([0x10000n, 0x20000n]);
    expect(t.straddling(0x10000n, 0x3000n)).toEqual([]);
    expect(t.straddling(0x21000n, 0x1000n).map((x) => x.iova)).toEqual([0x20000n]);
    // from a mapping's start to inside it (dma.spec's 8 MiB of a 16 MiB mapping)
    expect(t.straddling(0x20000n, 0x1000n).map((x) => x.iova)).toEqual([0x20000n]);
  });
});
