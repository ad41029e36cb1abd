/**
 * What can be seen of a host without touching a device: the observe half of
 * the Host interface (sysfs, procfs, /proc/interrupts on Linux; the scenario
 * in the sim).
 */

/** PCI address "dddd:bb:dd.f" */
export type Bdf = string;

export interface PciDevice {
  bdf: Bdf;
  vendorId: number;
  deviceId: number;
  subsystemVendorId: number;
  subsystemDeviceId: number;
  /** 24-bit class code (class << 16 | subclass << 8 | prog-if) */
  classCode: number;
  /** bound driver name, or null when no driver is bound */
  driver: string | null;
  /** sysfs driver_override, or null when not set */
  driverOverride: string | null;
  /** NUMA node, -1 when unknown */
  numaNode: number;
  iommuGroup: number | null;
  /**
   * sysfs reset_method (Linux 5.15+): the reset methods the PCI core will try, in
   * order — flr, af_flr, pm, bus, device_specific, cxl_bus (drivers/pci/pci.c
   * pci_reset_fn_methods). Empty when the file is absent or empty: the kernel
   * hides it when the function has no reset method at all.
   */
  resetMethods: string[];
  /** human names where known (sim scenario, or a small built-in table) */
  vendorName?: string;
  deviceName?: string;
  /** SR-IOV: the physical function of a VF */
  physfn?: Bdf;
}

export interface ViabilityBlocker {
  bdf: Bdf;
  driver: string;
}

export interface IommuGroupInfo {
  id: number;
  devices: Bdf[];
  /** every device bound to vfio-pci (or another VFIO bus driver) or to no driver */
  viable: boolean;
  /** the devices that make it not viable and their drivers */
  blockers: ViabilityBlocker[];
}

export interface Topology {
  groups: IommuGroupInfo[];
  devices: PciDevice[];
}

/**
 * A process holding a group: /dev/vfio/N open (the legacy path), or the
 * cdev of one of its devices (/dev/vfio/devices/vfioN, with /dev/iommu).
 */
export interface GroupOwner {
  group: number;
  /** how it holds the group: its group file, or device cdevs (iommufd) */
  via: 'group' | 'cdev';
  pid: number;
  /** process name (comm), e.g. "qemu-system-x86" */
  comm: string;
  cmdline: string;
  /** true when the owner is this vfioscope process */
  self: boolean;
  /**
   * VmLck and VmPin from /proc/PID/status, in bytes. Which one is the budget depends on the path:
   * type1 charges pinned pages to VmLck, iommufd to VmPin (and, by default, per user), iommufd's
   * compat container to both.
   */
  lockedBytes: number;
  pinnedBytes: number;
  /** RLIMIT_MEMLOCK soft limit in bytes, null = unlimited */
  memlockLimit: number | null;
}

export type IrqIndexName = 'INTX' | 'MSI' | 'MSIX' | 'ERR' | 'REQ';

/** One VFIO interrupt line as /proc/interrupts names it: vfio-msix[3](0000:01:00.0) */
export interface IrqLine {
  bdf: Bdf;
  index: IrqIndexName;
  vector: number;
  /** host IRQ number (first column of /proc/interrupts), -1 when unknown */
  irq: number;
  /** total count since the vector was set up, summed over CPUs */
  count: number;
  /** the count per CPU (index = CPU number): the CPU columns of /proc/interrupts; they sum to `count` */
  perCpu: number[];
  /**
   * /proc/irq/N/smp_affinity_list: the CPUs the IRQ may be delivered to (kernel/irq/proc.c);
   * null when unreadable
   */
  affinity: number[] | null;
  /**
   * /proc/irq/N/effective_affinity_list: where the interrupt chip really delivers it. On x86 the
   * vector is programmed to one CPU of the affinity mask (single-target delivery,
   * Documentation/core-api/irq/irq-affinity.rst), so this is one CPU; null when unreadable
   */
  effectiveAffinity: number[] | null;
  /** the raw name, e.g. "vfio-msix[3](0000:01:00.0)" */
  name: string;
}

export interface HostInfo {
  backend: 'sim' | 'linux';
  hostname: string;
  kernel: string;
  /** an IOMMU is present and has groups */
  iommu: { present: boolean; reason?: string; groupCount: number };
  /** interrupt remapping present (or unsafe interrupts allowed) */
  interruptRemapping: boolean | null;
  modules: {
    vfio: boolean;
    vfioPci: boolean;
    vfioIommuType1: boolean;
    /** vfio_iommu_type1.allow_unsafe_interrupts, null when the module is not loaded */
    allowUnsafeInterrupts: boolean | null;
    /** vfio_iommu_type1.dma_entry_limit, null when the module is not loaded */
    dmaEntryLimit: number | null;
  };
  /** RLIMIT_MEMLOCK of this process in bytes, null = unlimited */
  memlockLimit: number | null;
  /**
   * Which VFIO uAPIs the kernel offers: the legacy container (served by type1, or by iommufd in
   * "compat" mode — they exclude each other), /dev/iommu, and the VFIO device cdev.
   */
  uapi: {
    container: 'type1' | 'iommufd-compat' | null;
    iommufd: boolean;
    cdev: boolean;
  };
  pageSize: number;
  cpus: number;
  /** interrupt vectors available to devices on this host (approximate: per-CPU vectors × CPUs) */
  vectorLimit: number;
  /** the scenario name (sim only) */
  scenario?: string;
}
