import { describe, expect, it } from 'vitest';
import {
  VFIO_IRQ_SET_ACTION_MASK,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_ACTION_UNMASK,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
} from '../constants.ts';
import { decodeIrqSet, encodeIrqSet, irqSetArgsz } from './irq-set.ts';

describe('vfio_irq_set', () => {
  it('DATA_NONE carries no data: argsz 20 even with count 1', () => {
    const bytes = encodeIrqSet({
      action: VFIO_IRQ_SET_ACTION_UNMASK,
      index: VFIO_PCI_INTX_IRQ_INDEX,
      start: 0,
      count: 1,
      data: { type: 'none' },
    });
    expect(bytes.byteLength).toBe(20);
    expect(decodeIrqSet(bytes)).toEqual({
      argsz: 20,
      flags: VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
      index: 0,
      start: 0,
      count: 1,
      data: { type: 'none' },
    });
  });

  it('DATA_BOOL carries one u8 per vector', () => {
    const bytes = encodeIrqSet({
      action: VFIO_IRQ_SET_ACTION_MASK,
      index: 0,
      start: 0,
      count: 3,
      data: { type: 'bool', values: [true, false, true] },
    });
    expect(bytes.byteLength).toBe(23);
    expect([...bytes.subarray(20)]).toEqual([1, 0, 1]);
    expect(decodeIrqSet(bytes).data).toEqual({ type: 'bool', values: [true, false, true] });
  });

  it('DATA_EVENTFD carries one s32 per vector, -1 de-assigning', () => {
    const fds = [7, -1, 12, 13];
    const bytes = encodeIrqSet({
      action: VFIO_IRQ_SET_ACTION_TRIGGER,
      index: VFIO_PCI_MSIX_IRQ_INDEX,
      start: 4,
      count: 4,
      data: { type: 'eventfd', fds },
    });
    expect(bytes.byteLength).toBe(36);
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(0, true)).toBe(36);
    expect(v.getUint32(4, true)).toBe(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
    expect(v.getInt32(24, true)).toBe(-1);
    expect(decodeIrqSet(bytes)).toMatchObject({ index: 2, start: 4, count: 4, data: { type: 'eventfd', fds } });
  });

  it('disables an index with DATA_NONE | ACTION_TRIGGER and count 0', () => {
    const bytes = encodeIrqSet({ action: VFIO_IRQ_SET_ACTION_TRIGGER, index: 1, start: 0, count: 0, data: { type: 'none' } });
    expect(decodeIrqSet(bytes)).toMatchObject({ argsz: 20, count: 0, flags: VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER });
  });

  it('computes argsz per data type', () => {
    expect(irqSetArgsz('none', 8)).toBe(20);
    expect(irqSetArgsz('bool', 8)).toBe(28);
    expect(irqSetArgsz('eventfd', 8)).toBe(52);
  });

  it('refuses data that does not match count, or a non-action flag', () => {
    expect(() =>
      encodeIrqSet({ action: VFIO_IRQ_SET_ACTION_TRIGGER, index: 2, start: 0, count: 2, data: { type: 'eventfd', fds: [5] } }),
    ).toThrow(RangeError);
    expect(() => encodeIrqSet({ action: VFIO_IRQ_SET_DATA_BOOL, index: 0, start: 0, count: 0, data: { type: 'none' } })).toThrow(
      RangeError,
    );
  });

  it('refuses to decode flags with two DATA types or data past the buffer', () => {
    const bytes = encodeIrqSet({ action: VFIO_IRQ_SET_ACTION_MASK, index: 0, start: 0, count: 1, data: { type: 'none' } });
    const v = new DataView(bytes.buffer);
    v.setUint32(4, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_MASK, true);
    expect(() => decodeIrqSet(bytes)).toThrow(/exactly one DATA_/);
    v.setUint32(4, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, true);
    expect(() => decodeIrqSet(bytes)).toThrow(RangeError);
  });
});
