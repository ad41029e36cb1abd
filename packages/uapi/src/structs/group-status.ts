/** struct vfio_group_status: VFIO_GROUP_GET_STATUS on a group fd. */
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, u32, viewOf } from './layout.ts';

export const VFIO_GROUP_STATUS_LAYOUT = defineLayout('vfio_group_status', 8, { argsz: 0, flags: 4 });

export interface VfioGroupStatus {
  argsz: number;
  /** VFIO_GROUP_FLAGS_* */
  flags: number;
}

export function encodeGroupStatus(value: Partial<VfioGroupStatus> = {}): Uint8Array {
  const bytes = argszBuffer(VFIO_GROUP_STATUS_LAYOUT, value.argsz);
  setU32(viewOf(bytes), VFIO_GROUP_STATUS_LAYOUT.fields.flags, value.flags ?? 0);
  return bytes;
}

export function decodeGroupStatus(bytes: Uint8Array): VfioGroupStatus {
  requireLength(bytes, VFIO_GROUP_STATUS_LAYOUT.size, VFIO_GROUP_STATUS_LAYOUT.name);
  return { argsz: argszFrame(bytes).argsz, flags: u32(viewOf(bytes), VFIO_GROUP_STATUS_LAYOUT.fields.flags) };
}
