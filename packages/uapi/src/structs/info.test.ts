import { describe, expect, it } from 'vitest';
import { VFIO_DEVICE_FLAGS_CAPS, VFIO_DEVICE_FLAGS_PCI, VFIO_DEVICE_FLAGS_RESET, VFIO_GROUP_FLAGS_VIABLE } from '../constants.ts';
import { VFIO_IRQ_INFO_AUTOMASKED, VFIO_IRQ_INFO_EVENTFD, VFIO_IRQ_INFO_MASKABLE } from '../constants.ts';
import { decodeDeviceInfo, encodeDeviceInfo } from './device-info.ts';
import { decodeGroupStatus, encodeGroupStatus } from './group-status.ts';
import { decodeIrqInfo, encodeIrqInfo } from './irq-info.ts';

describe('vfio_group_status', () => {
  it('encodes argsz and flags little-endian', () => {
    expect([...encodeGroupStatus({ flags: VFIO_GROUP_FLAGS_VIABLE })]).toEqual([8, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('round-trips', () => {
    expect(decodeGroupStatus(encodeGroupStatus({ flags: 3 }))).toEqual({ argsz: 8, flags: 3 });
  });

  it('refuses a buffer shorter than the struct', () => {
    expect(() => decodeGroupStatus(new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('vfio_device_info', () => {
  it('round-trips without capabilities', () => {
    const flags = VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI;
    const decoded = decodeDeviceInfo(encodeDeviceInfo({ flags, num_regions: 9, num_irqs: 5 }));
    expect(decoded).toEqual({ argsz: 20, truncated: false, flags, num_regions: 9, num_irqs: 5, cap_offset: 0, caps: [] });
  });

  it('walks a capability chain starting at cap_offset', () => {
    const bytes = encodeDeviceInfo({ argsz: 36, flags: VFIO_DEVICE_FLAGS_CAPS, cap_offset: 20 });
    const v = new DataView(bytes.buffer);
    v.setUint16(20, 1, true); // VFIO_DEVICE_INFO_CAP_ZPCI_BASE
    v.setUint16(22, 1, true);
    expect(decodeDeviceInfo(bytes).caps).toEqual([{ id: 1, version: 1, next: 0, offset: 20 }]);
  });

  it('reports a kernel argsz larger than the buffer as truncated, and walks nothing', () => {
    const bytes = encodeDeviceInfo({ flags: VFIO_DEVICE_FLAGS_CAPS });
    new DataView(bytes.buffer).setUint32(0, 56, true);
    const decoded = decodeDeviceInfo(bytes);
    expect(decoded.argsz).toBe(56);
    expect(decoded.truncated).toBe(true);
    expect(decoded.caps).toEqual([]);
  });

  it('refuses an argsz below sizeof', () => {
    expect(() => encodeDeviceInfo({ argsz: 16 })).toThrow(/smaller than sizeof 20/);
  });
});

describe('vfio_irq_info', () => {
  it('round-trips an INTx index', () => {
    const flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
    const bytes = encodeIrqInfo({ index: 0, flags, count: 1 });
    expect(bytes.byteLength).toBe(16);
    expect(decodeIrqInfo(bytes)).toEqual({ argsz: 16, flags, index: 0, count: 1 });
  });

  it('puts index at offset 8 for the request', () => {
    const v = new DataView(encodeIrqInfo({ index: 2 }).buffer);
    expect(v.getUint32(8, true)).toBe(2);
  });
});
