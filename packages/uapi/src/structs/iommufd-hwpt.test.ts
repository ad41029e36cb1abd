import { describe, expect, it } from 'vitest';
import {
  IOMMU_HW_CAP_DIRTY_TRACKING,
  IOMMU_HW_INFO_TYPE_INTEL_VTD,
  IOMMU_HWPT_ALLOC_NEST_PARENT,
  IOMMU_HWPT_DATA_NONE,
  IOMMU_OPTION_HUGE_PAGES,
  IOMMU_OPTION_OP_GET,
  IOMMU_OPTION_OP_SET,
  IOMMU_OPTION_RLIMIT_MODE,
  IOMMU_VFIO_IOAS_GET,
  IOMMU_VFIO_IOAS_SET,
} from '../constants-iommufd.ts';
import {
  decodeHwInfo,
  decodeHwInfoVtd,
  decodeHwptAlloc,
  decodeIommuOption,
  decodeVfioIoas,
  encodeHwInfo,
  encodeHwInfoVtd,
  encodeHwptAlloc,
  encodeIommuOption,
  encodeVfioIoas,
} from './iommufd-hwpt.ts';

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

describe('iommu_option', () => {
  it('puts the __u16 op at 8, object_id at 12 and val64 at 16', () => {
    const set = { option_id: IOMMU_OPTION_HUGE_PAGES, op: IOMMU_OPTION_OP_SET, object_id: 2, val64: 0n };
    const bytes = encodeIommuOption(set);
    expect(bytes.byteLength).toBe(24);
    const v = view(bytes);
    expect(v.getUint32(4, true)).toBe(IOMMU_OPTION_HUGE_PAGES);
    expect(v.getUint16(8, true)).toBe(IOMMU_OPTION_OP_SET);
    expect(v.getUint16(10, true)).toBe(0); // __reserved
    expect(v.getUint32(12, true)).toBe(2);
    expect(decodeIommuOption(bytes)).toEqual({ size: 24, ...set });
  });

  it('a global GET defaults object_id to 0 and reads back val64', () => {
    const bytes = encodeIommuOption({ option_id: IOMMU_OPTION_RLIMIT_MODE, op: IOMMU_OPTION_OP_GET });
    view(bytes).setBigUint64(16, 1n, true);
    expect(decodeIommuOption(bytes)).toEqual({ size: 24, option_id: 0, op: IOMMU_OPTION_OP_GET, object_id: 0, val64: 1n });
  });
});

describe('iommu_vfio_ioas', () => {
  it('is 12 bytes with the __u16 op at 8', () => {
    const bytes = encodeVfioIoas({ op: IOMMU_VFIO_IOAS_SET, ioas_id: 4 });
    expect([...bytes]).toEqual([12, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0]);
    expect(decodeVfioIoas(bytes)).toEqual({ size: 12, ioas_id: 4, op: IOMMU_VFIO_IOAS_SET });
    expect(decodeVfioIoas(encodeVfioIoas({ op: IOMMU_VFIO_IOAS_GET })).ioas_id).toBe(0);
  });
});

describe('iommu_hwpt_alloc', () => {
  it('a kernel-managed HWPT: data_type NONE, no data, 48 bytes', () => {
    const bytes = encodeHwptAlloc({ dev_id: 1, pt_id: 2 });
    expect(bytes.byteLength).toBe(48);
    expect(decodeHwptAlloc(bytes)).toEqual({
      size: 48,
      flags: 0,
      dev_id: 1,
      pt_id: 2,
      out_hwpt_id: 0,
      data_type: IOMMU_HWPT_DATA_NONE,
      data_len: 0,
      data_uptr: 0n,
      fault_id: 0,
    });
  });

  it('round-trips every field at its offset and reads back out_hwpt_id', () => {
    const alloc = {
      flags: IOMMU_HWPT_ALLOC_NEST_PARENT,
      dev_id: 1,
      pt_id: 2,
      out_hwpt_id: 0,
      data_type: 1,
      data_len: 24,
      data_uptr: 0x7fff_0000_1000n,
      fault_id: 9,
    };
    const bytes = encodeHwptAlloc(alloc);
    const v = view(bytes);
    expect(v.getUint32(28, true)).toBe(24);
    expect(v.getBigUint64(32, true)).toBe(alloc.data_uptr);
    expect(v.getUint32(40, true)).toBe(9);
    v.setUint32(16, 7, true);
    expect(decodeHwptAlloc(bytes)).toEqual({ size: 48, ...alloc, out_hwpt_id: 7 });
  });
});

describe('iommu_hw_info', () => {
  it('asks with a caller buffer and reads type, PASID width (a __u8 at 28) and capabilities', () => {
    const bytes = encodeHwInfo({ dev_id: 1, data_len: 24, data_uptr: 0x7f00_0000_2000n });
    expect(bytes.byteLength).toBe(40);
    const v = view(bytes);
    expect(v.getBigUint64(16, true)).toBe(0x7f00_0000_2000n);
    v.setUint32(24, IOMMU_HW_INFO_TYPE_INTEL_VTD, true);
    v.setUint8(28, 20);
    v.setBigUint64(32, BigInt(IOMMU_HW_CAP_DIRTY_TRACKING), true);
    expect(decodeHwInfo(bytes)).toEqual({
      size: 40,
      flags: 0,
      dev_id: 1,
      data_len: 24,
      data_uptr: 0x7f00_0000_2000n,
      out_data_type: IOMMU_HW_INFO_TYPE_INTEL_VTD,
      out_max_pasid_log2: 20,
      out_capabilities: 1n,
    });
    expect([v.getUint8(29), v.getUint8(30), v.getUint8(31)]).toEqual([0, 0, 0]); // __reserved[3]
  });

  it('round-trips the reply a sim would write', () => {
    const reply = {
      dev_id: 3,
      flags: 0,
      data_len: 24,
      data_uptr: 0n,
      out_data_type: IOMMU_HW_INFO_TYPE_INTEL_VTD,
      out_max_pasid_log2: 0,
      out_capabilities: 0n,
    };
    expect(decodeHwInfo(encodeHwInfo(reply))).toEqual({ size: 40, ...reply });
  });
});

describe('iommu_hw_info_vtd', () => {
  it('is flags, __reserved, then the VT-d capability registers at 8 and 16', () => {
    const vtd = { flags: 0, cap_reg: 0x00d2_0082_0046_2f0en, ecap_reg: 0x0000_0000_00f0_101an };
    const bytes = encodeHwInfoVtd(vtd);
    expect(bytes.byteLength).toBe(24);
    expect(view(bytes).getBigUint64(8, true)).toBe(vtd.cap_reg);
    expect(view(bytes).getBigUint64(16, true)).toBe(vtd.ecap_reg);
    expect(decodeHwInfoVtd(bytes)).toEqual(vtd);
  });
});
