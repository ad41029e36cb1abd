/**
 * QEMU's `edu` educational PCI device (QEMU hw/misc/edu.c, docs/specs/edu.rst),
 * modelled from its documented and observable behaviour so the same tests can
 * drive this model and a real edu behind vfio-pci in a QEMU guest.
 *
 * Identity: 1234:11e8 rev 0x10, class 0x00ff00 (unclassified "other"),
 * subsystem 1af4:1100 (QEMU's default), conventional PCI (no PCI Express
 * capability, so a 256-byte config space and no ERR IRQ index), INTA, one MSI
 * vector with a 64-bit address and no per-vector mask as the only capability,
 * BAR0 = 1 MiB 32-bit non-prefetchable MMIO. No FLR, no PM and alone on its
 * bus: vfio-pci offers no reset (VFIO_DEVICE_RESET fails with EINVAL).
 *
 * BAR0 registers (4-byte accesses below 0x80, 4 or 8 bytes from 0x80). QEMU
 * 7.2's edu declares 4- to 8-byte accesses valid, so QEMU's memory core
 * rejects a 1-, 2- or 3-byte access before edu sees it: it reads 0 and a
 * write is dropped (measured through vfio-pci in the real-kernel test bed);
 * an 8-byte access below 0x80 reaches edu, which ignores it and reads
 * all-ones (vfio-pci in Linux 6.1 never makes one: it splits to 4 bytes):
 *   0x00 RO  identification 0x010000ed (major 1, minor 0, 0xed)
 *   0x04 RW  liveness check: reads back the bitwise inverse of what was written
 *   0x08 RW  factorial: writing starts a computation (ignored while one runs);
 *            reading gives the result once status bit 0 clears
 *   0x20 RW  status: bit 0 computing (RO), bit 7 raise interrupt 0x001 when a
 *            factorial completes
 *   0x24 RO  interrupt status: which causes are pending
 *   0x60 WO  interrupt raise: OR the value into interrupt status and signal
 *   0x64 WO  interrupt acknowledge: clear the value's bits from interrupt status
 *   0x80 RW  DMA source address      0x88 RW DMA destination address
 *   0x90 RW  DMA transfer count      0x98 RW DMA command:
 *            bit 0 start (clears when done), bit 1 direction (0 = RAM → edu,
 *            1 = edu → RAM), bit 2 raise interrupt 0x100 when done.
 *   The DMA registers ignore writes while a transfer runs. The edu side of a
 *   transfer is its 4 KiB buffer at device address 0x40000; the RAM side is an
 *   IOVA clamped to edu's 28-bit DMA mask.
 *
 * Interrupts: with MSI Enable set in this function's MSI capability, every
 * raise sends one MSI message on vector 0. Otherwise INTA is a level: asserted
 * while interrupt status ≠ 0 (and Interrupt Disable is clear), reflected in
 * the Interrupt Status bit of the PCI status register, deasserted by ack (or
 * when MSI gets enabled). The sim kernel is told about INTx on every assertion
 * and again at each advance() while the level stays asserted — the way a
 * still-asserted line fires again as soon as vfio-pci unmasks it.
 *
 * DMA happens only with Bus Master Enable set in the command register: without
 * it the request never reaches the bus, RAM → edu transfers fill the buffer with
 * zeros (what QEMU's disabled bus-master address space returns) and edu → RAM
 * writes are dropped. An IOMMU fault (DeviceBus throws) behaves the same and is
 * counted in `dmaFaults`. A transfer whose edu side falls outside the buffer is
 * skipped (QEMU only logs it).
 */
import { buildConfigSpace, type CapabilityOffsets } from './config-space/builder.ts';
import { msiEnabled } from './config-space/capabilities.ts';
import type { ConfigSpace } from './config-space/config-space.ts';
import { PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, PCI_COMMAND_MASTER, PCI_STATUS, PCI_STATUS_INTERRUPT } from './config-space/pci-regs.ts';
import type { DeviceBus, DeviceModel, SimIrqIndex, SimRegion } from './device-model.ts';
import {
  EDU_BAR0_SIZE,
  EDU_DMA_BUFFER_ADDR,
  EDU_DMA_BUFFER_SIZE,
  EDU_DMA_CMD_IRQ,
  EDU_DMA_CMD_START,
  EDU_DMA_CMD_TO_RAM,
  EDU_DMA_MASK,
  EDU_ID,
  EDU_IRQ_DMA,
  EDU_IRQ_FACTORIAL,
  EDU_REG,
  EDU_SPEC,
  EDU_STATUS_COMPUTING,
  EDU_STATUS_IRQFACT,
} from './edu-registers.ts';
import { leBytes, leValue } from './sparse-memory.ts';
import {
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_PCI_BAR0_REGION_INDEX,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_MSI_IRQ_INDEX,
  VFIO_PCI_MSIX_IRQ_INDEX,
  VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_PCI_ROM_REGION_INDEX,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from '@vfioscope/uapi';

export * from './edu-registers.ts';

export interface EduOptions {
  /** sim-clock delay from a DMA start to its completion; QEMU's edu uses a 100 ms virtual-clock timer */
  dmaDelayMs?: number;
  /** delay of a factorial computation (edu computes it on a thread, effectively at once) */
  factorialDelayMs?: number;
}

export class EduModel implements DeviceModel {
  readonly deviceFlags = VFIO_DEVICE_FLAGS_PCI;
  /** QEMU's edu has no PCIe FLR and no PM capability */
  readonly resetMethods: readonly string[] = [];
  readonly config: ConfigSpace;
  readonly caps: CapabilityOffsets;
  private bus: DeviceBus | null = null;
  private readonly dmaDelayMs: number;
  private readonly factorialDelayMs: number;

  private addr4 = 0;
  private fact = 0;
  private status = 0;
  private irqStatus = 0;
  private dma = { src: 0n, dst: 0n, cnt: 0n, cmd: 0n };
  readonly dmaBuffer = new Uint8Array(EDU_DMA_BUFFER_SIZE);
  private factorialDoneAt: number | null = null;
  private dmaDoneAt: number | null = null;
  /** INTA level as the device drives it (interrupt status ≠ 0, MSI off) */
  private intxLevel = false;
  /** the level as it reaches the interrupt controller (Interrupt Disable clear) */
  private lineAsserted = false;
  /** DMA requests the IOMMU refused */
  dmaFaults = 0;

  constructor(options: EduOptions = {}) {
    const built = buildConfigSpace(EDU_SPEC);
    this.config = built.config;
    this.caps = built.caps;
    this.dmaDelayMs = options.dmaDelayMs ?? 100;
    this.factorialDelayMs = options.factorialDelayMs ?? 0;
    this.config.onWrite(() => this.updateIntx());
  }

  regions(): SimRegion[] {
    const out: SimRegion[] = [];
    for (let index = 0; index < 6; index++) {
      out.push(
        index === VFIO_PCI_BAR0_REGION_INDEX
          ? {
              index,
              size: BigInt(EDU_BAR0_SIZE),
              flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP,
            }
          : { index, size: 0n, flags: 0 },
      );
    }
    out.push({ index: VFIO_PCI_ROM_REGION_INDEX, size: 0n, flags: 0 });
    out.push({
      index: VFIO_PCI_CONFIG_REGION_INDEX,
      size: BigInt(this.config.size),
      flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
    });
    return out;
  }

  irqs(): SimIrqIndex[] {
    return [
      { index: VFIO_PCI_INTX_IRQ_INDEX, count: 1 },
      { index: VFIO_PCI_MSI_IRQ_INDEX, count: 1 },
      { index: VFIO_PCI_MSIX_IRQ_INDEX, count: 0 },
      { index: VFIO_PCI_ERR_IRQ_INDEX, count: 0 },
      { index: VFIO_PCI_REQ_IRQ_INDEX, count: 1 },
    ];
  }

  attach(bus: DeviceBus): void {
    this.bus = bus;
  }

  read(index: number, offset: bigint, size: number): Uint8Array {
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) return this.config.read(Number(offset), size);
    if (index !== VFIO_PCI_BAR0_REGION_INDEX) throw new RangeError(`edu has no region ${index}`);
    const value = this.mmioRead(Number(offset), size);
    return leBytes(value, size);
  }

  write(index: number, offset: bigint, data: Uint8Array): void {
    if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
      this.config.write(Number(offset), data);
      return;
    }
    if (index !== VFIO_PCI_BAR0_REGION_INDEX) throw new RangeError(`edu has no region ${index}`);
    this.mmioWrite(Number(offset), data.length, leValue(data));
  }

  /** Power-on state: config space and every register, the DMA buffer cleared, work in flight dropped. */
  reset(): void {
    this.config.reset();
    this.addr4 = 0;
    this.fact = 0;
    this.status = 0;
    this.irqStatus = 0;
    this.dma = { src: 0n, dst: 0n, cnt: 0n, cmd: 0n };
    this.dmaBuffer.fill(0);
    this.factorialDoneAt = null;
    this.dmaDoneAt = null;
    this.updateIntx();
  }

  advance(nowMs: number): void {
    const assertedBefore = this.lineAsserted;
    if (this.factorialDoneAt !== null && nowMs >= this.factorialDoneAt) this.finishFactorial();
    if (this.dmaDoneAt !== null && nowMs >= this.dmaDoneAt) this.finishDma();
    // a level interrupt that is still asserted fires again once the kernel unmasks it
    // (a line that rose during this step has just been reported)
    if (assertedBefore && this.lineAsserted) this.bus?.raiseIrq(VFIO_PCI_INTX_IRQ_INDEX, 0);
  }

  /** The INTA line is asserted right now (for a kernel that wants to re-check the level on unmask). */
  intxAsserted(): boolean {
    return this.lineAsserted;
  }

  // --- BAR0 ---

  private mmioRead(addr: number, size: number): bigint {
    const allOnes = (1n << BigInt(size * 8)) - 1n;
    if (size < 4) return 0n;
    if (addr < 0x80 ? size !== 4 : size !== 4 && size !== 8) return allOnes;
    switch (addr) {
      case EDU_REG.ID:
        return BigInt(EDU_ID);
      case EDU_REG.LIVENESS:
        return BigInt(this.addr4);
      case EDU_REG.FACTORIAL:
        return BigInt(this.fact);
      case EDU_REG.STATUS:
        return BigInt(this.status);
      case EDU_REG.IRQ_STATUS:
        return BigInt(this.irqStatus);
      case EDU_REG.DMA_SRC:
        return this.dma.src & allOnes;
      case EDU_REG.DMA_DST:
        return this.dma.dst & allOnes;
      case EDU_REG.DMA_COUNT:
        return this.dma.cnt & allOnes;
      case EDU_REG.DMA_CMD:
        return this.dma.cmd & allOnes;
      default:
        return allOnes;
    }
  }

  private mmioWrite(addr: number, size: number, value: bigint): void {
    if (addr < 0x80 ? size !== 4 : size !== 4 && size !== 8) return;
    const v32 = Number(value & 0xffffffffn);
    switch (addr) {
      case EDU_REG.LIVENESS:
        this.addr4 = ~v32 >>> 0;
        break;
      case EDU_REG.FACTORIAL:
        if (this.status & EDU_STATUS_COMPUTING) break;
        this.fact = v32;
        this.status |= EDU_STATUS_COMPUTING;
        this.factorialDoneAt = this.now() + this.factorialDelayMs;
        break;
      case EDU_REG.STATUS:
        // only the raise-on-completion bit is writable; computing is the device's
        this.status = v32 & EDU_STATUS_IRQFACT ? this.status | EDU_STATUS_IRQFACT : this.status & ~EDU_STATUS_IRQFACT;
        break;
      case EDU_REG.IRQ_RAISE:
        this.raise(v32);
        break;
      case EDU_REG.IRQ_ACK:
        this.lower(v32);
        break;
      case EDU_REG.DMA_SRC:
        if (!this.dmaRunning()) this.dma.src = value;
        break;
      case EDU_REG.DMA_DST:
        if (!this.dmaRunning()) this.dma.dst = value;
        break;
      case EDU_REG.DMA_COUNT:
        if (!this.dmaRunning()) this.dma.cnt = value;
        break;
      case EDU_REG.DMA_CMD:
        if (!(value & BigInt(EDU_DMA_CMD_START)) || this.dmaRunning()) break;
        this.dma.cmd = value;
        this.dmaDoneAt = this.now() + this.dmaDelayMs;
        break;
    }
  }

  // --- factorial ---

  private finishFactorial(): void {
    this.factorialDoneAt = null;
    let n = this.fact;
    let result = 1;
    while (n > 0) result = Math.imul(result, n--) >>> 0;
    this.fact = result;
    this.status &= ~EDU_STATUS_COMPUTING;
    if (this.status & EDU_STATUS_IRQFACT) this.raise(EDU_IRQ_FACTORIAL);
  }

  // --- DMA engine ---

  private dmaRunning(): boolean {
    return (this.dma.cmd & BigInt(EDU_DMA_CMD_START)) !== 0n;
  }

  private finishDma(): void {
    this.dmaDoneAt = null;
    if (!this.dmaRunning()) return;
    const toRam = (this.dma.cmd & BigInt(EDU_DMA_CMD_TO_RAM)) !== 0n;
    const bufferAddr = toRam ? this.dma.src : this.dma.dst;
    const ramAddr = (toRam ? this.dma.dst : this.dma.src) & EDU_DMA_MASK;
    const count = this.dma.cnt;
    const inBuffer = bufferAddr >= EDU_DMA_BUFFER_ADDR && bufferAddr + count <= EDU_DMA_BUFFER_ADDR + BigInt(EDU_DMA_BUFFER_SIZE);
    if (inBuffer && count > 0n) {
      const at = Number(bufferAddr - EDU_DMA_BUFFER_ADDR);
      const n = Number(count);
      if (toRam) this.dmaToRam(ramAddr, this.dmaBuffer.slice(at, at + n));
      else this.dmaBuffer.set(this.dmaFromRam(ramAddr, n), at);
    }
    this.dma.cmd &= ~BigInt(EDU_DMA_CMD_START);
    if (this.dma.cmd & BigInt(EDU_DMA_CMD_IRQ)) this.raise(EDU_IRQ_DMA);
  }

  private busMaster(): boolean {
    return (this.config.get16(PCI_COMMAND) & PCI_COMMAND_MASTER) !== 0;
  }

  private dmaFromRam(iova: bigint, length: number): Uint8Array {
    if (!this.bus || !this.busMaster()) return new Uint8Array(length);
    try {
      return this.bus.dmaRead(iova, length);
    } catch {
      this.dmaFaults++;
      return new Uint8Array(length);
    }
  }

  private dmaToRam(iova: bigint, data: Uint8Array): void {
    if (!this.bus || !this.busMaster()) return;
    try {
      this.bus.dmaWrite(iova, data);
    } catch {
      this.dmaFaults++;
    }
  }

  // --- interrupts ---

  private raise(causes: number): void {
    this.irqStatus = (this.irqStatus | causes) >>> 0;
    if (this.irqStatus === 0) return;
    if (msiEnabled(this.config, this.caps.msi)) {
      // An MSI is a memory write by the device: like DMA it needs Bus Master
      // (QEMU sends it through the bus-master address space; the real
      // kernel's guest run counted nothing without it).
      if (this.busMaster()) this.bus?.raiseIrq(VFIO_PCI_MSI_IRQ_INDEX, 0);
      return;
    }
    this.updateIntx();
  }

  private lower(causes: number): void {
    this.irqStatus = (this.irqStatus & ~causes) >>> 0;
    this.updateIntx();
  }

  private intxDeliverable(): boolean {
    return (this.config.get16(PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) === 0;
  }

  /** Recompute the INTA level; tell the kernel on a rising edge of the delivered line. */
  private updateIntx(): void {
    // enabling MSI deasserts INTx (QEMU's msi_write_config does the same)
    this.intxLevel = this.irqStatus !== 0 && !msiEnabled(this.config, this.caps.msi);
    this.config.update16(PCI_STATUS, PCI_STATUS_INTERRUPT, this.intxLevel);
    const asserted = this.intxLevel && this.intxDeliverable();
    if (asserted && !this.lineAsserted) this.bus?.raiseIrq(VFIO_PCI_INTX_IRQ_INDEX, 0);
    this.lineAsserted = asserted;
  }

  private now(): number {
    return this.bus?.now() ?? 0;
  }
}
