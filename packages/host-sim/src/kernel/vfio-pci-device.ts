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
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
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
import type { IommufdDevice } from './iommufd.ts';
import { PCI_COMMAND, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, type PciConfig } from './pci-config.ts';
import { VfioPciIrqs, type IrqEnv } from './vfio-pci-irqs.ts';
import { VirtualBars, isBarByte } from './vfio-pci-vbars.ts';

/** VFIO_PCI_INDEX_TO_OFFSET(): each region lives at index << 40 in the device fd */
export const regionOffset = (index: number): bigint => BigInt(index) << 40n;

const PCI_CAP_ID_MSI = 0x05;
const PCI_CAP_ID_MSIX = 0x11;

/**
 * vfio_pci_core_do_io_rw() in Linux 6.1 moves a BAR access in naturally
 * aligned pieces of at most 4 bytes; since 6.11 an 8-byte aligned piece goes
 * as one 8-byte access (measured: an 8-byte pread of edu BAR0 is two 4-byte
 * accesses on 6.1, one on 6.12). A device behind vfio-pci never sees an
 * access wider than `maxPiece` or an unaligned one from pread/pwrite.
 * Yields [offset within the access, length].
 */
export function* ioPieces(offset: bigint, n: number, maxPiece: 4 | 8 = 4): Generator<[number, number]> {
  let at = 0;
  while (at < n) {
    const misalign = Number((offset + BigInt(at)) & 7n);
    const left = n - at;
    const len =
      maxPiece === 8 && left >= 8 && misalign === 0 ? 8 : left >= 4 && misalign % 4 === 0 ? 4 : left >= 2 && misalign % 2 === 0 ? 2 : 1;
    yield [at, len];
    at += len;
  }
}

/** the legacy VGA window vfio-pci exposes (0xa0000–0xbffff plus the VGA I/O ports) */
const VGA_REGION_SIZE = 0xc0000n;

export class VfioPciDevice {
  readonly irqs: VfioPciIrqs;
  /** device->open_count: group-path device fds, or the one bound cdev */
  openCount = 0;
  /** vdev->iommufd_device: the binding while the device is open through iommufd (its cdev, or a compat container) */
  iommufd: IommufdDevice | null = null;
  /** open files of /dev/vfio/devices/vfioN (bound or not): each holds the device's registration */
  cdevFiles = 0;
  /** the model decodes the command register (set at enable and read back) */
  private memoryDecodeModelled = false;
  /** the user's view of the MSI / MSI-X Enable bits, by IRQ index */
  private readonly virtualEnable = new Map<number, boolean>();
  private readonly vbars: VirtualBars;
  /**
   * vconfig's vendor and device id: vfio_pci_config.c virtualizes both
   * (init_pci_cap_basic_perm, ALL_VIRT), so a user reads the ids seen at
   * bind even from a function that no longer answers; the header type is
   * not virtualized and shows the truth
   */
  private readonly ids: Uint8Array;

  constructor(
    readonly bdf: string,
    readonly model: DeviceModel,
    readonly cfg: PciConfig,
    irqEnv: Omit<IrqEnv, 'bdf' | 'cfg'>,
    /** the kernel's widest BAR access piece (KernelProfile.barAccessPiece) */
    private readonly maxPiece: 4 | 8 = 4,
  ) {
    this.irqs = new VfioPciIrqs({ ...irqEnv, bdf, cfg });
    this.vbars = new VirtualBars(cfg, model);
    this.ids = model.read(VFIO_PCI_CONFIG_REGION_INDEX, 0n, 4);
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
    if (!Number.isInteger(index) || index < 0 || index >= VFIO_PCI_NUM_REGIONS)
      fail('EINVAL', op, `region index ${index} out of range`, ctx);
    const offset = regionOffset(index);
    const r = this.region(index);
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      return {
        index,
        offset,
        size: BigInt(this.cfg.size),
        flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
        capabilities: [],
      };
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
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      const out = this.withVirtualEnables(offset, this.model.read(index, offset, n));
      this.vbars.overlay(Number(offset), out);
      for (let i = 0; i < n && offset + BigInt(i) < 4n; i++) out[i] = this.ids[Number(offset) + i]!;
      return out;
    }
    if (index > VFIO_PCI_BAR5_REGION_INDEX || index === VFIO_PCI_ROM_REGION_INDEX) return this.model.read(index, offset, n);
    const out = new Uint8Array(n);
    for (const [at, len] of ioPieces(offset, n, this.maxPiece)) out.set(this.model.read(index, offset + BigInt(at), len), at);
    const hidden = this.msixWindow(index, offset, n);
    if (hidden) out.fill(0xff, hidden[0], hidden[1]);
    return out;
  }

  write(index: number, offset: bigint, data: Uint8Array): number {
    const n = this.writeThrough(index, offset, data);
    this.irqs.intx.observeLevel();
    return n;
  }

  private writeThrough(index: number, offset: bigint, data: Uint8Array): number {
    const n = this.checkAccess('pwrite', index, offset, data.length, true);
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      const bytes = this.keepPhysicalEnables(offset, data.subarray(0, n));
      this.vbars.write(Number(offset), bytes);
      this.model.write(index, offset, this.keepPhysicalBars(Number(offset), bytes));
      return n;
    }
    if (index > VFIO_PCI_BAR5_REGION_INDEX) {
      this.model.write(index, offset, data.subarray(0, n));
      return n;
    }
    const hidden = this.msixWindow(index, offset, n);
    for (const [at, len] of ioPieces(offset, n, this.maxPiece)) {
      // writes to the MSI-X vector table are dropped; the rest goes through
      if (hidden && at < hidden[1] && at + len > hidden[0]) continue;
      this.model.write(index, offset + BigInt(at), data.subarray(at, at + len));
    }
    return n;
  }

  /**
   * The MSI and MSI-X Enable bits the user reads and writes are vfio-pci's
   * virtual copy (vfio_pci_config.c virtualizes both control words): SET_IRQS
   * sets the device's real bit but not the copy, and the user's write of the
   * bit never reaches the device; it sticks in the copy only while that index
   * is enabled through SET_IRQS. Measured on Linux 6.1 (e2e/kernel compare).
   */
  private enableBits(): { at: number; mask: number; index: number }[] {
    const bits: { at: number; mask: number; index: number }[] = [];
    const msi = this.cfg.findCap(PCI_CAP_ID_MSI);
    if (msi !== null) bits.push({ at: msi + 2, mask: 0x01, index: VFIO_PCI_MSI_IRQ_INDEX });
    const msix = this.cfg.findCap(PCI_CAP_ID_MSIX);
    if (msix !== null) bits.push({ at: msix + 3, mask: 0x80, index: VFIO_PCI_MSIX_IRQ_INDEX });
    return bits;
  }

  private withVirtualEnables(offset: bigint, bytes: Uint8Array): Uint8Array {
    const out = Uint8Array.from(bytes);
    for (const b of this.enableBits()) {
      const i = b.at - Number(offset);
      if (i < 0 || i >= out.length) continue;
      out[i] = (out[i]! & ~b.mask) | (this.virtualEnable.get(b.index) ? b.mask : 0);
    }
    return out;
  }

  private keepPhysicalEnables(offset: bigint, data: Uint8Array): Uint8Array {
    const out = Uint8Array.from(data);
    for (const b of this.enableBits()) {
      const i = b.at - Number(offset);
      if (i < 0 || i >= out.length) continue;
      this.virtualEnable.set(b.index, (out[i]! & b.mask) !== 0 && this.irqs.msi.enabledIndex === b.index);
      out[i] = (out[i]! & ~b.mask) | (this.cfg.read(b.at, 1) & b.mask);
    }
    return out;
  }

  /** BAR bytes of a config write never reach the device: they carry its current values */
  private keepPhysicalBars(off: number, data: Uint8Array): Uint8Array {
    if (![...data.keys()].some((k) => isBarByte(off + k))) return data;
    const phys = this.model.read(VFIO_PCI_CONFIG_REGION_INDEX, BigInt(off), data.length);
    return data.map((b, k) => (isBarByte(off + k) ? phys[k]! : b));
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
    if (!Number.isInteger(index) || index < 0 || index >= VFIO_PCI_NUM_REGIONS)
      fail('EINVAL', op, `region index ${index} out of range`, { ...ctx, field: 'index' });
    if (offset < 0n || size < 0) fail('EINVAL', op, 'negative offset or size', ctx);
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      const cfgSize = BigInt(this.cfg.size);
      if (offset >= cfgSize || offset + BigInt(size) > cfgSize)
        fail('EFAULT', op, `config access ${hex(offset)}+${size} beyond ${hex(cfgSize)}`, ctx);
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
    this.resetRestoringState(this.cfg.command());
  }

  /** a secondary bus reset of the bridge above (pci_reset_bus), with the same save and restore */
  busReset(): void {
    this.resetRestoringState(this.cfg.command());
  }

  /**
   * pci_try_reset_function() and vfio-pci's enable/disable save the config
   * state and restore it after the reset (pci_restore_state): the BARs and
   * interrupt line the firmware assigned survive, and `command` is written last.
   */
  private resetRestoringState(command: number): void {
    const saved = [0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30, 0x3c].map(
      (off) => [off, this.cfg.read(off, off === 0x0c || off === 0x3c ? 1 : 4)] as const,
    );
    this.model.reset();
    for (const [off, v] of saved) this.cfg.write(off, off === 0x0c || off === 0x3c ? 1 : 4, v);
    this.cfg.write(PCI_COMMAND, 2, command);
  }

  /** vfio_pci_core_enable(): on the first open of the device */
  enable(): void {
    this.virtualEnable.clear();
    this.cfg.write(PCI_COMMAND, 2, this.cfg.command() | PCI_COMMAND_MEMORY);
    this.memoryDecodeModelled = (this.cfg.command() & PCI_COMMAND_MEMORY) !== 0;
    if (this.resetWorks) this.resetRestoringState(this.cfg.command());
    this.cfg.setIntxDisabled(false);
    this.vbars.capture();
  }

  /** vfio_pci_core_disable(): on the last close; IRQs off, bus master off, reset if possible */
  disable(): void {
    this.irqs.disableAll();
    const command = this.cfg.command() & ~PCI_COMMAND_MASTER;
    this.cfg.write(PCI_COMMAND, 2, command);
    if (this.resetWorks) this.resetRestoringState(command);
  }
}
