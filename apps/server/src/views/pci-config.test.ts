import { describe, expect, it } from 'vitest';
import { decodePciConfig } from './pci-config.ts';

function config(): Uint8Array {
  const b = new Uint8Array(4096);
  const dv = new DataView(b.buffer);
  dv.setUint16(0x00, 0x1234, true);
  dv.setUint16(0x02, 0x11e8, true);
  dv.setUint16(0x06, 0x0010, true); // capability list present
  dv.setUint8(0x08, 0x10);
  dv.setUint8(0x0b, 0x00);
  dv.setUint8(0x0a, 0xff);
  dv.setUint32(0x10, 0xfea00000, true);
  dv.setUint16(0x2c, 0x1af4, true);
  dv.setUint16(0x2e, 0x1100, true);
  dv.setUint8(0x34, 0x40);
  dv.setUint8(0x3d, 1);
  dv.setUint8(0x40, 0x05); // MSI → 0x50
  dv.setUint8(0x41, 0x50);
  dv.setUint8(0x50, 0x10); // PCIe → end
  dv.setUint8(0x51, 0x00);
  dv.setUint32(0x100, 0x0001 | (1 << 16) | (0x140 << 20), true); // AER → 0x140
  dv.setUint32(0x140, 0x000e | (1 << 16), true); // ARI, end
  return b;
}

describe('PCI config decode', () => {
  it('reads the type 0 header', () => {
    const d = decodePciConfig(config())!;
    expect(d.header).toMatchObject({
      vendorId: 0x1234,
      deviceId: 0x11e8,
      revision: 0x10,
      classCode: 0x00ff00,
      headerType: 0,
      multiFunction: false,
      subsystemVendorId: 0x1af4,
      subsystemId: 0x1100,
      capabilitiesPointer: 0x40,
      interruptPin: 1,
    });
    expect(d.header.bars).toHaveLength(6);
    expect(d.header.bars[0]).toBe(0xfea00000);
  });

  it('walks the classic and extended capability lists', () => {
    const d = decodePciConfig(config())!;
    expect(d.capabilities.map((c) => [c.name, c.offset, c.extended])).toEqual([
      ['MSI', 0x40, false],
      ['PCI Express', 0x50, false],
      ['Advanced Error Reporting', 0x100, true],
      ['Alternative Routing-ID', 0x140, true],
    ]);
  });

  it('stops on a capability loop', () => {
    const b = config();
    b[0x51] = 0x40; // PCIe points back to MSI
    const d = decodePciConfig(b.subarray(0, 256))!;
    expect(d.capabilities.map((c) => c.offset)).toEqual([0x40, 0x50]);
  });
});
