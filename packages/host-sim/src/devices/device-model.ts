/**
 * A simulated PCI function as the sim kernel's vfio-pci sees it. The kernel
 * side (packages/host-sim/src/kernel) owns the VFIO rules: fds, IRQ
 * enable/mask state, eventfds, IOMMU translation, pinning. A DeviceModel owns
 * only what the hardware owns: its config space, BAR contents, side effects of
 * register accesses, reset, and the interrupts and DMA it initiates.
 *
 * Guarantees a model gives the kernel:
 * - regions() and irqs() are fixed for the model's lifetime (like hardware).
 * - read/write are only called with ranges inside a region the model
 *   declared, with the access size the caller asked for.
 * - it raises interrupts and does DMA only through the DeviceBus it was
 *   attached with, so the kernel can apply masking and IOMMU rules.
 */

/** A region the device exposes at a VFIO PCI region index (BAR0..5, ROM, CONFIG, VGA). */
export interface SimRegion {
  index: number;
  size: bigint;
  /** VFIO_REGION_INFO_FLAG_READ | WRITE | MMAP */
  flags: number;
}

/** An IRQ index the device offers (INTX, MSI, MSIX, ERR, REQ) with its vector count. */
export interface SimIrqIndex {
  index: number;
  count: number;
}

/** The path from a device to the (simulated) kernel. */
export interface DeviceBus {
  /** the device asserts an interrupt `times` times on (index, vector); the kernel applies enable/mask rules */
  raiseIrq(index: number, vector: number, times?: number): void;
  /** bus-master read through the IOMMU; throws a VfioError('EFAULT'…) style fault when unmapped or not permitted */
  dmaRead(iova: bigint, length: number): Uint8Array;
  /** bus-master write through the IOMMU */
  dmaWrite(iova: bigint, data: Uint8Array): void;
  /** milliseconds on the sim clock */
  now(): number;
}

export interface DeviceModel {
  /** VFIO_DEVICE_FLAGS_* this function reports (PCI, RESET when it has a reset method) */
  readonly deviceFlags: number;
  /**
   * the reset methods the function itself offers, in the PCI core's order
   * (drivers/pci/pci.c pci_reset_fn_methods: device_specific, acpi, flr,
   * af_flr, pm); `bus` depends on where it sits and the kernel adds it
   */
  readonly resetMethods: readonly string[];
  regions(): SimRegion[];
  irqs(): SimIrqIndex[];
  attach(bus: DeviceBus): void;
  /** region access; CONFIG region reads include the capability list */
  read(index: number, offset: bigint, size: number): Uint8Array;
  write(index: number, offset: bigint, data: Uint8Array): void;
  /** function-level reset: device registers to power-on state (the kernel keeps the IRQ programming) */
  reset(): void;
  /**
   * power removed and restored (a slot power cycle, or the host's): the way
   * back for a function that did not come back from a reset
   */
  powerCycle?(): void;
  /**
   * Advance the device's own activity (load profiles, DMA engine, timers) to
   * `nowMs`. Called by the kernel before any observation of the device's
   * effects (eventfd reads, region reads, /proc/interrupts).
   */
  advance(nowMs: number): void;
}
