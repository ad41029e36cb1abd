/**
 * One Host interface, two backends (sim and linux) with identical semantics
 * down to the errno of each failure.
 */
import type { CdevDevice, Container, DmaBuffer, EventFd, Group, Iommufd } from './drive.ts';
import type { KernelLogRead } from './kmsg/kernel-record.ts';
import type { Bdf, GroupOwner, HostInfo, IrqLine, Topology } from './observe.ts';

export interface Host {
  readonly backend: 'sim' | 'linux';

  // ---- observe ----
  hostInfo(): Promise<HostInfo>;
  /** IOMMU groups and PCI devices; an empty list (not an error) when the host has no IOMMU */
  topology(): Promise<Topology>;
  /** processes holding a /dev/vfio/N open, this process included */
  owners(): Promise<GroupOwner[]>;
  /** counts of every VFIO interrupt line (/proc/interrupts), owned by anyone */
  irqLines(): Promise<IrqLine[]>;
  /**
   * Write `cpus` to /proc/irq/<irq>/smp_affinity_list (kernel/irq/proc.c write_irq_affinity()).
   * EACCES/EPERM: not root; EINVAL: no online CPU in the list; ERANGE: a CPU past nr_cpu_ids;
   * EIO: the IRQ's affinity cannot be set from user space (managed, or the chip cannot move it);
   * ENOENT: no such IRQ. An operator action.
   */
  setIrqAffinity(irq: number, cpus: readonly number[]): Promise<void>;
  /**
   * Bind a device to `driver` through driver_override + drivers_probe, or
   * unbind it (driver null) and clear the override. An operator action.
   */
  bindDriver(bdf: Bdf, driver: string | null): Promise<void>;
  /**
   * The kernel log records after sequence number `afterSeq` (−1: from the oldest the
   * kernel still holds), each parsed where it names a device, IRQ or task; `nextSeq`
   * is the afterSeq of the next call, `lost` counts records overwritten before they
   * were read. `ok: false` with the errno and why when the log cannot be read
   * (/dev/kmsg needs CAP_SYSLOG or kernel.dmesg_restrict=0).
   */
  kernelLog(afterSeq: number): Promise<KernelLogRead>;

  // ---- drive ----
  /** open("/dev/vfio/vfio") */
  openContainer(): Promise<Container>;
  /** open("/dev/vfio/N"); EBUSY when another process (or fd) holds it */
  openGroup(id: number): Promise<Group>;
  /** open("/dev/iommu"); ENOENT on a kernel without iommufd (hostInfo().uapi says which exist) */
  openIommufd(): Promise<Iommufd>;
  /** open("/dev/vfio/devices/vfioN") of a device on vfio-pci; ENOENT without the VFIO device cdev */
  openDeviceCdev(bdf: Bdf): Promise<CdevDevice>;
  /** eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) */
  createEventFd(): Promise<EventFd>;
  /** mmap an anonymous, page-aligned buffer for DMA */
  allocDmaBuffer(size: bigint): Promise<DmaBuffer>;
  /**
   * Drain many eventfds in one call: the count of each since its last read.
   * The telemetry hot path; backends make it cheap for thousands of fds.
   */
  drainEventFds(fds: readonly EventFd[]): Promise<number[]>;

  /** the page size IOMMU mappings are aligned to */
  readonly pageSize: number;

  /** release everything this host object holds, in the kernel's teardown order */
  close(): Promise<void>;
}
