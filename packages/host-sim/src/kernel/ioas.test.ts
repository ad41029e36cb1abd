import { describe, expect, it } from 'vitest';
import { VfioError } from '@vfioscope/host';
import { IOMMU_IOAS_MAP_FIXED_IOVA as FIXED, IOMMU_IOAS_MAP_READABLE as R, IOMMU_IOAS_MAP_WRITEABLE as W } from '@vfioscope/uapi';
import { ProcessAddressSpace } from './address-space.ts';
import { simErrnoName } from './fail.ts';
import { type IommuDomain, IoPagetable, ioasMap, ioasUnmap } from './ioas.ts';
import { type IommufdAccountMode, PIN_BATCH_PAGES, SimUser } from './pin-accounting.ts';
import { TYPE1_PGSIZE_BITMAP, U64_MAX, VTD_APERTURE } from './type1-rules.ts';

const PAGE = 0x1000n;
const RW = R | W;

function errnoOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof VfioError) return e.errno;
    throw e;
  }
  return 'ok';
}

function setup(opts: { memlock?: number | null; mode?: IommufdAccountMode } = {}) {
  const space = new ProcessAddressSpace(100, opts.memlock === undefined ? null : opts.memlock, 4096);
  const user = new SimUser();
  const account = { space, user, mode: opts.mode ?? 'user' };
  const iopt = new IoPagetable();
  const buf = space.mmap(64n * PAGE);
  const map = (iova: bigint, size: bigint, flags = FIXED | RW, vaddr = buf.vaddr) =>
    ioasMap(() => iopt, { iova, size, vaddr, flags }, account, {});
  const unmap = (iova: bigint, size: bigint) => ioasUnmap(() => iopt, iova, size, {});
  const domain: IommuDomain = { pgsizeBitmap: TYPE1_PGSIZE_BITMAP, aperture: { ...VTD_APERTURE } };
  const msi = {};
  /** what an attach does to the table: the device's MSI window, then the domain */
  const attach = () => {
    iopt.reserve(0xfee0_0000n, 0xfeef_ffffn, msi, 'attach', {});
    iopt.addDomain(domain, 'attach', {});
  };
  return { space, user, iopt, buf, map, unmap, attach, domain, msi };
}

describe('IOMMU_IOAS_MAP checks, in the kernel order', () => {
  it('unknown flag EOPNOTSUPP, iova or length of 2^64-1 EOVERFLOW, no R/W EINVAL, then the IOAS (ENOENT)', () => {
    const { map, buf, space, user } = setup();
    expect(errnoOf(() => map(0n, PAGE, FIXED | RW | (1 << 3)))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => map(U64_MAX, PAGE))).toBe('EOVERFLOW');
    expect(errnoOf(() => map(0n, U64_MAX))).toBe('EOVERFLOW');
    expect(errnoOf(() => map(0n, PAGE, FIXED))).toBe('EINVAL');
    const gone = () => {
      throw new VfioError('ENOENT', 'IOMMU_IOAS_MAP', 'no IOAS');
    };
    const acct = { space, user, mode: 'user' as const };
    expect(errnoOf(() => ioasMap(gone, { iova: 0n, size: PAGE, vaddr: buf.vaddr, flags: FIXED | RW | 8 }, acct, {}))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => ioasMap(gone, { iova: 0n, size: PAGE, vaddr: buf.vaddr, flags: FIXED | RW }, acct, {}))).toBe('ENOENT');
  });

  it('size 0 EINVAL; a range wrapping past 2^64 EOVERFLOW; overlap EEXIST', () => {
    const { map, attach } = setup();
    attach();
    expect(errnoOf(() => map(0x10000n, 0n))).toBe('EINVAL');
    expect(errnoOf(() => map(U64_MAX - PAGE + 1n, 2n * PAGE))).toBe('EOVERFLOW');
    map(0x10000n, 2n * PAGE);
    expect(errnoOf(() => map(0x11000n, 2n * PAGE))).toBe('EEXIST');
    expect(errnoOf(() => map(0xf000n, 2n * PAGE))).toBe('EEXIST');
  });
});

describe('an IOAS without a domain (no device attached)', () => {
  it('is the whole 64-bit space at byte granularity, and pins nothing', () => {
    const { iopt, map, space, user, buf } = setup({ memlock: 4096 });
    expect(iopt.allowedRanges()).toEqual([{ start: 0n, end: U64_MAX }]);
    expect(iopt.iovaAlignment).toBe(1n);
    map(0x800n, 0x100n, FIXED | RW, buf.vaddr + 0x10n);
    // the MSI window and far past any aperture: nothing reserved yet; 16 pages under a 1-page limit
    map(0xfee0_0000n, 16n * PAGE);
    map(1n << 60n, PAGE, FIXED | R, 0x1000n);
    expect([space.lockedPages, space.pinnedPages, user.lockedPages]).toEqual([0, 0, 0]);
  });

  it('refuses a device whose domain cannot hold what is mapped: EADDRINUSE', () => {
    const unaligned = setup();
    unaligned.map(0x800n, PAGE);
    expect(errnoOf(unaligned.attach)).toBe(simErrnoName('EADDRINUSE'));
    const inMsi = setup();
    inMsi.map(0xfee0_1000n, PAGE);
    expect(errnoOf(inMsi.attach)).toBe(simErrnoName('EADDRINUSE'));
    const outside = setup();
    outside.map(1n << 39n, PAGE);
    expect(errnoOf(outside.attach)).toBe(simErrnoName('EADDRINUSE'));
    // the failed domain left no aperture reserved (the device's own window is the attach's to undo)
    outside.iopt.removeReserved(outside.msi);
    expect(outside.iopt.allowedRanges()).toEqual([{ start: 0n, end: U64_MAX }]);
  });

  it('pins every mapping when the first domain arrives (EFAULT for memory that is not there) and unpins when the last leaves', () => {
    const { iopt, map, attach, domain, msi, space, user } = setup();
    map(0x10000n, 4n * PAGE);
    map(0x20000n, PAGE, FIXED | R, 0n);
    expect(errnoOf(attach)).toBe('EFAULT');
    iopt.removeReserved(msi);
    expect([space.pinnedPages, user.lockedPages]).toEqual([0, 0]);
    expect(iopt.unmapRange(0x20000n, 0x20fffn, 'unmap', {})).toBe(PAGE);
    attach();
    expect([space.pinnedPages, user.lockedPages, space.lockedPages]).toEqual([4, 4, 0]);
    expect(iopt.allowedRanges()).toEqual([
      { start: 0n, end: 0xfedf_ffffn },
      { start: 0xfef0_0000n, end: (1n << 39n) - 1n },
    ]);
    expect(iopt.iovaAlignment).toBe(PAGE);
    iopt.removeDomain(domain);
    iopt.removeReserved(msi);
    expect([space.pinnedPages, user.lockedPages]).toEqual([0, 0]);
    expect(iopt.allowedRanges()).toEqual([{ start: 0n, end: U64_MAX }]);
    expect(iopt.iovaAlignment).toBe(1n);
  });
});

describe('an IOAS with a device attached', () => {
  it('MSI window, beyond the aperture, unaligned iova, size or vaddr: EINVAL; vaddr 0: EFAULT', () => {
    const { map, attach, buf } = setup();
    attach();
    expect(errnoOf(() => map(0xfee0_0000n, PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(0xfedf_f000n, 2n * PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(1n << 39n, PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(0x10800n, PAGE))).toBe('EINVAL');
    expect(errnoOf(() => map(0x10000n, PAGE + 0x800n))).toBe('EINVAL');
    expect(errnoOf(() => map(0x10000n, PAGE, FIXED | RW, buf.vaddr + 0x800n))).toBe('EINVAL');
    expect(errnoOf(() => map(0x10000n, PAGE, FIXED | RW, 0n))).toBe('EFAULT');
    map(0xfedf_f000n, PAGE);
    map(0xfef0_0000n, PAGE);
    map((1n << 39n) - PAGE, PAGE);
  });

  it('has no mapping-count limit', () => {
    const { map, attach, iopt } = setup();
    attach();
    for (let i = 0n; i < 2049n; i++) map(0x100000n + i * PAGE, PAGE, FIXED | RW);
    expect(iopt.areas.size).toBe(2049);
  });

  it("charges the user (and VmPin) in 'user' mode, VmLck (and VmPin) in 'mm' mode; ENOMEM at RLIMIT_MEMLOCK", () => {
    const user = setup({ memlock: 8 * 4096 });
    user.attach();
    user.map(0n, 6n * PAGE);
    expect([user.user.lockedPages, user.space.pinnedPages, user.space.lockedPages]).toEqual([6, 6, 0]);
    expect(errnoOf(() => user.map(0x100000n, 3n * PAGE))).toBe('ENOMEM');
    user.map(0x100000n, 2n * PAGE);
    expect(user.unmap(0n, 6n * PAGE)).toBe(6n * PAGE);
    expect([user.user.lockedPages, user.space.pinnedPages]).toEqual([2, 2]);

    const mm = setup({ memlock: 8 * 4096, mode: 'mm' });
    mm.attach();
    mm.map(0n, 8n * PAGE);
    expect([mm.user.lockedPages, mm.space.pinnedPages, mm.space.lockedPages]).toEqual([0, 8, 8]);
    expect(errnoOf(() => mm.map(0x100000n, PAGE))).toBe('ENOMEM');
  });

  it('pins a batch before charging it: a hole inside the failing batch is EFAULT, a hole after it ENOMEM', () => {
    const big = BigInt(PIN_BATCH_PAGES) * 2n * PAGE;
    const hole = setup({ memlock: 10 * 4096 });
    const buf = hole.space.mmap(16n * PAGE);
    hole.attach();
    // 16 mapped pages then the guard gap, limit 10: both fail in the first batch, the hole wins
    expect(errnoOf(() => hole.map(0n, 32n * PAGE, FIXED | RW, buf.vaddr))).toBe('EFAULT');
    const late = setup({ memlock: 10 * 4096 });
    const large = late.space.mmap(big);
    late.attach();
    // the limit fails in batch 0, the buffer's end only in batch 2
    expect(errnoOf(() => late.map(0n, big + PAGE, FIXED | RW, large.vaddr))).toBe('ENOMEM');
  });
});

describe('IOMMU_IOAS_UNMAP', () => {
  it('never bisects: an edge inside a mapping is ENOENT and leaves it mapped', () => {
    const { map, unmap, attach, iopt } = setup();
    attach();
    map(0x10000n, 2n * PAGE);
    expect(errnoOf(() => unmap(0x10000n, PAGE))).toBe('ENOENT');
    expect(errnoOf(() => unmap(0x11000n, PAGE))).toBe('ENOENT');
    expect(errnoOf(() => unmap(0x10800n, PAGE))).toBe('ENOENT');
    expect(iopt.areas.size).toBe(1);
    expect(unmap(0x10000n, 2n * PAGE)).toBe(2n * PAGE);
  });

  it('a range with nothing mapped is ENOENT; unaligned too', () => {
    const { unmap, attach } = setup();
    attach();
    expect(errnoOf(() => unmap(0x10000n, 16n * PAGE))).toBe('ENOENT');
    expect(errnoOf(() => unmap(0x10800n, PAGE))).toBe('ENOENT');
  });

  it('takes whole mappings in IOVA order: one crossing the far edge stops it after the ones before are gone', () => {
    const { map, unmap, attach, iopt } = setup();
    attach();
    map(0x10000n, PAGE);
    map(0x12000n, 2n * PAGE, FIXED | RW);
    expect(unmap(0x10000n, 4n * PAGE)).toBe(3n * PAGE);
    map(0x10000n, PAGE);
    map(0x12000n, 2n * PAGE, FIXED | RW);
    expect(errnoOf(() => unmap(0x10000n, 3n * PAGE))).toBe('ENOENT');
    expect(iopt.areas.all().map((a) => a.iova)).toEqual([0x12000n]);
  });

  it('(0, 2^64-1) unmaps everything and succeeds on an empty IOAS; length 0 EINVAL; wrap EOVERFLOW', () => {
    const { map, unmap, attach, space } = setup();
    expect(unmap(0n, U64_MAX)).toBe(0n);
    attach();
    map(0x10000n, PAGE);
    map(0x1_0000_0000n, 3n * PAGE);
    expect(space.pinnedPages).toBe(4);
    expect(unmap(0n, U64_MAX)).toBe(4n * PAGE);
    expect(space.pinnedPages).toBe(0);
    expect(errnoOf(() => unmap(0x10000n, 0n))).toBe('EINVAL');
    expect(errnoOf(() => unmap(U64_MAX - PAGE + 1n, 2n * PAGE))).toBe('EOVERFLOW');
    expect(errnoOf(() => unmap(U64_MAX, PAGE))).toBe('EOVERFLOW');
  });
});

describe('the compat container’s TYPE1 (v1) emulation', () => {
  it('cuts areas at page boundaries once large pages are disabled, keeping their pins split', () => {
    const { iopt, map, attach, space } = setup();
    iopt.setDisableLargePages('VFIO_SET_IOMMU', {});
    expect(iopt.iovaAlignment).toBe(PAGE);
    attach();
    map(0x10000n, 4n * PAGE);
    iopt.cut([0x11fffn, 0x10fffn], 'unmap', {});
    expect(iopt.areas.all().map((a) => [a.iova, a.size, a.pages])).toEqual([
      [0x10000n, PAGE, 1],
      [0x11000n, PAGE, 1],
      [0x12000n, 2n * PAGE, 2],
    ]);
    expect(iopt.unmapRange(0x11000n, 0x11fffn, 'unmap', {})).toBe(PAGE);
    expect(space.pinnedPages).toBe(3);
    expect(errnoOf(() => iopt.cut([0x127ffn], 'unmap', {}))).toBe('EINVAL');
  });

  it('cannot be turned on once a domain holds pages', () => {
    const { iopt, map, attach } = setup();
    attach();
    map(0x10000n, PAGE);
    expect(errnoOf(() => iopt.setDisableLargePages('VFIO_SET_IOMMU', {}))).toBe('EINVAL');
  });
});
