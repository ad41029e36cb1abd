/**
 * struct vfio_irq_set: VFIO_DEVICE_SET_IRQS. A fixed 20-byte header followed
 * by `count` data items whose type is the DATA_* flag: nothing (DATA_NONE),
 * one u8 bool per vector (DATA_BOOL) or one s32 eventfd per vector
 * (DATA_EVENTFD, -1 de-assigns). argsz covers header and data.
 */
import {
  VFIO_IRQ_SET_ACTION_TYPE_MASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_IRQ_SET_DATA_TYPE_MASK,
} from '../constants.ts';
import { argszFrame, defineLayout, requireLength, setU32, u32, viewOf } from './layout.ts';

export const VFIO_IRQ_SET_LAYOUT = defineLayout('vfio_irq_set', 20, {
  argsz: 0,
  flags: 4,
  index: 8,
  start: 12,
  count: 16,
  data: 20,
});

export type IrqSetPayload = { type: 'none' } | { type: 'bool'; values: boolean[] } | { type: 'eventfd'; fds: number[] };

export interface VfioIrqSet {
  argsz: number;
  /** DATA_* and ACTION_* bits; encode fills DATA_* from `data` */
  flags: number;
  index: number;
  start: number;
  count: number;
  data: IrqSetPayload;
}

/** Bytes per data item for each DATA_* type. */
export const IRQ_SET_DATA_ITEM_SIZE = { none: 0, bool: 1, eventfd: 4 } as const;

const DATA_FLAG = {
  none: VFIO_IRQ_SET_DATA_NONE,
  bool: VFIO_IRQ_SET_DATA_BOOL,
  eventfd: VFIO_IRQ_SET_DATA_EVENTFD,
} as const;

/** argsz of a vfio_irq_set carrying `count` items of `type`. */
export function irqSetArgsz(type: IrqSetPayload['type'], count: number): number {
  return VFIO_IRQ_SET_LAYOUT.size + IRQ_SET_DATA_ITEM_SIZE[type] * count;
}

export interface IrqSetRequestFields {
  /** one VFIO_IRQ_SET_ACTION_* bit */
  action: number;
  index: number;
  start: number;
  count: number;
  data: IrqSetPayload;
}

/**
 * Build the argument. `data` must hold `count` items (DATA_NONE holds none);
 * the kernel rejects a mismatch, so it is caught here instead.
 */
export function encodeIrqSet(req: IrqSetRequestFields): Uint8Array {
  const items = req.data.type === 'bool' ? req.data.values.length : req.data.type === 'eventfd' ? req.data.fds.length : 0;
  if (req.data.type !== 'none' && items !== req.count) {
    throw new RangeError(`vfio_irq_set: ${items} ${req.data.type} items for count ${req.count}`);
  }
  if ((req.action & ~VFIO_IRQ_SET_ACTION_TYPE_MASK) !== 0) {
    throw new RangeError(`vfio_irq_set: action 0x${req.action.toString(16)} is not an ACTION_* flag`);
  }
  const argsz = irqSetArgsz(req.data.type, req.data.type === 'none' ? 0 : req.count);
  const bytes = new Uint8Array(argsz);
  const v = viewOf(bytes);
  const f = VFIO_IRQ_SET_LAYOUT.fields;
  setU32(v, f.argsz, argsz);
  setU32(v, f.flags, DATA_FLAG[req.data.type] | req.action);
  setU32(v, f.index, req.index);
  setU32(v, f.start, req.start);
  setU32(v, f.count, req.count);
  if (req.data.type === 'bool') for (const [i, b] of req.data.values.entries()) v.setUint8(f.data + i, b ? 1 : 0);
  if (req.data.type === 'eventfd') for (const [i, fd] of req.data.fds.entries()) v.setInt32(f.data + 4 * i, fd, true);
  return bytes;
}

/** Read an argument back (the sim receives these). The DATA_* flag says how to read the payload. */
export function decodeIrqSet(bytes: Uint8Array): VfioIrqSet {
  requireLength(bytes, VFIO_IRQ_SET_LAYOUT.size, VFIO_IRQ_SET_LAYOUT.name);
  const v = viewOf(bytes);
  const f = VFIO_IRQ_SET_LAYOUT.fields;
  const flags = u32(v, f.flags);
  const count = u32(v, f.count);
  const header = { argsz: argszFrame(bytes).argsz, flags, index: u32(v, f.index), start: u32(v, f.start), count };
  switch (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
    case VFIO_IRQ_SET_DATA_NONE:
      return { ...header, data: { type: 'none' } };
    case VFIO_IRQ_SET_DATA_BOOL: {
      requireLength(bytes, irqSetArgsz('bool', count), 'vfio_irq_set bool data');
      const values = Array.from({ length: count }, (_, i) => v.getUint8(f.data + i) !== 0);
      return { ...header, data: { type: 'bool', values } };
    }
    case VFIO_IRQ_SET_DATA_EVENTFD: {
      requireLength(bytes, irqSetArgsz('eventfd', count), 'vfio_irq_set eventfd data');
      const fds = Array.from({ length: count }, (_, i) => v.getInt32(f.data + 4 * i, true));
      return { ...header, data: { type: 'eventfd', fds } };
    }
    default:
      throw new RangeError(`vfio_irq_set: flags 0x${flags.toString(16)} do not name exactly one DATA_* type`);
  }
}
