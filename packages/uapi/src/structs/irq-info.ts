/** struct vfio_irq_info: VFIO_DEVICE_GET_IRQ_INFO for one IRQ index of a device. */
import { argszBuffer, argszFrame, defineLayout, requireLength, setU32, u32, viewOf } from './layout.ts';

export const VFIO_IRQ_INFO_LAYOUT = defineLayout('vfio_irq_info', 16, { argsz: 0, flags: 4, index: 8, count: 12 });

export interface VfioIrqInfo {
  argsz: number;
  /** VFIO_IRQ_INFO_* */
  flags: number;
  index: number;
  /** vectors in this index; 0 when the device lacks it */
  count: number;
}

export function encodeIrqInfo(value: Partial<VfioIrqInfo> & { index: number }): Uint8Array {
  const bytes = argszBuffer(VFIO_IRQ_INFO_LAYOUT, value.argsz);
  const v = viewOf(bytes);
  const f = VFIO_IRQ_INFO_LAYOUT.fields;
  setU32(v, f.flags, value.flags ?? 0);
  setU32(v, f.index, value.index);
  setU32(v, f.count, value.count ?? 0);
  return bytes;
}

export function decodeIrqInfo(bytes: Uint8Array): VfioIrqInfo {
  requireLength(bytes, VFIO_IRQ_INFO_LAYOUT.size, VFIO_IRQ_INFO_LAYOUT.name);
  const v = viewOf(bytes);
  const f = VFIO_IRQ_INFO_LAYOUT.fields;
  return { argsz: argszFrame(bytes).argsz, flags: u32(v, f.flags), index: u32(v, f.index), count: u32(v, f.count) };
}
