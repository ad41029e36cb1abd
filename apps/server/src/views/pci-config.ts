/**
 * Decode a PCI function's configuration space (as read from the device fd's
 * CONFIG region, VFIO_PCI_CONFIG_REGION_INDEX) into the standard header
 * fields and the capability lists: the classic list from the capabilities
 * pointer at 0x34, and the PCIe extended list from 0x100. Walks are bounded
 * so a malformed list (a loop, a pointer into the header) cannot hang us.
 */
import type { PciCapabilityView, PciConfigHeaderView } from '@vfioscope/protocol';

const CAP_NAMES: Record<number, string> = {
  0x01: 'Power Management',
  0x02: 'AGP',
  0x03: 'VPD',
  0x04: 'Slot ID',
  0x05: 'MSI',
  0x06: 'CompactPCI Hot Swap',
  0x07: 'PCI-X',
  0x08: 'HyperTransport',
  0x09: 'Vendor Specific',
  0x0a: 'Debug Port',
  0x0b: 'CompactPCI CRC',
  0x0c: 'PCI Hot Plug',
  0x0d: 'Bridge Subsystem Vendor',
  0x0e: 'AGP 8x',
  0x0f: 'Secure Device',
  0x10: 'PCI Express',
  0x11: 'MSI-X',
  0x12: 'SATA',
  0x13: 'Advanced Features',
  0x14: 'Enhanced Allocation',
  0x15: 'Flattening Portal Bridge',
};

const EXT_CAP_NAMES: Record<number, string> = {
  0x01: 'Advanced Error Reporting',
  0x02: 'Virtual Channel',
  0x03: 'Device Serial Number',
  0x04: 'Power Budgeting',
  0x05: 'Root Complex Link',
  0x0b: 'Vendor Specific',
  0x0d: 'Access Control Services',
  0x0e: 'Alternative Routing-ID',
  0x0f: 'Address Translation Services',
  0x10: 'SR-IOV',
  0x13: 'Page Request',
  0x15: 'Resizable BAR',
  0x17: 'TPH Requester',
  0x18: 'Latency Tolerance Reporting',
  0x19: 'Secondary PCIe',
  0x1b: 'PASID',
  0x1e: 'L1 PM Substates',
  0x1f: 'Precision Time Measurement',
  0x23: 'Designated Vendor-Specific',
  0x25: 'Data Link Feature',
  0x26: 'Physical Layer 16 GT/s',
  0x27: 'Lane Margining',
  0x2a: 'Physical Layer 32 GT/s',
};

const PCI_STATUS_CAP_LIST = 0x10;

export function decodePciConfig(cfg: Uint8Array): { header: PciConfigHeaderView; capabilities: PciCapabilityView[] } | null {
  if (cfg.length < 64) return null;
  const dv = new DataView(cfg.buffer, cfg.byteOffset, cfg.byteLength);
  const u8 = (o: number) => dv.getUint8(o);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const headerType = u8(0x0e);
  const layout = headerType & 0x7f;
  const barCount = layout === 0 ? 6 : layout === 1 ? 2 : 0;
  const header: PciConfigHeaderView = {
    vendorId: u16(0x00),
    deviceId: u16(0x02),
    command: u16(0x04),
    status: u16(0x06),
    revision: u8(0x08),
    classCode: u8(0x09) | (u8(0x0a) << 8) | (u8(0x0b) << 16),
    headerType: layout,
    multiFunction: (headerType & 0x80) !== 0,
    bars: Array.from({ length: barCount }, (_, i) => u32(0x10 + i * 4)),
    subsystemVendorId: layout === 0 ? u16(0x2c) : null,
    subsystemId: layout === 0 ? u16(0x2e) : null,
    capabilitiesPointer: u8(0x34),
    interruptLine: u8(0x3c),
    interruptPin: u8(0x3d),
  };
  const capabilities: PciCapabilityView[] = [];
  if (header.status & PCI_STATUS_CAP_LIST) {
    let off = header.capabilitiesPointer & 0xfc;
    const seen = new Set<number>();
    while (off >= 0x40 && off + 2 <= Math.min(cfg.length, 256) && !seen.has(off) && seen.size < 48) {
      seen.add(off);
      const id = u8(off);
      capabilities.push({ id, name: CAP_NAMES[id] ?? `Capability 0x${id.toString(16)}`, offset: off, extended: false });
      off = u8(off + 1) & 0xfc;
    }
  }
  if (cfg.length >= 0x104) {
    let off = 0x100;
    const seen = new Set<number>();
    while (off >= 0x100 && off + 4 <= cfg.length && !seen.has(off) && seen.size < 96) {
      seen.add(off);
      const h = u32(off);
      if (h === 0 || h === 0xffffffff) break;
      const id = h & 0xffff;
      capabilities.push({ id, name: EXT_CAP_NAMES[id] ?? `Extended capability 0x${id.toString(16)}`, offset: off, extended: true });
      off = (h >>> 20) & 0xffc;
    }
  }
  return { header, capabilities };
}
