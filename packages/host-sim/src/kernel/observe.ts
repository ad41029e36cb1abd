/**
 * The observe half of the sim: what sysfs, /proc/PID/status and
 * /proc/interrupts would show for the simulated host.
 */
import type { GroupOwner, HostInfo, IrqLine, PciDevice, Topology } from '@vfioscope/host';
import type { SimKernel } from './sim-kernel.ts';
import { SIM_PAGE_SIZE } from './sim-kernel.ts';
import { VfioPciIrqs } from './vfio-pci-irqs.ts';

/** x86: about 200 device vectors per CPU (256 minus exceptions and system vectors) */
const VECTORS_PER_CPU = 200;

export function hostInfo(k: SimKernel): HostInfo {
  const s = k.scenario;
  return {
    backend: 'sim',
    hostname: s.hostname,
    kernel: s.kernel,
    iommu: {
      present: k.groups.size > 0,
      groupCount: k.groups.size,
      ...(k.groups.size ? {} : { reason: 'the scenario has no IOMMU groups' }),
    },
    interruptRemapping: s.interruptRemapping,
    modules: {
      vfio: true,
      vfioPci: true,
      vfioIommuType1: true,
      allowUnsafeInterrupts: s.allowUnsafeInterrupts,
      dmaEntryLimit: s.dmaEntryLimit,
    },
    memlockLimit: s.memlockLimit,
    uapi: { container: 'type1', iommufd: false, cdev: false },
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
      ...(d.vendorName ? { vendorName: d.vendorName } : {}),
      ...(d.deviceName ? { deviceName: d.deviceName } : {}),
      ...(d.physfn ? { physfn: d.physfn } : {}),
    };
  });
  return { groups, devices };
}

export function owners(k: SimKernel, comm: string, cmdline: string): GroupOwner[] {
  const out: GroupOwner[] = [];
  for (const p of k.processes.values()) {
    for (const group of p.groups) {
      out.push({
        group,
        via: 'group',
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
  for (const g of k.groups.values()) {
    if (g.holder?.kind !== 'self') continue;
    out.push({
      group: g.id,
      via: 'group',
      pid: k.pid,
      comm,
      cmdline,
      self: true,
      // type1 charges pinned pages to mm->locked_vm (VmLck); VmPin (pinned_vm) is not touched by VFIO
      lockedBytes: k.space.lockedPages * SIM_PAGE_SIZE,
      pinnedBytes: 0,
      memlockLimit: k.space.memlockLimit,
    });
  }
  return out.sort((a, b) => a.group - b.group || a.pid - b.pid);
}

export function irqLines(k: SimKernel): IrqLine[] {
  const out: IrqLine[] = [];
  for (const fn of k.functions.values()) {
    if (fn.vfio && fn.vfio.openCount > 0) for (const l of fn.vfio.irqs.lines()) out.push(VfioPciIrqs.toIrqLine(fn.bdf, l));
    for (const l of fn.foreignLines.values()) out.push(VfioPciIrqs.toIrqLine(fn.bdf, l));
  }
  return out.sort((a, b) => a.irq - b.irq);
}
