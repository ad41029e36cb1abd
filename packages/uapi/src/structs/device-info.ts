/**
 * struct vfio_device_info: VFIO_DEVICE_GET_INFO on a device fd. cap_offset
 * is valid only with VFIO_DEVICE_FLAGS_CAPS (zPCI capabilities on s390).
 */
import { VFIO_DEVICE_FLAGS_CAPS } from '../constants.ts';
import { deliveredCaps, type VfioInfoCap } from './cap-chain.ts';
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, u32, viewOf, type ArgszFrame } from './layout.ts';

export const VFIO_DEVICE_INFO_LAYOUT = defineLayout('vfio_device_info', 20, {
  argsz: 0,
  flags: 4,
  num_regions: 8,
  num_irqs: 12,
  cap_offset: 16,
});

export interface VfioDeviceInfo {
  argsz: number;
  /** VFIO_DEVICE_FLAGS_* */
  flags: number;
  num_regions: number;
  num_irqs: number;
  cap_offset: number;
}

export interface DecodedDeviceInfo extends VfioDeviceInfo, ArgszFrame {
  /** the capability chain, empty when absent or not delivered (truncated) */
  caps: VfioInfoCap[];
}

export function encodeDeviceInfo(value: Partial<VfioDeviceInfo> = {}): Uint8Array {
  const bytes = argszBuffer(VFIO_DEVICE_INFO_LAYOUT, value.argsz);
  const v = viewOf(bytes);
  const f = VFIO_DEVICE_INFO_LAYOUT.fields;
  setU32(v, f.flags, value.flags ?? 0);
  setU32(v, f.num_regions, value.num_regions ?? 0);
  setU32(v, f.num_irqs, value.num_irqs ?? 0);
  setU32(v, f.cap_offset, value.cap_offset ?? 0);
  return bytes;
}

export function decodeDeviceInfo(bytes: Uint8Array): DecodedDeviceInfo {
  requireLength(bytes, VFIO_DEVICE_INFO_LAYOUT.size, VFIO_DEVICE_INFO_LAYOUT.name);
  const v = viewOf(bytes);
  const f = VFIO_DEVICE_INFO_LAYOUT.fields;
  const frame = argszFrame(bytes);
  const flags = u32(v, f.flags);
  const cap_offset = u32(v, f.cap_offset);
  return {
    ...frame,
    flags,
    num_regions: u32(v, f.num_regions),
    num_irqs: u32(v, f.num_irqs),
    cap_offset,
    caps: deliveredCaps(bytes, { flags, cap_offset, truncated: frame.truncated }, VFIO_DEVICE_FLAGS_CAPS),
  };
}
