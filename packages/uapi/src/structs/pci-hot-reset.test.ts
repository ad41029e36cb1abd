import { describe, expect, it } from 'vitest';
import { decodePciHotResetInfo, encodePciHotReset, encodePciHotResetInfo } from './pci-hot-reset.ts';

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

describe('vfio_pci_hot_reset_info', () => {
  it('is a 12-byte header with argsz covering 8 bytes per dependent device', () => {
    expect([...encodePciHotResetInfo(0)]).toEqual([12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const bytes = encodePciHotResetInfo(2);
    expect(bytes.byteLength).toBe(28);
    expect(view(bytes).getUint32(0, true)).toBe(28);
  });

  it('decodes group_id (u32), segment (u16), bus and devfn (u8) of each entry', () => {
    const bytes = encodePciHotResetInfo(2);
    const v = view(bytes);
    v.setUint32(8, 2, true);
    v.setUint32(12, 17, true);
    v.setUint16(16, 0, true);
    v.setUint8(18, 0x41);
    v.setUint8(19, (0 << 3) | 1);
    v.setUint32(20, 0xffffffff, true);
    v.setUint16(24, 1, true);
    v.setUint8(26, 0x41);
    v.setUint8(27, 0);
    expect(decodePciHotResetInfo(bytes)).toEqual({
      argsz: 28,
      flags: 0,
      count: 2,
      devices: [
        { group_id: 17, segment: 0, bus: 0x41, devfn: 1 },
        { group_id: 0xffffffff, segment: 1, bus: 0x41, devfn: 0 },
      ],
    });
  });

  it('reads the count of an ENOSPC answer without entries the buffer had no room for', () => {
    const bytes = encodePciHotResetInfo(0);
    view(bytes).setUint32(8, 3, true);
    expect(decodePciHotResetInfo(bytes)).toEqual({ argsz: 12, flags: 0, count: 3, devices: [] });
  });

  it('rejects a buffer shorter than the header', () => {
    expect(() => decodePciHotResetInfo(new Uint8Array(8))).toThrow(RangeError);
    expect(() => encodePciHotResetInfo(-1)).toThrow(RangeError);
  });
});

describe('vfio_pci_hot_reset', () => {
  it('is argsz, flags, count and the __s32 group fds', () => {
    const bytes = encodePciHotReset([5, 9]);
    expect([...bytes]).toEqual([20, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0]);
    expect(view(encodePciHotReset([-1])).getInt32(12, true)).toBe(-1);
  });
});
