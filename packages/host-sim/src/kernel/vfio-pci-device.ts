/**
 * A PCI function bound to vfio-pci as a vfio_device (vfio_pci_core.c):
 * device / region info for the fixed PCI index map, region read/write at
 * the region offsets (config space through to the model, BARs with the
 * MSI-X table hidden), reset when the function offers one, and the
 * enable/disable done at first open and last close. Interrupt state is in
 * VfioPciIrqs.
 */
import type { DeviceInfo, RegionInfo } from '@vfioscope/host';
import {
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_PCI_BAR5_REGION_INDEX,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_NUM_IRQS,
  VFIO_PCI_NUM_REGIONS,
  VFIO_PCI_ROM_REGION_INDEX,
  VFIO_PCI_VGA_REGION_INDEX,
  VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
  VFIO_REGION_INFO_FLAG_CAPS,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from '@vfioscope/uapi';
import type { DeviceModel, SimRegion } from '../devices/device-model.ts';
import { fail, hex } from './fail.ts';
import { PCI_COMMAND, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, type PciConfig } from './pci-config.ts';
import { VfioPciIrqs, type IrqEnv } from './vfio-pci-irqs.ts';

/** VFIO_PCI_INDEX_TO_OFFSET(): each region lives at index << 40 in the device fd */
export const regionOffset = (index: number): bigint => BigInt(index) << 40n;

/** the legacy VGA window vfio-pci exposes (0xa0000–0xbffff plus the VGA I/O ports) */
const VGA_REGION_SIZE = 0xc0000n;

export class VfioPciDevice {
  readonly irqs: VfioPciIrqs;
  openCount = 0;
  /** the model decodes the command register (set at enable and read back) */
  private memoryDecodeModelled = false;

  constructor(
    readonly bdf: string,
    readonly model: DeviceModel,
    readonly cfg: PciConfig,
    irqEnv: Omit<IrqEnv, 'bdf' | 'cfg'>,
  ) {
    this.irqs = new VfioPciIrqs({ ...irqEnv, bdf, cfg });
  }

  get resetWorks(): boolean {
    return (this.model.deviceFlags & VFIO_DEVICE_FLAGS_RESET) !== 0;
  }

  private region(index: number): SimRegion | undefined {
    return this.model.regions().find((r) => r.index === index && r.size > 0n);
  }

  info(): DeviceInfo {
    const flags = VFIO_DEVICE_FLAGS_PCI | (this.resetWorks ? VFIO_DEVICE_FLAGS_RESET : 0);
    return { flags, numRegions: VFIO_PCI_NUM_REGIONS, numIrqs: VFIO_PCI_NUM_IRQS };
  }

  /** VFIO_DEVICE_GET_REGION_INFO */
  regionInfo(index: number): RegionInfo {
    const op = 'VFIO_DEVICE_GET_REGION_INFO';
    const ctx = { device: this.bdf, field: 'index' };
    if (!Number.isInteger(index) || index < 0 || index >= VFIO_PCI_NUM_REGIONS) fail('EINVAL', op, `region index ${index} out of range`, ctx);
    const offset = regionOffset(index);
    const r = this.region(index);
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      return { index, offset, size: BigInt(this.cfg.size), flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, capabilities: [] };
    }
    if (index === VFIO_PCI_VGA_REGION_INDEX) {
      if (!r) fail('EINVAL', op, 'not a VGA device', ctx);
      return { index, offset, size: VGA_REGION_SIZE, flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, capabilities: [] };
    }
    if (!r) return { index, offset, size: 0n, flags: 0, capabilities: [] };
    if (index === VFIO_PCI_ROM_REGION_INDEX) return { index, offset, size: r.size, flags: VFIO_REGION_INFO_FLAG_READ, capabilities: [] };
    let flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | (r.flags & VFIO_REGION_INFO_FLAG_MMAP);
    const capabilities: number[] = [];
    if (flags & VFIO_REGION_INFO_FLAG_MMAP && this.cfg.msixTable()?.bar === index) {
      capabilities.push(VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
      flags |= VFIO_REGION_INFO_FLAG_CAPS;
    }
    return { index, offset, size: r.size, flags, capabilities };
  }

  /** pread on the device fd (vfio_pci_rw); a BAR access past the end is cut short like the kernel's */
  read(index: number, offset: bigint, size: number): Uint8Array {
    const n = this.checkAccess('pread', index, offset, size, false);
    if (index > VFIO_PCI_BAR5_REGION_INDEX || index === VFIO_PCI_ROM_REGION_INDEX) return this.model.read(index, offset, n);
    const out = this.model.read(index, offset, n);
    const hidden = this.msixWindow(index, offset, n);
    if (hidden) out.fill(0xff, hidden[0], hidden[1]);
    return out;
  }

  write(index: number, offset: bigint, data: Uint8Array): number {
    const n = this.checkAccess('pwrite', index, offset, data.length, true);
    const hidden = index <= VFIO_PCI_BAR5_REGION_INDEX ? this.msixWindow(index, offset, n) : null;
    if (!hidden) {
      this.model.write(index, offset, data.subarray(0, n));
      return n;
    }
    // writes to the MSI-X vector table are dropped; the rest goes through
    if (hidden[0] > 0) this.model.write(index, offset, data.subarray(0, hidden[0]));
    if (hidden[1] < n) this.model.write(index, offset + BigInt(hidden[1]), data.subarray(hidden[1], n));
    return n;
  }

  /** the bytes [from, to) of an access that fall on the MSI-X table */
  private msixWindow(index: number, offset: bigint, n: number): [number, number] | null {
    const t = this.cfg.msixTable();
    if (!t || t.bar !== index) return null;
    const from = offset > t.offset ? offset : t.offset;
    const end = offset + BigInt(n);
    const tEnd = t.offset + t.size;
    const to = end < tEnd ? end : tEnd;
    return from < to ? [Number(from - offset), Number(to - offset)] : null;
  }

  private checkAccess(op: string, index: number, offset: bigint, size: number, write: boolean): number {
    const ctx = { device: this.bdf, field: 'offset' };
    if (!Number.isInteger(index) || index < 0 || index >= VFIO_PCI_NUM_REGIONS) fail('EINVAL', op, `region index ${index} out of range`, { ...ctx, field: 'index' });
    if (offset < 0n || size < 0) fail('EINVAL', op, 'negative offset or size', ctx);
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      const cfgSize = BigInt(this.cfg.size);
      if (offset >= cfgSize || offset + BigInt(size) > cfgSize) fail('EFAULT', op, `config access ${hex(offset)}+${size} beyond ${hex(cfgSize)}`, ctx);
      return size;
    }
    if (index === VFIO_PCI_ROM_REGION_INDEX && write) fail('EINVAL', op, 'the ROM is read-only', ctx);
    const r = this.region(index);
    if (!r) fail('EINVAL', op, index === VFIO_PCI_VGA_REGION_INDEX ? 'not a VGA device' : `region ${index} is not implemented`, ctx);
    if (offset >= r.size) fail('EINVAL', op, `offset ${hex(offset)} is beyond the ${hex(r.size)}-byte region`, ctx);
    if (index <= VFIO_PCI_BAR5_REGION_INDEX && this.memoryDecodeModelled && !(this.cfg.command() & PCI_COMMAND_MEMORY)) {
      fail('EIO', op, 'memory decode is disabled in the command register', ctx);
    }
    const left = r.size - offset;
    return BigInt(size) > left ? Number(left) : size;
  }

  /** VFIO_DEVICE_RESET: pci_try_reset_function() saves and restores config state around the reset */
  reset(): void {
    if (!this.resetWorks) fail('EINVAL', 'VFIO_DEVICE_RESET', 'the device offers no reset method', { device: this.bdf });
    this.resetKeepingCommand(this.cfg.command());
  }

  private resetKeepingCommand(command: number): void {
    this.model.reset();
    this.cfg.write(PCI_COMMAND, 2, command);
  }

  /** vfio_pci_core_enable(): on the first open of the device */
  enable(): void {
    this.cfg.write(PCI_COMMAND, 2, this.cfg.command() | PCI_COMMAND_MEMORY);
    this.memoryDecodeModelled = (this.cfg.command() & PCI_COMMAND_MEMORY) !== 0;
    if (this.resetWorks) this.resetKeepingCommand(this.cfg.command());
    this.cfg.setIntxDisabled(false);
  }

  /** vfio_pci_core_disable(): on the last close; IRQs off, bus master off, reset if possible */
  disable(): void {
    this.irqs.disableAll();
    const command = this.cfg.command() & ~PCI_COMMAND_MASTER;
    this.cfg.write(PCI_COMMAND, 2, command);
    if (this.resetWorks) this.resetKeepingCommand(command);
  }
}
