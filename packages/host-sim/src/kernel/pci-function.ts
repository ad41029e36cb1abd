/**
 * One PCI function of the simulated host as the PCI core knows it: its
 * scenario identity, the driver bound to it (and sysfs driver_override),
 * the device model behind it, and — while vfio-pci is bound — its vfio
 * device. Interrupts of a function owned by another process (a simulated
 * QEMU) are counted on that process's /proc/interrupts lines.
 */
import type { ScenarioDevice } from '../scenarios/scenario-types.ts';
import type { DeviceBus, DeviceModel } from '../devices/device-model.ts';
import { PciConfig } from './pci-config.ts';
import type { VfioPciDevice } from './vfio-pci-device.ts';
import type { HostIrqLine } from './vfio-pci-irqs.ts';

/**
 * Drivers that do not claim kernel DMA ownership of the group
 * (driver_managed_dma, Linux 5.19+): VFIO bus drivers, pci-stub and the PCIe
 * port driver. Any other driver makes the IOMMU group not viable.
 */
export function isDmaManagedDriver(driver: string): boolean {
  return driver === 'pci-stub' || driver === 'pcieport' || /vfio/.test(driver);
}

/** vfio-pci or a vfio-pci variant driver: the device registers as a vfio_device */
export function isVfioDriver(driver: string | null): boolean {
  return driver !== null && /vfio/.test(driver);
}

export class SimPciFunction {
  driver: string | null;
  driverOverride: string | null = null;
  vfio: VfioPciDevice | null = null;
  /** lines of a function whose group a scenario process holds, keyed "index/vector" */
  readonly foreignLines = new Map<string, HostIrqLine>();
  readonly cfg: PciConfig;
  /** the bus the model was attached with: its only way to interrupt and do DMA */
  bus!: DeviceBus;

  constructor(
    readonly spec: ScenarioDevice,
    readonly model: DeviceModel,
  ) {
    this.driver = spec.driver;
    if (this.driver === 'vfio-pci') this.driverOverride = 'vfio-pci';
    this.cfg = new PciConfig(model);
  }

  get bdf(): string {
    return this.spec.bdf;
  }

  get group(): number {
    return this.spec.group;
  }

  /** header type 1: a bridge, which vfio-pci refuses to bind */
  get isBridge(): boolean {
    return (this.cfg.read(0x0e, 1) & 0x7f) === 1;
  }
}
