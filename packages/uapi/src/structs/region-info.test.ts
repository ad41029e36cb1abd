import { describe, expect, it } from 'vitest';
import {
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
  VFIO_REGION_INFO_CAP_SPARSE_MMAP,
  VFIO_REGION_INFO_CAP_TYPE,
  VFIO_REGION_INFO_FLAG_CAPS,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from '../constants.ts';
import { decodeRegionInfo, encodeRegionInfo } from './region-info.ts';

describe('vfio_region_info', () => {
  it('round-trips the fixed part with u64 size and offset', () => {
    const info = {
      index: VFIO_PCI_CONFIG_REGION_INDEX,
      flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
      size: 4096n,
      offset: 0x70000000000n,
    };
    const decoded = decodeRegionInfo(encodeRegionInfo(info));
    expect(decoded).toEqual({
      ...info,
      argsz: 32,
      truncated: false,
      cap_offset: 0,
      caps: [],
      sparse_mmap: null,
      region_type: null,
    });
  });

  it('decodes a hand-built chain: sparse mmap, MSI-X mappable, device type', () => {
    // fixed 32 | sparse mmap at 32: header, nr_areas 2, 2 areas (48 bytes)
    // | msix mappable at 80 (8) | type at 88 (16) = 104
    const bytes = new Uint8Array(104);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, 104, true);
    v.setUint32(4, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS, true);
    v.setUint32(12, 32, true);
    v.setBigUint64(16, 0x4000n, true);
    v.setUint16(32, VFIO_REGION_INFO_CAP_SPARSE_MMAP, true);
    v.setUint16(34, 1, true);
    v.setUint32(36, 80, true);
    v.setUint32(40, 2, true);
    v.setBigUint64(48, 0n, true);
    v.setBigUint64(56, 0x1000n, true);
    v.setBigUint64(64, 0x3000n, true);
    v.setBigUint64(72, 0x1000n, true);
    v.setUint16(80, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, true);
    v.setUint16(82, 1, true);
    v.setUint32(84, 88, true);
    v.setUint16(88, VFIO_REGION_INFO_CAP_TYPE, true);
    v.setUint16(90, 1, true);
    v.setUint32(96, 0x80008086, true);
    v.setUint32(100, 1, true);

    const d = decodeRegionInfo(bytes);
    expect(d.caps.map((c) => [c.id, c.offset])).toEqual([
      [VFIO_REGION_INFO_CAP_SPARSE_MMAP, 32],
      [VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 80],
      [VFIO_REGION_INFO_CAP_TYPE, 88],
    ]);
    expect(d.sparse_mmap).toEqual([
      { offset: 0n, size: 0x1000n },
      { offset: 0x3000n, size: 0x1000n },
    ]);
    expect(d.region_type).toEqual({ type: 0x80008086, subtype: 1 });
    expect(d.size).toBe(0x4000n);
  });

  it('with FLAG_CAPS but a too-small buffer: argsz grows, cap_offset 0, no chain', () => {
    const bytes = encodeRegionInfo({ index: 0 });
    const v = new DataView(bytes.buffer);
    v.setUint32(0, 104, true);
    v.setUint32(4, VFIO_REGION_INFO_FLAG_CAPS, true);
    const d = decodeRegionInfo(bytes);
    expect(d).toMatchObject({ argsz: 104, truncated: true, cap_offset: 0, caps: [], sparse_mmap: null });
  });

  it('sizes the request buffer by argsz', () => {
    const bytes = encodeRegionInfo({ index: 2, argsz: 128 });
    expect(bytes.byteLength).toBe(128);
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(128);
  });
});
