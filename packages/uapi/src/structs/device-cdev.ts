/**
 * The VFIO device cdev structs (linux/vfio.h, Linux 6.6+): a device opened
 * as /dev/vfio/devices/vfioN, without group or container, is bound to an
 * iommufd (which names it by the returned devid), then attached to an IOAS
 * or HWPT there. argsz-framed like every VFIO struct.
 */
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, u32, viewOf } from './layout.ts';

export const VFIO_DEVICE_BIND_IOMMUFD_LAYOUT = defineLayout('vfio_device_bind_iommufd', 16, {
  argsz: 0,
  flags: 4,
  iommufd: 8,
  out_devid: 12,
});

export const VFIO_DEVICE_ATTACH_IOMMUFD_PT_LAYOUT = defineLayout('vfio_device_attach_iommufd_pt', 12, {
  argsz: 0,
  flags: 4,
  pt_id: 8,
});

export const VFIO_DEVICE_DETACH_IOMMUFD_PT_LAYOUT = defineLayout('vfio_device_detach_iommufd_pt', 8, { argsz: 0, flags: 4 });

export interface VfioDeviceBindIommufd {
  argsz: number;
  /** must be 0 */
  flags: number;
  /** the /dev/iommu fd (__s32) */
  iommufd: number;
  /** out: the device's id in that iommufd (dev_id of the IOMMU_* structs) */
  out_devid: number;
}

export interface VfioDeviceAttachIommufdPt {
  argsz: number;
  /** must be 0 */
  flags: number;
  /** in: an IOAS or HWPT id; out: the HWPT attached (for an IOAS, one the kernel created) */
  pt_id: number;
}

export interface VfioDeviceDetachIommufdPt {
  argsz: number;
  /** must be 0 */
  flags: number;
}

export function encodeDeviceBindIommufd(value: Pick<VfioDeviceBindIommufd, 'iommufd'> & Partial<VfioDeviceBindIommufd>): Uint8Array {
  const L = VFIO_DEVICE_BIND_IOMMUFD_LAYOUT;
  const bytes = argszBuffer(L, value.argsz);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags ?? 0);
  v.setInt32(L.fields.iommufd, value.iommufd, true);
  setU32(v, L.fields.out_devid, value.out_devid ?? 0);
  return bytes;
}

export function decodeDeviceBindIommufd(bytes: Uint8Array): VfioDeviceBindIommufd {
  const L = VFIO_DEVICE_BIND_IOMMUFD_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return {
    argsz: argszFrame(bytes).argsz,
    flags: u32(v, L.fields.flags),
    iommufd: v.getInt32(L.fields.iommufd, true),
    out_devid: u32(v, L.fields.out_devid),
  };
}

export function encodeDeviceAttachIommufdPt(
  value: Pick<VfioDeviceAttachIommufdPt, 'pt_id'> & Partial<VfioDeviceAttachIommufdPt>,
): Uint8Array {
  const L = VFIO_DEVICE_ATTACH_IOMMUFD_PT_LAYOUT;
  const bytes = argszBuffer(L, value.argsz);
  const v = viewOf(bytes);
  setU32(v, L.fields.flags, value.flags ?? 0);
  setU32(v, L.fields.pt_id, value.pt_id);
  return bytes;
}

export function decodeDeviceAttachIommufdPt(bytes: Uint8Array): VfioDeviceAttachIommufdPt {
  const L = VFIO_DEVICE_ATTACH_IOMMUFD_PT_LAYOUT;
  requireLength(bytes, L.size, L.name);
  const v = viewOf(bytes);
  return { argsz: argszFrame(bytes).argsz, flags: u32(v, L.fields.flags), pt_id: u32(v, L.fields.pt_id) };
}

export function encodeDeviceDetachIommufdPt(value: Partial<VfioDeviceDetachIommufdPt> = {}): Uint8Array {
  const L = VFIO_DEVICE_DETACH_IOMMUFD_PT_LAYOUT;
  const bytes = argszBuffer(L, value.argsz);
  setU32(viewOf(bytes), L.fields.flags, value.flags ?? 0);
  return bytes;
}

export function decodeDeviceDetachIommufdPt(bytes: Uint8Array): VfioDeviceDetachIommufdPt {
  const L = VFIO_DEVICE_DETACH_IOMMUFD_PT_LAYOUT;
  requireLength(bytes, L.size, L.name);
  return { argsz: argszFrame(bytes).argsz, flags: u32(viewOf(bytes), L.fields.flags) };
}
