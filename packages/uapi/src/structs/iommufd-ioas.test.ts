import { describe, expect, it } from 'vitest';
import { IOMMU_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_WRITEABLE } from '../constants-iommufd.ts';
import {
  decodeIoasAlloc,
  decodeIoasAllowIovas,
  decodeIoasCopy,
  decodeIoasIovaRanges,
  decodeIoasMap,
  decodeIoasUnmap,
  decodeIommuDestroy,
  decodeIovaRanges,
  encodeIoasAlloc,
  encodeIoasAllowIovas,
  encodeIoasCopy,
  encodeIoasIovaRanges,
  encodeIoasMap,
  encodeIoasUnmap,
  encodeIommuDestroy,
  encodeIovaRanges,
} from './iommufd-ioas.ts';

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const RW = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

describe('iommu_destroy', () => {
  it('is size then id, 8 bytes', () => {
    expect([...encodeIommuDestroy({ id: 3 })]).toEqual([8, 0, 0, 0, 3, 0, 0, 0]);
    expect(decodeIommuDestroy(encodeIommuDestroy({ id: 0xfffffffe }))).toEqual({ size: 8, id: 0xfffffffe });
  });
});

describe('iommu_ioas_alloc', () => {
  it('asks with flags 0 and reads back the id the kernel wrote at offset 8', () => {
    const bytes = encodeIoasAlloc();
    expect(bytes.byteLength).toBe(12);
    expect(decodeIoasAlloc(bytes)).toEqual({ size: 12, flags: 0, out_ioas_id: 0 });
    view(bytes).setUint32(8, 2, true);
    expect(decodeIoasAlloc(bytes).out_ioas_id).toBe(2);
  });

  it('a larger size keeps the extra bytes zero (E2BIG otherwise), a smaller one is refused', () => {
    const bytes = encodeIoasAlloc({ size: 16 });
    expect(bytes.byteLength).toBe(16);
    expect(view(bytes).getUint32(0, true)).toBe(16);
    expect(view(bytes).getUint32(12, true)).toBe(0);
    expect(() => encodeIoasAlloc({ size: 8 })).toThrow(/smaller than sizeof 12/);
  });
});

describe('iommu_ioas_iova_ranges', () => {
  it('carries the caller-provided array address as a u64 at offset 16', () => {
    const req = { ioas_id: 2, num_iovas: 4, allowed_iovas: 0x7f00_dead_b000n };
    const bytes = encodeIoasIovaRanges(req);
    expect(bytes.byteLength).toBe(32);
    const v = view(bytes);
    expect(v.getUint32(4, true)).toBe(2);
    expect(v.getUint32(8, true)).toBe(4);
    expect(v.getUint32(12, true)).toBe(0); // __reserved
    expect(v.getBigUint64(16, true)).toBe(0x7f00_dead_b000n);
    expect(decodeIoasIovaRanges(bytes)).toEqual({ size: 32, ...req, out_iova_alignment: 0n });
  });

  it('reads back num_iovas and out_iova_alignment as the kernel writes them (EMSGSIZE: count only)', () => {
    const bytes = encodeIoasIovaRanges({ ioas_id: 1, num_iovas: 0, allowed_iovas: 0n });
    const v = view(bytes);
    v.setUint32(8, 2, true);
    v.setBigUint64(24, 4096n, true);
    expect(decodeIoasIovaRanges(bytes)).toMatchObject({ num_iovas: 2, out_iova_alignment: 4096n });
  });

  it('the array it points at: inclusive ranges, 16 bytes each', () => {
    // a fresh IOAS spans everything; attaching a VT-d device punches the MSI window out
    const ranges = [
      { start: 0n, last: 0xfedf_ffffn },
      { start: 0xfef0_0000n, last: 0xffff_ffff_ffff_ffffn },
    ];
    const bytes = encodeIovaRanges(ranges);
    expect(bytes.byteLength).toBe(32);
    expect(view(bytes).getBigUint64(24, true)).toBe(0xffff_ffff_ffff_ffffn);
    expect(decodeIovaRanges(bytes, 2)).toEqual(ranges);
    expect(decodeIovaRanges(bytes, 1)).toEqual([ranges[0]]);
    expect(() => decodeIovaRanges(bytes, 3)).toThrow(RangeError);
  });

  it('decodes ranges out of a window of a larger buffer (a view over mapped memory)', () => {
    const page = new Uint8Array(64);
    page.set(encodeIovaRanges([{ start: 0x1000n, last: 0x1fffn }]), 16);
    expect(decodeIovaRanges(page.subarray(16), 1)).toEqual([{ start: 0x1000n, last: 0x1fffn }]);
  });
});

describe('iommu_ioas_allow_iovas', () => {
  it('round-trips, 24 bytes with the pointer at 16', () => {
    const req = { ioas_id: 5, num_iovas: 1, allowed_iovas: 0x5555_0000n };
    const bytes = encodeIoasAllowIovas(req);
    expect(bytes.byteLength).toBe(24);
    expect(view(bytes).getBigUint64(16, true)).toBe(0x5555_0000n);
    expect(decodeIoasAllowIovas(bytes)).toEqual({ size: 24, ...req });
  });
});

describe('iommu_ioas_map', () => {
  it('round-trips a fixed-IOVA map with 64-bit user_va, length and iova', () => {
    const map = {
      flags: IOMMU_IOAS_MAP_FIXED_IOVA | RW,
      ioas_id: 2,
      user_va: 0x7f12_3456_0000n,
      length: 0x20_0000n,
      iova: 0xffff_ffff_f000n,
    };
    const bytes = encodeIoasMap(map);
    expect(bytes.byteLength).toBe(40);
    const v = view(bytes);
    expect(v.getUint32(4, true)).toBe(7);
    expect(v.getUint32(8, true)).toBe(2);
    expect(v.getBigUint64(16, true)).toBe(map.user_va);
    expect(v.getBigUint64(24, true)).toBe(map.length);
    expect(v.getBigUint64(32, true)).toBe(map.iova);
    expect(decodeIoasMap(bytes)).toEqual({ size: 40, ...map });
  });

  it('without FIXED_IOVA the iova is 0 in and the kernel’s choice out', () => {
    const bytes = encodeIoasMap({ flags: RW, ioas_id: 2, user_va: 0x7000_0000n, length: 4096n });
    expect(decodeIoasMap(bytes).iova).toBe(0n);
    view(bytes).setBigUint64(32, 0x10_0000n, true);
    expect(decodeIoasMap(bytes).iova).toBe(0x10_0000n);
  });
});

describe('iommu_ioas_copy', () => {
  it('round-trips, ids at 8 and 12, then length, dst_iova, src_iova', () => {
    const copy = {
      flags: IOMMU_IOAS_MAP_FIXED_IOVA | RW,
      dst_ioas_id: 3,
      src_ioas_id: 2,
      length: 0x1000n,
      dst_iova: 0x8000n,
      src_iova: 0x4000n,
    };
    const bytes = encodeIoasCopy(copy);
    expect(bytes.byteLength).toBe(40);
    const v = view(bytes);
    expect([v.getUint32(8, true), v.getUint32(12, true)]).toEqual([3, 2]);
    expect([v.getBigUint64(16, true), v.getBigUint64(24, true), v.getBigUint64(32, true)]).toEqual([0x1000n, 0x8000n, 0x4000n]);
    expect(decodeIoasCopy(bytes)).toEqual({ size: 40, ...copy });
  });
});

describe('iommu_ioas_unmap', () => {
  it('round-trips the unmap-everything request (iova 0, length U64_MAX)', () => {
    const unmap = { ioas_id: 2, iova: 0n, length: 0xffff_ffff_ffff_ffffn };
    const bytes = encodeIoasUnmap(unmap);
    expect(bytes.byteLength).toBe(24);
    expect(view(bytes).getBigUint64(16, true)).toBe(unmap.length);
    expect(decodeIoasUnmap(bytes)).toEqual({ size: 24, ...unmap });
  });

  it('reads back the bytes unmapped that the kernel wrote into length', () => {
    const bytes = encodeIoasUnmap({ ioas_id: 2, iova: 0x10000n, length: 0x4000n });
    view(bytes).setBigUint64(16, 0x2000n, true);
    expect(decodeIoasUnmap(bytes).length).toBe(0x2000n);
  });

  it('refuses a buffer shorter than the struct', () => {
    expect(() => decodeIoasUnmap(new Uint8Array(16))).toThrow(/iommu_ioas_unmap: buffer of 16 bytes is shorter than 24/);
  });
});
