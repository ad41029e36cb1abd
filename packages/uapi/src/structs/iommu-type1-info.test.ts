import { describe, expect, it } from 'vitest';
import {
  VFIO_IOMMU_INFO_CAPS,
  VFIO_IOMMU_INFO_PGSIZES,
  VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
  VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
  VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
} from '../constants-iommu.ts';
import { decodeIommuType1Info, encodeIommuType1InfoReply, encodeIommuType1InfoRequest } from './iommu-type1-info.ts';

const X86_RANGES = [
  { start: 0n, end: 0xfedfffffn },
  { start: 0xfef00000n, end: 0xffffffffffffn },
];

describe('vfio_iommu_type1_info', () => {
  it('the request is 24 zeroed bytes with argsz', () => {
    const bytes = encodeIommuType1InfoRequest();
    expect([...bytes]).toEqual([24, ...new Array(23).fill(0)]);
  });

  it('decodes a hand-built reply: IOVA ranges then DMA avail', () => {
    // fixed 24 | iova cap at 24: 16 + 2*16 = 48 | dma avail at 72: 12 (padded 16) = 88
    const bytes = new Uint8Array(88);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, 88, true);
    v.setUint32(4, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, true);
    v.setBigUint64(8, 0x40201000n, true);
    v.setUint32(16, 24, true);
    v.setUint16(24, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, true);
    v.setUint16(26, 1, true);
    v.setUint32(28, 72, true);
    v.setUint32(32, 2, true);
    v.setBigUint64(40, 0n, true);
    v.setBigUint64(48, 0xfedfffffn, true);
    v.setBigUint64(56, 0xfef00000n, true);
    v.setBigUint64(64, 0xffffffffffffn, true);
    v.setUint16(72, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, true);
    v.setUint16(74, 1, true);
    v.setUint32(80, 65535, true);

    const d = decodeIommuType1Info(bytes);
    expect(d.iova_pgsizes).toBe(0x40201000n);
    expect(d.iova_ranges).toEqual(X86_RANGES);
    expect(d.dma_avail).toBe(65535);
    expect(d.migration).toBeNull();
    expect(d.caps.map((c) => c.id)).toEqual([VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL]);
  });

  it('a reply to a 24-byte buffer reports the argsz the chain needs, without the chain', () => {
    const reply = { iova_pgsizes: 0x1000n, iova_ranges: X86_RANGES, dma_avail: 100 };
    const small = decodeIommuType1Info(encodeIommuType1InfoReply(reply, 24));
    expect(small).toMatchObject({ argsz: 88, truncated: true, cap_offset: 0, iova_ranges: null, dma_avail: null });
    expect(small.flags & VFIO_IOMMU_INFO_CAPS).toBe(VFIO_IOMMU_INFO_CAPS);

    const retried = decodeIommuType1Info(encodeIommuType1InfoReply(reply, small.argsz));
    expect(retried).toMatchObject({ argsz: 88, truncated: false, cap_offset: 24, iova_ranges: X86_RANGES, dma_avail: 100 });
  });

  it('round-trips the migration capability', () => {
    const migration = { flags: 0, pgsize_bitmap: 0x1000n, max_dirty_bitmap_size: 256n * 1024n * 1024n };
    const d = decodeIommuType1Info(encodeIommuType1InfoReply({ iova_pgsizes: 0x1000n, migration, dma_avail: 7 }, 128));
    expect(d.caps.map((c) => [c.id, c.offset])).toEqual([
      [VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 24],
      [VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 56],
    ]);
    expect(d.migration).toEqual(migration);
    expect(d.dma_avail).toBe(7);
  });

  it('without capabilities sets only PGSIZES', () => {
    const d = decodeIommuType1Info(encodeIommuType1InfoReply({ iova_pgsizes: 0x1000n }, 24));
    expect(d).toMatchObject({ argsz: 24, flags: VFIO_IOMMU_INFO_PGSIZES, truncated: false, caps: [] });
  });
});
