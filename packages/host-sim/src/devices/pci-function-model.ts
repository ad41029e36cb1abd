/**
 * A generic PCI function built from a PciFunctionSpec: the config space the
 * builder made, BARs backed by sparse memory with the MSI-X table and PBA
 * where the spec puts them, an optional expansion ROM and legacy VGA window,
 * and interrupts driven by the scenario's load profiles. GPUs, NICs, NVMe,
 * bridges, USB/SATA controllers are all this model with different specs.
 */
import type { ScenarioIrqLoad } from '../scenarios/scenario-types.ts';
import { buildConfigSpace, type CapabilityOffsets } from './config-space/builder.ts';
import type { ConfigSpace } from './config-space/config-space.ts';
import { PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, PCI_MSIX_ENTRY_SIZE, PCI_MSIX_ENTRY_VECTOR_CTRL } from './config-space/pci-regs.ts';
import type { DeviceBus, DeviceModel, SimIrqIndex, SimRegion } from './device-model.ts';
import { DmaFaultDriver, type ScenarioDmaFaults } from './dma-fault-driver.ts';
import { IrqLoadDriver } from './irq-load-driver.ts';
import type { BarSpec, PciFunctionSpec } from './pci-function-spec.ts';
import { SparseMemory } from './sparse-memory.ts';
import {
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_PCI_ROM_REGION_INDEX,
  VFIO_PCI_VGA_REGION_INDEX,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from '@vfioscope/uapi';

/** Size of vfio-pci's legacy VGA region: 0xa0000–0xbffff memory plus the 0x3b0/0x3c0 port ranges. */
export const VGA_REGION_SIZE = 0xc0000n;

const PAGE_SIZE = 4096;

export interface PciFunctionOptions {
  /** the function can be reset by VFIO (FLR, PM or bus reset) → VFIO_DEVICE_FLAGS_RESET */
  reset: boolean;
  /** VGA-compatible display: vfio-pci exposes the VGA region */
  vga: boolean;
  irqLoad?: ScenarioIrqLoad[];
  /** registers with a power-on value (e.g. an NVMe CAP/VS), written into BAR memory at reset */
  initialRegisters?: Array<{ bar: number; offset: number; bytes: Uint8Array }>;
  /**
   * from this reset on (1 = the first since power-on) the function does not
   * come back: every read returns all-ones (vendor 0xffff, header type 0x7f
   * with the multi-function bit), writes go nowhere — a GPU with the reset bug
   */
  resetFailsFrom?: number;
  /** its user DMAs to an unmapped IOVA now and then (dma-fault-driver.ts) */
  dmaFaults?: ScenarioDmaFaults;
}

export class PciFunctionModel implements DeviceModel {
  readonly deviceFlags: number;
  readonly config: ConfigSpace;
  readonly caps: CapabilityOffsets;
  protected bus: DeviceBus | null = null;
  private readonly bars = new Map<number, { spec: BarSpec; mem: SparseMemory }>();
  private readonly rom: Uint8Array | null;
  private readonly vgaMemory: SparseMemory | null;
  private readonly irqIndexes: SimIrqIndex[];
  private readonly load: IrqLoadDriver;
  private readonly faults: DmaFaultDriver;
  /** number of resets performed (FLR through config space or VFIO_DEVICE_RESET) */
  resetCount = 0;
  /** the function stopped answering after a reset: master aborts read as all-ones */
  private gone = false;
  readonly resetMethods: readonly string[];

  constructor(
    readonly spec: PciFunctionSpec,
    private readonly options: PciFunctionOptions,
  ) {
    const built = buildConfigSpace(spec);
    this.config = built.config;
    this.caps = built.caps;
    this.deviceFlags = VFIO_DEVICE_FLAGS_PCI | (options.reset ? VFIO_DEVICE_FLAGS_RESET : 0);
    this.resetMethods = functionResetMethods(spec, options.reset);
    for (const bar of spec.bars) this.bars.set(bar.index, { spec: bar, mem: new SparseMemory(BigInt(bar.size)) });
    this.rom = spec.romSize ? makeRomImage(spec.romSize) : null;
    this.vgaMemory = options.vga ? new SparseMemory(VGA_REGION_SIZE) : null;
    this.irqIndexes = [
      { index: VFIO_PCI_INTX_IRQ_INDEX, count: spec.interruptPin ? 1 : 0 },
      { index: VFIO_PCI_MSI_IRQ_INDEX, count: spec.msi?.vectors ?? 0 },
      { index: VFIO_PCI_MSIX_IRQ_INDEX, count: spec.msix?.vectors ?? 0 },
      // vfio-pci offers the error index only on PCI Express functions
      { index: VFIO_PCI_ERR_IRQ_INDEX, count: spec.pcie ? 1 : 0 },
      { index: VFIO_PCI_REQ_IRQ_INDEX, count: 1 },
    ];
    this.load = new IrqLoadDriver(options.irqLoad ?? [], this.irqIndexes);
    this.faults = new DmaFaultDriver(options.dmaFaults);
    this.config.onWrite((offset, size) => this.onConfigWrite(offset, size));
    this.resetBarContents();
  }

  regions(): SimRegion[] {
    const out: SimRegion[] = [];
    for (let index = 0; index < 6; index++) {
      const bar = this.bars.get(index);
      if (!bar) {
        out.push({ index, size: 0n, flags: 0 });
        continue;
      }
      const mmap = bar.spec.kind !== 'io' && bar.spec.size >= PAGE_SIZE ? VFIO_REGION_INFO_FLAG_MMAP : 0;
      out.push({ index, size: BigInt(bar.spec.size), flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | mmap });
    }
    out.push({
      index: VFIO_PCI_ROM_REGION_INDEX,
      size: BigInt(this.rom?.length ?? 0),
      flags: this.rom ? VFIO_REGION_INFO_FLAG_READ : 0,
    });
    out.push({
      index: VFIO_PCI_CONFIG_REGION_INDEX,
      size: BigInt(this.config.size),
      flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
    });
    // vfio-pci answers EINVAL for the VGA index of a non-VGA function: absent from the list
    if (this.vgaMemory) {
      out.push({
        index: VFIO_PCI_VGA_REGION_INDEX,
        size: VGA_REGION_SIZE,
        flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
      });
    }
    return out;
  }

  irqs(): SimIrqIndex[] {
    return this.irqIndexes.map((i) => ({ ...i }));
  }

  attach(bus: DeviceBus): void {
    this.bus = bus;
    this.load.start(bus.now());
    this.faults.start(bus.now());
  }

  read(index: number, offset: bigint, size: number): Uint8Array {
    if (this.gone) return new Uint8Array(size).fill(0xff);
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) return this.config.read(Number(offset), size);
    if (index === VFIO_PCI_ROM_REGION_INDEX && this.rom) return this.rom.slice(Number(offset), Number(offset) + size);
    if (index === VFIO_PCI_VGA_REGION_INDEX && this.vgaMemory) return this.vgaMemory.read(offset, size);
    return this.barMemory(index).read(offset, size);
  }

  write(index: number, offset: bigint, data: Uint8Array): void {
    if (this.gone) return;
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      this.config.write(Number(offset), data);
      return;
    }
    if (index === VFIO_PCI_ROM_REGION_INDEX) return; // ROM ignores writes
    if (index === VFIO_PCI_VGA_REGION_INDEX && this.vgaMemory) {
      this.vgaMemory.write(offset, data);
      return;
    }
    if (this.isPbaAccess(index, offset, data.length)) return; // the Pending Bit Array is read-only
    this.barMemory(index).write(offset, data);
  }

  reset(): void {
    this.resetCount++;
    this.config.reset();
    this.resetBarContents();
    const failsFrom = this.options.resetFailsFrom;
    if (failsFrom !== undefined && this.resetCount >= failsFrom) this.gone = true;
  }

  /** back from power-off: it answers again and counts resets from power-on (config and BARs were reset already) */
  powerCycle(): void {
    this.resetCount = 0;
    this.gone = false;
  }

  advance(nowMs: number): void {
    if (this.bus) this.load.advance(this.bus, nowMs);
    if (this.bus && !this.gone) this.faults.advance(this.bus, nowMs);
  }

  private barMemory(index: number): SparseMemory {
    const bar = this.bars.get(index);
    if (!bar) throw new RangeError(`region ${index} is not implemented by this function`);
    return bar.mem;
  }

  private isPbaAccess(index: number, offset: bigint, length: number): boolean {
    const msix = this.spec.msix;
    if (!msix || msix.pbaBar !== index) return false;
    const start = BigInt(msix.pbaOffset);
    const end = start + BigInt(Math.ceil(msix.vectors / 64) * 8);
    return offset < end && offset + BigInt(length) > start;
  }

  /** Power-on BAR contents: zeroed memory, every MSI-X entry masked, the spec's initial registers. */
  private resetBarContents(): void {
    for (const { mem } of this.bars.values()) mem.clear();
    this.vgaMemory?.clear();
    const msix = this.spec.msix;
    if (msix) {
      const table = this.barMemory(msix.tableBar);
      const masked = Uint8Array.of(1, 0, 0, 0);
      for (let v = 0; v < msix.vectors; v++) {
        table.write(BigInt(msix.tableOffset + v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL), masked);
      }
    }
    for (const r of this.options.initialRegisters ?? []) this.barMemory(r.bar).write(BigInt(r.offset), r.bytes);
  }

  /** Initiate Function Level Reset (PCIe DevCtl bit 15) resets the function, as pcie_flr() expects. */
  private onConfigWrite(offset: number, size: number): void {
    const devctl = this.caps.pcie === null ? -1 : this.caps.pcie + PCI_EXP_DEVCTL;
    if (devctl < 0 || offset > devctl + 1 || offset + size <= devctl + 1) return;
    if (this.config.get16(devctl) & PCI_EXP_DEVCTL_BCR_FLR) {
      this.reset();
    }
  }
}

/** An option ROM image: the 0x55AA signature and its length in 512-byte units, the rest zero. */
function makeRomImage(size: number): Uint8Array {
  const rom = new Uint8Array(size);
  rom[0] = 0x55;
  rom[1] = 0xaa;
  rom[2] = Math.min(0xff, size / 512);
  return rom;
}

/**
 * The function's own reset methods as the PCI core probes them: flr when PCIe
 * DevCap says FLR (pcie_reset_flr), pm when D3hot→D0 resets it (pci_pm_reset:
 * a PM capability without No_Soft_Reset). A scenario that says the function
 * resets without naming how gets flr.
 */
function functionResetMethods(spec: PciFunctionSpec, canReset: boolean): string[] {
  if (!canReset) return [];
  const methods: string[] = [];
  if (spec.pcie?.flr) methods.push('flr');
  if (spec.pm !== undefined && !spec.pm.noSoftReset) methods.push('pm');
  return methods.length > 0 ? methods : ['flr'];
}
