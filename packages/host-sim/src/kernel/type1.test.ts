import { describe, expect, it } from 'vitest';
import { VfioError } from '@vfioscope/host';
import {
  VFIO_DMA_MAP_FLAG_READ as R,
  VFIO_DMA_MAP_FLAG_WRITE as W,
  VFIO_DMA_UNMAP_FLAG_ALL,
  VFIO_DMA_UNMAP_FLAG_VADDR,
  VFIO_DMA_MAP_FLAG_VADDR,
  VFIO_TYPE1_IOMMU,
  VFIO_TYPE1v2_IOMMU,
} from '@vfioscope/uapi';
import { ProcessAddressSpace } from './address-space.ts';
import { Type1Iommu } from './type1.ts';

const PAGE = 0x1000n;
const ctx = { container: 1 };

function errnoOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof VfioError) return e.errno;
    throw e;
  }
  return 'ok';
}

function setup(opts: { limit?: number; memlock?: number | null; type?: number } = {}) {
  const space = new ProcessAddressSpace(100, opts.memlock === undefined ? null : opts.memlock, 4096);
  const iommu = new Type1Iommu(opts.type ?? VFIO_TYPE1v2_IOMMU, opts.limit ?? 65535);
  const buf = space.mmap(64n * PAGE);
  const map = (iova: bigint, size: bigint, flags = R | W, vaddr = buf.vaddr) => iommu.map({ iova, size, vaddr, flags }, space, ctx);
  return { space, iommu, buf, map };
}

describe('type1 MAP_DMA', () => {
  it('checks flags, alignment and wrap before anything else', () => {
    const { map, buf } = setup();
    expect(errnoOf(() => map(0n, PAGE, 0))).toBe('EINVAL');
    expect(errnoOf(() => map(0n, PAGE, 1 << 7))).toBe('EINVAL');
    expect(errnoOf(() => map(0n, 0n))).toBe('EINVAL');
    expect(errnoOf(() => map(0x800n, PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(0n, PAGE, R, buf.vaddr + 8n))).toBe('EINVAL');
    expect(errnoOf(() => map((1n << 64n) - PAGE, 2n * PAGE))).toBe('EINVAL');
  });

  it('answers EEXIST for overlap before ENOSPC and the IOVA range check', () => {
    const { map, iommu } = setup({ limit: 1 });
    map(0x10000n, 2n * PAGE);
    expect(iommu.dmaAvail).toBe(0);
    expect(errnoOf(() => map(0x11000n, 2n * PAGE))).toBe('EEXIST');
    expect(errnoOf(() => map(0xfee00000n, PAGE))).toBe('ENOSPC');
  });

  it('refuses the MSI window and the space past the aperture', () => {
    const { map } = setup();
    expect(errnoOf(() => map(0xfedff000n, 2n * PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(0xfef00000n - PAGE, PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(1n << 39n, PAGE))).toBe('EINVAL');
    map(0xfedff000n, PAGE);
    map(0xfef00000n, PAGE);
  });

  it('pins page by page: EFAULT past the buffer, ENOMEM past RLIMIT_MEMLOCK, released by unmap', () => {
    const { map, space, iommu, buf } = setup({ memlock: 8 * 4096 });
    expect(errnoOf(() => map(0n, PAGE, R, 0x1000n))).toBe('EFAULT');
    // 64-page buffer, 8-page limit: the 9th page hits the limit first
    expect(errnoOf(() => map(0n, 16n * PAGE))).toBe('ENOMEM');
    // mapping runs past the buffer's end before the limit: EFAULT
    expect(errnoOf(() => map(0n, 4n * PAGE, R, buf.vaddr + 62n * PAGE))).toBe('EFAULT');
    map(0n, 6n * PAGE);
    expect(space.lockedPages).toBe(6);
    expect(errnoOf(() => map(0x100000n, 3n * PAGE))).toBe('ENOMEM');
    expect(iommu.unmap({ iova: 0n, size: 6n * PAGE, flags: 0 }, ctx)).toBe(6n * PAGE);
    expect(space.lockedPages).toBe(0);
    expect(iommu.dmaAvail).toBe(65535);
  });

  it('keeps pinned pages after the user munmaps the buffer', async () => {
    const { map, iommu, buf } = setup();
    await buf.write(0n, new Uint8Array([1, 2, 3]));
    map(0x2000n, PAGE);
    await buf.free();
    const [chunk] = iommu.translate(0x2000n, 3, false);
    expect([...chunk!.backing.read(chunk!.offset, 3)]).toEqual([1, 2, 3]);
  });
});

describe('type1 UNMAP_DMA', () => {
  it('v2: refuses to bisect, returns 0 for an empty range, spans several mappings', () => {
    const { map, iommu } = setup();
    map(0x10000n, 4n * PAGE);
    map(0x20000n, PAGE);
    expect(errnoOf(() => iommu.unmap({ iova: 0x11000n, size: PAGE, flags: 0 }, ctx))).toBe('EINVAL');
    expect(errnoOf(() => iommu.unmap({ iova: 0x10000n, size: PAGE, flags: 0 }, ctx))).toBe('EINVAL');
    expect(iommu.unmap({ iova: 0x40000n, size: PAGE, flags: 0 }, ctx)).toBe(0n);
    expect(iommu.unmap({ iova: 0n, size: 0x100000n, flags: 0 }, ctx)).toBe(5n * PAGE);
  });

  it('UNMAP_ALL needs iova and size 0', () => {
    const { map, iommu } = setup();
    map(0x10000n, PAGE);
    map(0x30000n, PAGE);
    expect(errnoOf(() => iommu.unmap({ iova: 0x10000n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }, ctx))).toBe('EINVAL');
    expect(errnoOf(() => iommu.unmap({ iova: 0n, size: PAGE, flags: VFIO_DMA_UNMAP_FLAG_ALL }, ctx))).toBe('EINVAL');
    expect(iommu.unmap({ iova: 0n, size: 0n, flags: VFIO_DMA_UNMAP_FLAG_ALL }, ctx)).toBe(2n * PAGE);
    expect(iommu.table.size).toBe(0);
  });

  it('v1: a range starting inside a mapping unmaps nothing from there', () => {
    const { map, iommu } = setup({ type: VFIO_TYPE1_IOMMU });
    map(0x10000n, 4n * PAGE);
    expect(iommu.unmap({ iova: 0x11000n, size: PAGE, flags: 0 }, ctx)).toBe(0n);
    expect(iommu.unmap({ iova: 0x10000n, size: PAGE, flags: 0 }, ctx)).toBe(4n * PAGE);
  });

  it('VADDR invalidates and a matching MAP_FLAG_VADDR restores', () => {
    const { map, iommu, buf } = setup();
    map(0x10000n, PAGE);
    expect(iommu.unmap({ iova: 0x10000n, size: PAGE, flags: VFIO_DMA_UNMAP_FLAG_VADDR }, ctx)).toBe(PAGE);
    expect(iommu.hasInvalidVaddr).toBe(true);
    expect(errnoOf(() => map(0x10000n, PAGE, VFIO_DMA_MAP_FLAG_VADDR | R))).toBe('EINVAL');
    map(0x10000n, PAGE, VFIO_DMA_MAP_FLAG_VADDR, buf.vaddr + PAGE);
    expect(iommu.table.get(0x10000n)?.vaddr).toBe(buf.vaddr + PAGE);
    expect(iommu.hasInvalidVaddr).toBe(false);
  });
});

describe('type1 device DMA translation', () => {
  it('honours READ/WRITE from the device side and faults on holes', () => {
    const { map, iommu } = setup();
    map(0x10000n, PAGE, R);
    map(0x11000n, PAGE, R | W);
    expect(iommu.translate(0x10ff0n, 0x20, false).map((c) => c.n)).toEqual([0x10, 0x10]);
    expect(errnoOf(() => iommu.translate(0x10000n, 4, true))).toBe('EFAULT');
    expect(errnoOf(() => iommu.translate(0x11ff0n, 0x20, false))).toBe('EFAULT');
  });
});
