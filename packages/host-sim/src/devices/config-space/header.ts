/**
 * The predefined header (first 64 bytes): identity, command/status, BARs,
 * and for bridges the bus numbers and forwarding windows. Writable bits
 * follow what real functions implement (and what QEMU's pci.c models): the
 * command bits a driver uses, BAR address bits above the BAR size, interrupt
 * line, cache line size; error status bits are write-one-to-clear.
 */
import type { BarSpec, BridgeSpec, PciFunctionSpec } from '../pci-function-spec.ts';
import type { ConfigSpace } from './config-space.ts';
import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_BRIDGE_CONTROL,
  PCI_CACHE_LINE_SIZE,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_PARITY,
  PCI_COMMAND_SERR,
  PCI_DEVICE_ID,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_HEADER_TYPE_MULTIFUNCTION,
  PCI_HEADER_TYPE_NORMAL,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_IO_BASE,
  PCI_IO_BASE_UPPER16,
  PCI_IO_LIMIT,
  PCI_LATENCY_TIMER,
  PCI_MEMORY_BASE,
  PCI_MEMORY_LIMIT,
  PCI_PREF_BASE_UPPER32,
  PCI_PREF_LIMIT_UPPER32,
  PCI_PREF_MEMORY_BASE,
  PCI_PREF_MEMORY_LIMIT,
  PCI_PRIMARY_BUS,
  PCI_REVISION_ID,
  PCI_ROM_ADDRESS,
  PCI_ROM_ADDRESS1,
  PCI_ROM_ADDRESS_ENABLE,
  PCI_SEC_LATENCY_TIMER,
  PCI_SEC_STATUS,
  PCI_SECONDARY_BUS,
  PCI_STATUS,
  PCI_STATUS_ERROR_BITS,
  PCI_SUBORDINATE_BUS,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
} from './pci-regs.ts';

const COMMAND_WRITABLE =
  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** Identity, command/status and the interrupt pin: the part type 0 and type 1 share. */
function writeCommonHeader(cs: ConfigSpace, spec: PciFunctionSpec, headerType: number): void {
  cs.set16(PCI_VENDOR_ID, spec.vendorId);
  cs.set16(PCI_DEVICE_ID, spec.deviceId);
  cs.set8(PCI_REVISION_ID, spec.revision);
  cs.set8(PCI_CLASS_PROG, spec.classCode & 0xff);
  cs.set16(PCI_CLASS_PROG + 1, (spec.classCode >>> 8) & 0xffff);
  cs.set8(PCI_HEADER_TYPE, headerType | (spec.multifunction ? PCI_HEADER_TYPE_MULTIFUNCTION : 0));
  cs.setWmask16(PCI_COMMAND, COMMAND_WRITABLE);
  cs.setW1c16(PCI_STATUS, PCI_STATUS_ERROR_BITS);
  cs.setWmask8(PCI_CACHE_LINE_SIZE, 0xff);
  // the latency timer is hardwired to 0 on PCI Express
  if (!spec.pcie) cs.setWmask8(PCI_LATENCY_TIMER, 0xff);
  cs.set8(PCI_INTERRUPT_PIN, spec.interruptPin);
  cs.setWmask8(PCI_INTERRUPT_LINE, 0xff);
}

/**
 * Encode one BAR: type bits read-only, address bits above the size writable.
 * `base` is where BAR0 lives (the header, or the VF BAR array of SR-IOV).
 */
export function encodeBar(cs: ConfigSpace, bar: BarSpec, base = PCI_BASE_ADDRESS_0): void {
  const off = base + bar.index * 4;
  if (!isPowerOfTwo(bar.size)) throw new RangeError(`BAR${bar.index} size ${bar.size} is not a power of two`);
  if (bar.kind === 'io') {
    if (bar.size < 4 || bar.size > 256) throw new RangeError(`I/O BAR${bar.index} size ${bar.size} outside 4..256`);
    cs.set32(off, PCI_BASE_ADDRESS_SPACE_IO);
    cs.setWmask32(off, ~(bar.size - 1) & ~0x3);
    return;
  }
  if (bar.size < 16) throw new RangeError(`memory BAR${bar.index} size ${bar.size} below 16 bytes`);
  const flags = (bar.kind === 'mem64' ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) | (bar.prefetchable ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
  cs.set32(off, flags);
  if (bar.kind === 'mem32') {
    if (bar.size > 2 ** 31) throw new RangeError(`32-bit BAR${bar.index} size ${bar.size} too large`);
    cs.setWmask32(off, ~(bar.size - 1) & ~0xf);
    return;
  }
  if (bar.index >= 5) throw new RangeError('a 64-bit BAR cannot start in slot 5');
  const mask = BigInt.asUintN(64, ~(BigInt(bar.size) - 1n)) & ~0xfn;
  cs.setWmask32(off, Number(mask & 0xffffffffn));
  cs.setWmask32(off + 4, Number(mask >> 32n));
}

function encodeRom(cs: ConfigSpace, offset: number, size: number | undefined): void {
  if (!size) return;
  if (!isPowerOfTwo(size) || size < 2048) throw new RangeError(`ROM size ${size} must be a power of two ≥ 2 KiB`);
  cs.setWmask32(offset, (~(size - 1) & 0xfffff800) | PCI_ROM_ADDRESS_ENABLE);
}

export function writeType0Header(cs: ConfigSpace, spec: PciFunctionSpec): void {
  writeCommonHeader(cs, spec, PCI_HEADER_TYPE_NORMAL);
  for (const bar of spec.bars) encodeBar(cs, bar);
  cs.set16(PCI_SUBSYSTEM_VENDOR_ID, spec.subsystemVendorId);
  cs.set16(PCI_SUBSYSTEM_ID, spec.subsystemDeviceId);
  encodeRom(cs, PCI_ROM_ADDRESS, spec.romSize);
}

/**
 * Type-1 header: bus numbers and the I/O (32-bit), memory and prefetchable
 * (64-bit) windows, all closed at power-on (base > limit).
 */
export function writeType1Header(cs: ConfigSpace, spec: PciFunctionSpec, bridge: BridgeSpec): void {
  writeCommonHeader(cs, spec, PCI_HEADER_TYPE_BRIDGE);
  for (const bar of spec.bars) {
    if (bar.index > 1) throw new RangeError('a bridge has only BAR0 and BAR1');
    encodeBar(cs, bar);
  }
  cs.set8(PCI_PRIMARY_BUS, bridge.primaryBus);
  cs.set8(PCI_SECONDARY_BUS, bridge.secondaryBus);
  cs.set8(PCI_SUBORDINATE_BUS, bridge.subordinateBus);
  for (const off of [PCI_PRIMARY_BUS, PCI_SECONDARY_BUS, PCI_SUBORDINATE_BUS, PCI_SEC_LATENCY_TIMER]) cs.setWmask8(off, 0xff);
  // low nibble 1 = 32-bit I/O addressing / 64-bit prefetchable addressing (read-only)
  cs.set8(PCI_IO_BASE, 0xf1);
  cs.set8(PCI_IO_LIMIT, 0x01);
  cs.setWmask8(PCI_IO_BASE, 0xf0);
  cs.setWmask8(PCI_IO_LIMIT, 0xf0);
  cs.setWmask32(PCI_IO_BASE_UPPER16, 0xffffffff);
  cs.setW1c16(PCI_SEC_STATUS, PCI_STATUS_ERROR_BITS);
  cs.set16(PCI_MEMORY_BASE, 0xfff0);
  cs.set16(PCI_MEMORY_LIMIT, 0x0000);
  cs.setWmask16(PCI_MEMORY_BASE, 0xfff0);
  cs.setWmask16(PCI_MEMORY_LIMIT, 0xfff0);
  cs.set16(PCI_PREF_MEMORY_BASE, 0xfff1);
  cs.set16(PCI_PREF_MEMORY_LIMIT, 0x0001);
  cs.setWmask16(PCI_PREF_MEMORY_BASE, 0xfff0);
  cs.setWmask16(PCI_PREF_MEMORY_LIMIT, 0xfff0);
  cs.setWmask32(PCI_PREF_BASE_UPPER32, 0xffffffff);
  cs.setWmask32(PCI_PREF_LIMIT_UPPER32, 0xffffffff);
  encodeRom(cs, PCI_ROM_ADDRESS1, spec.romSize);
  // parity, SERR, ISA, VGA, VGA16, master abort, secondary bus reset
  cs.setWmask16(PCI_BRIDGE_CONTROL, 0x007f);
}
