/**
 * The iommufd structs beyond the IOAS: options (RLIMIT accounting mode, huge
 * pages), the IOAS a compat /dev/vfio/vfio container uses, HWPT allocation
 * (a HWPT is one hardware page table, an iommu_domain, filled from an IOAS),
 * and the IOMMU hardware info of a bound device. User pointers (`data_uptr`)
 * are bigint addresses the caller provides, as for the IOAS structs.
 */
import { argszBuffer, argszFrame, defineLayout, requireLength, setU16, setU32, setU64, u16, u32, u64, viewOf } from './layout.ts';

export const IOMMU_OPTION_LAYOUT = defineLayout('iommu_option', 24, {
  size: 0,
  option_id: 4,
  op: 8,
  __reserved: 10,
  object_id: 12,
  val64: 16,
});

export const IOMMU_VFIO_IOAS_LAYOUT = defineLayout('iommu_vfio_ioas', 12, { size: 0, ioas_id: 4, op: 8, __reserved: 10 });

export const IOMMU_HWPT_ALLOC_LAYOUT = defineLayout('iommu_hwpt_alloc', 48, {
  size: 0,
  flags: 4,
  dev_id: 8,
  pt_id: 12,
  out_hwpt_id: 16,
  __reserved: 20,
  data_type: 24,
  data_len: 28,
  data_uptr: 32,
  fault_id: 40,
  __reserved2: 44,
});

export const IOMMU_HW_INFO_LAYOUT = defineLayout('iommu_hw_info', 40, {
  size: 0,
  flags: 4,
  dev_id: 8,
  data_len: 12,
  data_uptr: 16,
  out_data_type: 24,
  out_max_pasid_log2: 28,
  __reserved: 29,
  out_capabilities: 32,
});

/** What IOMMU_GET_HW_INFO writes at data_uptr when out_data_type is IOMMU_HW_INFO_TYPE_INTEL_VTD. */
export const IOMMU_HW_INFO_VTD_LAYOUT = defineLayout('iommu_hw_info_vtd', 24, { flags: 0, __reserved: 4, cap_reg: 8, ecap_reg: 16 });

interface Sized {
  size?: number;
}

export interface IommuOption {
  size: number;
  /** IOMMU_OPTION_RLIMIT_MODE or IOMMU_OPTION_HUGE_PAGES */
  option_id: number;
  /** IOMMU_OPTION_OP_SET or IOMMU_OPTION_OP_GET */
  op: number;
  /** 0 for a global option (RLIMIT_MODE), the IOAS id for HUGE_PAGES */
  object_id: number;
  /** in for SET; out for GET */
  val64: bigint;
}

export interface IommuVfioIoas {
  size: number;
  /** in for IOMMU_VFIO_IOAS_SET; out for IOMMU_VFIO_IOAS_GET */
  ioas_id: number;
  /** IOMMU_VFIO_IOAS_GET / _SET / _CLEAR */
  op: number;
}

export interface IommuHwptAlloc {
  size: number;
  /** IOMMU_HWPT_ALLOC_* and IOMMU_HWPT_FAULT_ID_VALID */
  flags: number;
  /** the device (its id from VFIO_DEVICE_BIND_IOMMUFD) the HWPT is for */
  dev_id: number;
  /** the IOAS (or parent HWPT) it takes its mappings from */
  pt_id: number;
  /** out: the new HWPT's id */
  out_hwpt_id: number;
  /** IOMMU_HWPT_DATA_*: NONE for a kernel-managed HWPT */
  data_type: number;
  data_len: number;
  /** user pointer to data_len bytes of type-specific data, 0 with DATA_NONE */
  data_uptr: bigint;
  /** an IOMMU_FAULT_QUEUE_ALLOC object, with IOMMU_HWPT_FAULT_ID_VALID */
  fault_id: number;
}

export interface IommuHwInfo {
  size: number;
  /** must be 0 */
  flags: number;
  /** a device bound to this iommufd */
  dev_id: number;
  /** in: bytes at data_uptr; out: bytes of data the kernel has (it zeroes the rest) */
  data_len: number;
  /** user pointer to a data_len buffer for the type-specific data (iommu_hw_info_vtd …) */
  data_uptr: bigint;
  /** out: IOMMU_HW_INFO_TYPE_*, how to read the data */
  out_data_type: number;
  /** out: PASID width, 0 without PASID support */
  out_max_pasid_log2: number;
  /** out: IOMMU_HW_CAP_* */
  out_capabilities: bigint;
}

export interface IommuHwInfoVtd {
  /** IOMMU_HW_INFO_VTD_* */
  flags: number;
  /** the VT-d Capability Register (VT-d spec 11.4.2) */
  cap_reg: bigint;
  /** the VT-d Extended Capability Register (11.4.3) */
  ecap_reg: bigint;
}

export function encodeIommuOption(
  value: Omit<IommuOption, 'size' | 'val64' | 'object_id'> & Partial<Pick<IommuOption, 'val64' | 'object_id'>> & Sized,
): Uint8Array {
  const L = IOMMU_OPTION_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.option_id, value.option_id);
  setU16(v, L.fields.op, value.op);
  setU32(v, L.fields.object_id, value.object_id ?? 0);
  setU64(v, L.fields.val64, value.val64 ?? 0n);
  return bytes;
}

export function decodeIommuOption(bytes: Uint8Array): IommuOption {
  const L = IOMMU_OPTION_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    option_id: u32(v, L.fields.option_id),
    op: u16(v, L.fields.op),
    object_id: u32(v, L.fields.object_id),
    val64: u64(v, L.fields.val64),
  };
}

export function encodeVfioIoas(
  value: Omit<IommuVfioIoas, 'size' | 'ioas_id'> & Partial<Pick<IommuVfioIoas, 'ioas_id'>> & Sized,
): Uint8Array {
  const L = IOMMU_VFIO_IOAS_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.ioas_id, value.ioas_id ?? 0);
  setU16(v, L.fields.op, value.op);
  return bytes;
}

export function decodeVfioIoas(bytes: Uint8Array): IommuVfioIoas {
  const L = IOMMU_VFIO_IOAS_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return { size: argszFrame(bytes).argsz, ioas_id: u32(v, L.fields.ioas_id), op: u16(v, L.fields.op) };
}

/** A kernel-managed HWPT by default: data_type NONE, no data, no fault queue. */
export function encodeHwptAlloc(value: Pick<IommuHwptAlloc, 'dev_id' | 'pt_id'> & Partial<IommuHwptAlloc>): Uint8Array {
  const L = IOMMU_HWPT_ALLOC_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags ?? 0);
  setU32(v, L.fields.dev_id, value.dev_id);
  setU32(v, L.fields.pt_id, value.pt_id);
  setU32(v, L.fields.out_hwpt_id, value.out_hwpt_id ?? 0);
  setU32(v, L.fields.data_type, value.data_type ?? 0);
  setU32(v, L.fields.data_len, value.data_len ?? 0);
  setU64(v, L.fields.data_uptr, value.data_uptr ?? 0n);
  setU32(v, L.fields.fault_id, value.fault_id ?? 0);
  return bytes;
}

export function decodeHwptAlloc(bytes: Uint8Array): IommuHwptAlloc {
  const L = IOMMU_HWPT_ALLOC_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    dev_id: u32(v, L.fields.dev_id),
    pt_id: u32(v, L.fields.pt_id),
    out_hwpt_id: u32(v, L.fields.out_hwpt_id),
    data_type: u32(v, L.fields.data_type),
    data_len: u32(v, L.fields.data_len),
    data_uptr: u64(v, L.fields.data_uptr),
    fault_id: u32(v, L.fields.fault_id),
  };
}

/** The request: data_len bytes at data_uptr (0 and 0 ask only for the type and capabilities). */
export function encodeHwInfo(value: Pick<IommuHwInfo, 'dev_id'> & Partial<IommuHwInfo>): Uint8Array {
  const L = IOMMU_HW_INFO_LAYOUT;
  const bytes = argszBuffer(L, value.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags ?? 0);
  setU32(v, L.fields.dev_id, value.dev_id);
  setU32(v, L.fields.data_len, value.data_len ?? 0);
  setU64(v, L.fields.data_uptr, value.data_uptr ?? 0n);
  setU32(v, L.fields.out_data_type, value.out_data_type ?? 0);
  v.setUint8(L.fields.out_max_pasid_log2, value.out_max_pasid_log2 ?? 0);
  setU64(v, L.fields.out_capabilities, value.out_capabilities ?? 0n);
  return bytes;
}

export function decodeHwInfo(bytes: Uint8Array): IommuHwInfo {
  const L = IOMMU_HW_INFO_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    size: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    dev_id: u32(v, L.fields.dev_id),
    data_len: u32(v, L.fields.data_len),
    data_uptr: u64(v, L.fields.data_uptr),
    out_data_type: u32(v, L.fields.out_data_type),
    out_max_pasid_log2: v.getUint8(L.fields.out_max_pasid_log2),
    out_capabilities: u64(v, L.fields.out_capabilities),
  };
}

export function encodeHwInfoVtd(value: IommuHwInfoVtd): Uint8Array {
  const L = IOMMU_HW_INFO_VTD_LAYOUT;
  const bytes = new Uint8Array(L.size);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags);
  setU64(v, L.fields.cap_reg, value.cap_reg);
  setU64(v, L.fields.ecap_reg, value.ecap_reg);
  return bytes;
}

export function decodeHwInfoVtd(bytes: Uint8Array): IommuHwInfoVtd {
  const L = IOMMU_HW_INFO_VTD_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return { flags: u32(v, L.fields.flags), cap_reg: u64(v, L.fields.cap_reg), ecap_reg: u64(v, L.fields.ecap_reg) };
}
