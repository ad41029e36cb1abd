/**
 * The observe half of the sim: what sysfs, /proc/PID/status and
 * /proc/interrupts would show for the simulated host.
 */
import type { GroupOwner, HostInfo, IrqLine, PciDevice, Topology } from '@vfioscope/host';
import type { SimKernel } from './sim-kernel.ts';
import { SIM_PAGE_SIZE } from './sim-kernel.ts';
import { resetMethods } from './pci-topology.ts';
import { VfioPciIrqs } from './vfio-pci-irqs.ts';

/** x86: about 200 device vectors per CPU (256 minus exceptions and system vectors) */
const VECTORS_PER_CPU = 200;

export function hostInfo(k: SimKernel): HostInfo {
  const s = k.scenario;
  const { uapi } = k.profile;
  // vfio_iommu_type1 is loaded only where it serves /dev/vfio/vfio (iommufd's compat mode has none)
  const type1 = uapi.container === 'type1';
  return {
    backend: 'sim',
    hostname: s.hostname,
    kernel: k.profile.release,
    iommu: {
      present: k.groups.size > 0,
      groupCount: k.groups.size,
      ...(k.groups.size ? {} : { reason: 'the scenario has no IOMMU groups' }),
    },
    interruptRemapping: s.interruptRemapping,
    modules: {
      vfio: true,
      vfioPci: true,
      vfioIommuType1: type1,
      allowUnsafeInterrupts: type1 ? s.allowUnsafeInterrupts : null,
      dmaEntryLimit: type1 ? s.dmaEntryLimit : null,
    },
    memlockLimit: s.memlockLimit,
    uapi: { ...uapi },
    pageSize: SIM_PAGE_SIZE,
    cpus: s.cpus,
    vectorLimit: VECTORS_PER_CPU * s.cpus,
    scenario: s.name,
  };
}

export function topology(k: SimKernel): Topology {
  const groups = [...k.groups.values()].sort((a, b) => a.id - b.id).map((g) => g.info());
  const devices: PciDevice[] = [...k.functions.values()].map((fn) => {
    const d = fn.spec;
    return {
      bdf: d.bdf,
      vendorId: d.vendorId,
      deviceId: d.deviceId,
      subsystemVendorId: d.subsystemVendorId ?? d.vendorId,
      subsystemDeviceId: d.subsystemDeviceId ?? 0,
      classCode: d.classCode,
      driver: fn.driver,
      driverOverride: fn.driverOverride,
      numaNode: d.numaNode ?? -1,
      iommuGroup: d.group,
      resetMethods: resetMethods(k, fn),
      ...(d.vendorName ? { vendorName: d.vendorName } : {}),
      ...(d.deviceName ? { deviceName: d.deviceName } : {}),
      ...(d.physfn ? { physfn: d.physfn } : {}),
    };
  });
  return { groups, devices };
}

/**
 * Who holds which group, as /proc/PID/fd shows it: /dev/vfio/N (via
 * 'group'), or /dev/vfio/devices/vfioN of one of its devices (via 'cdev'; an
 * open cdev shows whether bound or not). Memory is the holder's VmLck and
 * VmPin: type1 charges VmLck, iommufd VmPin (and per user), iommufd's compat
 * container both (kernel/pin-accounting.ts).
 */
export function owners(k: SimKernel, comm: string, cmdline: string): GroupOwner[] {
  const out: GroupOwner[] = [];
  for (const p of k.processes.values()) {
    for (const group of p.groups) {
      out.push({
        group,
        via: p.via ?? 'group',
        pid: p.pid,
        comm: p.comm,
        cmdline: p.cmdline,
        self: false,
        lockedBytes: p.lockedBytes,
        pinnedBytes: p.pinnedBytes,
        memlockLimit: p.memlockLimit,
      });
    }
  }
  const self = (group: number, via: GroupOwner['via']): GroupOwner => ({
    group,
    via,
    pid: k.pid,
    comm,
    cmdline,
    self: true,
    lockedBytes: k.space.lockedPages * SIM_PAGE_SIZE,
    pinnedBytes: k.space.pinnedPages * SIM_PAGE_SIZE,
    memlockLimit: k.space.memlockLimit,
  });
  for (const g of k.groups.values()) {
    if (g.holder?.kind === 'self') out.push(self(g.id, 'group'));
    else if (g.functions.some((fn) => (fn.vfio?.cdevFiles ?? 0) > 0)) out.push(self(g.id, 'cdev'));
  }
  return out.sort((a, b) => a.group - b.group || a.pid - b.pid);
}

export function irqLines(k: SimKernel): IrqLine[] {
  return k
    .hostIrqLines()
    .map(({ bdf, line }) => VfioPciIrqs.toIrqLine(bdf, line))
    .sort((a, b) => a.irq - b.irq);
}
