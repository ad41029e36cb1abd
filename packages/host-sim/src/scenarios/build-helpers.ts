/**
 * Small helpers for writing built-in scenarios: PCI addresses, IOMMU group
 * numbering in discovery order, and the shapes that repeat (a root port with
 * one endpoint, an SR-IOV PF with its VFs).
 */
import type { LoadProfile, ScenarioDevice, ScenarioIrqLoad } from './scenario-types.ts';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function bdf(bus: number, device: number, fn = 0, domain = 0): string {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(device, 2)}.${fn}`;
}

/** Hands out IOMMU group numbers in the order the kernel discovers devices. */
export class GroupCounter {
  private next = 0;
  constructor(start = 0) {
    this.next = start;
  }
  take(): number {
    return this.next++;
  }
}

export function load(index: ScenarioIrqLoad['index'], vector: number | 'all', profile: LoadProfile): ScenarioIrqLoad {
  return { index, vector, profile };
}

/** An Intel Xeon Scalable PCIe root port (own group thanks to ACS) on `bus`, leading to `secondaryBus`. */
export function rootPort(at: string, group: number, secondaryBus: number, numaNode: number): ScenarioDevice {
  return {
    bdf: at,
    kind: 'pci-bridge',
    bridgeType: 'root-port',
    secondaryBus,
    vendorId: 0x8086,
    deviceId: 0x347a,
    classCode: 0x060400,
    vendorName: 'Intel Corporation',
    deviceName: 'Ice Lake-SP PCI Express Root Port',
    group,
    driver: 'pcieport',
    numaNode,
  };
}

export interface SriovNicOptions {
  pfBdf: { bus: number; device: number; fn?: number };
  numaNode: number;
  groups: GroupCounter;
  vfCount: number;
  vfMsix?: number;
  /** driver of VF i, and its irq load (undefined = none) */
  vfDriver: (i: number) => string | null;
  vfLoad?: (i: number) => ScenarioIrqLoad[] | undefined;
  pfDriver?: string | null;
}

/**
 * An Intel E810-C PF and `vfCount` VFs. The PF's ACS puts every VF in a
 * group of its own; VFs follow at routing id offset 0x100, stride 1 (on the
 * next bus when ARI is enabled, as on real E810 ports).
 */
export function e810WithVfs(o: SriovNicOptions): ScenarioDevice[] {
  const { bus, device, fn = 0 } = o.pfBdf;
  const pf: ScenarioDevice = {
    bdf: bdf(bus, device, fn),
    kind: 'nic-pf',
    vendorId: 0x8086,
    deviceId: 0x1592,
    subsystemVendorId: 0x8086,
    subsystemDeviceId: 0x0002,
    classCode: 0x020000,
    vendorName: 'Intel Corporation',
    deviceName: 'Ethernet Controller E810-C for QSFP',
    group: o.groups.take(),
    driver: o.pfDriver === undefined ? 'ice' : o.pfDriver,
    numaNode: o.numaNode,
    msixVectors: 1024,
    msiVectors: 1,
    reset: true,
    numVfs: o.vfCount,
  };
  const out = [pf];
  for (let i = 0; i < o.vfCount; i++) {
    const irqLoad = o.vfLoad?.(i);
    // routing id = PF id + 0x100 + i: with ARI that is bus+1, devfn i
    out.push({
      bdf: bdf(bus + 1, i >> 3, i & 7),
      kind: 'nic-vf',
      vendorId: 0x8086,
      deviceId: 0x1889,
      subsystemVendorId: 0x8086,
      subsystemDeviceId: 0x0000,
      classCode: 0x020000,
      vendorName: 'Intel Corporation',
      deviceName: 'Ethernet Adaptive Virtual Function',
      group: o.groups.take(),
      driver: o.vfDriver(i),
      numaNode: o.numaNode,
      physfn: pf.bdf,
      msixVectors: o.vfMsix ?? 65,
      msiVectors: 0,
      reset: true,
      ...(irqLoad !== undefined ? { irqLoad } : {}),
    });
  }
  return out;
}

export function samsungNvme(
  at: string,
  group: number,
  driver: string | null,
  numaNode: number,
  irqLoad?: ScenarioIrqLoad[],
): ScenarioDevice {
  return {
    bdf: at,
    kind: 'nvme',
    vendorId: 0x144d,
    deviceId: 0xa824,
    subsystemVendorId: 0x144d,
    subsystemDeviceId: 0xa809,
    classCode: 0x010802,
    vendorName: 'Samsung Electronics Co Ltd',
    deviceName: 'NVMe SSD Controller PM173X',
    group,
    driver,
    numaNode,
    msixVectors: 65,
    msiVectors: 32,
    reset: true,
    ...(irqLoad !== undefined ? { irqLoad } : {}),
  };
}

export function eduDevice(at: string, group: number, driver: string | null, numaNode = 0): ScenarioDevice {
  return {
    bdf: at,
    kind: 'edu',
    vendorId: 0x1234,
    deviceId: 0x11e8,
    subsystemVendorId: 0x1af4,
    subsystemDeviceId: 0x1100,
    classCode: 0x00ff00,
    vendorName: 'QEMU',
    deviceName: 'QEMU edu educational device',
    group,
    driver,
    numaNode,
    msiVectors: 1,
    msixVectors: 0,
    reset: false,
    bars: [1024 * 1024, 0, 0, 0, 0, 0],
  };
}
