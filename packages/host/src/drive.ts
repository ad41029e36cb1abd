/**
 * The drive half of the Host interface: vfioscope acting as the userspace
 * driver. The objects mirror the kernel's, in both of its uAPIs:
 *  - legacy (linux/vfio.h): a Container is an open /dev/vfio/vfio (one IOMMU
 *    context: type1, or iommufd's compat container), a Group an open
 *    /dev/vfio/N, a Device a device fd from VFIO_GROUP_GET_DEVICE_FD;
 *  - iommufd (linux/iommufd.h, Linux 6.2+, with the VFIO device cdev of 6.6+):
 *    an Iommufd is an open /dev/iommu, an Ioas an IOAS object in it (the IOMMU
 *    context), a CdevDevice an open /dev/vfio/devices/vfioN, bound to an
 *    iommufd and attached to an IOAS.
 * Every method is one ioctl or syscall and fails with the errno the kernel
 * gives (VfioError). Numbers (flags, region and IRQ indexes, extension ids)
 * are the uAPI's own, from @vfioscope/uapi.
 */
import type { Bdf } from './observe.ts';

export interface GroupStatus {
  /** VFIO_GROUP_FLAGS_VIABLE */
  viable: boolean;
  /** VFIO_GROUP_FLAGS_CONTAINER_SET */
  containerSet: boolean;
}

export interface IovaRange {
  start: bigint;
  /** inclusive, like vfio_iova_range.end */
  end: bigint;
}

export interface IommuInfo {
  /** vfio_iommu_type1_info.flags */
  flags: number;
  /** supported page sizes bitmap (VFIO_IOMMU_INFO_PGSIZES) */
  iovaPgsizes: bigint;
  /** VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, empty when absent */
  iovaRanges: IovaRange[];
  /** VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, null when absent */
  dmaAvail: number | null;
}

export interface DmaMapRequest {
  /** process virtual address of the memory to map (from a DmaBuffer) */
  vaddr: bigint;
  iova: bigint;
  size: bigint;
  /** VFIO_DMA_MAP_FLAG_* */
  flags: number;
}

export interface DmaUnmapRequest {
  iova: bigint;
  size: bigint;
  /** VFIO_DMA_UNMAP_FLAG_* (e.g. ALL) */
  flags: number;
}

export interface Container {
  /** the fd number (linux) or a small id (sim); unique within the host */
  readonly id: number;
  /** VFIO_GET_API_VERSION */
  apiVersion(): Promise<number>;
  /** VFIO_CHECK_EXTENSION: the kernel's integer answer (0 = unsupported) */
  checkExtension(extension: number): Promise<number>;
  /** VFIO_SET_IOMMU */
  setIommu(type: number): Promise<void>;
  /** VFIO_IOMMU_GET_INFO with its capability chain */
  iommuInfo(): Promise<IommuInfo>;
  /** VFIO_IOMMU_MAP_DMA */
  mapDma(req: DmaMapRequest): Promise<void>;
  /** VFIO_IOMMU_UNMAP_DMA: resolves to the number of bytes unmapped */
  unmapDma(req: DmaUnmapRequest): Promise<bigint>;
  /** close(2) */
  close(): Promise<void>;
}

export interface Group {
  readonly id: number;
  /** VFIO_GROUP_GET_STATUS */
  status(): Promise<GroupStatus>;
  /** VFIO_GROUP_SET_CONTAINER */
  setContainer(container: Container): Promise<void>;
  /** VFIO_GROUP_UNSET_CONTAINER */
  unsetContainer(): Promise<void>;
  /** VFIO_GROUP_GET_DEVICE_FD */
  openDevice(name: Bdf): Promise<Device>;
  /** close(2) */
  close(): Promise<void>;
}

export interface DeviceInfo {
  /** VFIO_DEVICE_FLAGS_* */
  flags: number;
  numRegions: number;
  numIrqs: number;
}

export interface RegionInfo {
  index: number;
  /** VFIO_REGION_INFO_FLAG_* */
  flags: number;
  size: bigint;
  offset: bigint;
  /** capability ids found on the region's capability chain */
  capabilities: number[];
}

export interface IrqInfo {
  index: number;
  /** VFIO_IRQ_INFO_* */
  flags: number;
  count: number;
}

/** The data of a VFIO_DEVICE_SET_IRQS call, by its DATA_* type. */
export type IrqSetData =
  | { type: 'none' }
  | { type: 'bool'; values: boolean[] }
  /** an eventfd per vector; null de-assigns (fd -1) */
  | { type: 'eventfd'; fds: (EventFd | null)[] };

export interface IrqSetRequest {
  index: number;
  start: number;
  count: number;
  /** VFIO_IRQ_SET_ACTION_MASK | UNMASK | TRIGGER */
  action: number;
  data: IrqSetData;
}

/**
 * One function a hot (slot or secondary bus) reset of a device takes along
 * with it: a vfio_pci_dependent_device of VFIO_DEVICE_GET_PCI_HOT_RESET_INFO.
 */
export interface HotResetDependent {
  /** "dddd:bb:dd.f" from segment, bus and devfn */
  bdf: Bdf;
  /**
   * the function's IOMMU group; when HotResetInfo.flags has VFIO_PCI_HOT_RESET_FLAG_DEV_ID
   * (a cdev-opened device, Linux 6.6+) the 32 bits are its iommufd devid instead
   */
  id: number;
}

export interface HotResetInfo {
  /** vfio_pci_hot_reset_info.flags */
  flags: number;
  /** every function the reset would reset, the device itself included */
  devices: HotResetDependent[];
}

export interface Device {
  readonly name: Bdf;
  readonly group: number;
  /** VFIO_DEVICE_GET_INFO */
  info(): Promise<DeviceInfo>;
  /** VFIO_DEVICE_GET_REGION_INFO */
  regionInfo(index: number): Promise<RegionInfo>;
  /** VFIO_DEVICE_GET_IRQ_INFO */
  irqInfo(index: number): Promise<IrqInfo>;
  /** VFIO_DEVICE_SET_IRQS */
  setIrqs(req: IrqSetRequest): Promise<void>;
  /** VFIO_DEVICE_RESET */
  reset(): Promise<void>;
  /**
   * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: the functions a slot or secondary bus
   * reset would take along; ENODEV when neither is possible (a device on a
   * root bus, vfio_pci_core.c: pci_probe_reset_slot/pci_probe_reset_bus)
   */
  hotResetInfo(): Promise<HotResetInfo>;
  /**
   * VFIO_DEVICE_PCI_HOT_RESET, proving ownership with these groups' fds: every
   * affected group must be among them (EINVAL otherwise; EPERM when a group is
   * not in this device's IOMMU context)
   */
  hotReset(groups: readonly Group[]): Promise<void>;
  /** pread(2) on the device fd at region offset + offset */
  read(index: number, offset: bigint, size: number): Promise<Uint8Array>;
  /** pwrite(2) on the device fd at region offset + offset */
  write(index: number, offset: bigint, data: Uint8Array): Promise<void>;
  /** close(2) */
  close(): Promise<void>;
}

/** IOMMU_IOAS_MAP of process memory at a fixed IOVA. */
export interface IoasMapRequest {
  /** process virtual address of the memory to map (from a DmaBuffer) */
  vaddr: bigint;
  iova: bigint;
  size: bigint;
  /** IOMMU_IOAS_MAP_* (READABLE, WRITEABLE; FIXED_IOVA is implied) */
  flags: number;
}

/** /dev/iommu: objects in it (IOAS, HWPT, bound devices) are named by 32-bit ids. */
export interface Iommufd {
  /** the fd number (linux) or a small id (sim); unique within the host */
  readonly id: number;
  /** IOMMU_IOAS_ALLOC */
  allocIoas(): Promise<Ioas>;
  /** close(2): destroys every object still in it */
  close(): Promise<void>;
}

/** An I/O address space in an iommufd: the IOMMU context devices attach to. */
export interface Ioas {
  /** the IOAS id inside its iommufd */
  readonly id: number;
  readonly iommufd: Iommufd;
  /** IOMMU_IOAS_MAP with IOMMU_IOAS_MAP_FIXED_IOVA */
  map(req: IoasMapRequest): Promise<void>;
  /** IOMMU_IOAS_UNMAP: resolves to the number of bytes unmapped (iova 0, size 2^64-1: everything) */
  unmap(iova: bigint, size: bigint): Promise<bigint>;
  /** IOMMU_IOAS_IOVA_RANGES: the usable IOVA ranges (inclusive ends) and the alignment maps must keep */
  iovaRanges(): Promise<{ ranges: IovaRange[]; alignment: bigint }>;
  /** IOMMU_DESTROY of the IOAS (EBUSY while a device is attached) */
  destroy(): Promise<void>;
}

/** A VFIO device opened through its character device, the native iommufd path. */
export interface CdevDevice extends Device {
  /** VFIO_DEVICE_BIND_IOMMUFD: resolves to the device's id in that iommufd */
  bind(iommufd: Iommufd): Promise<number>;
  /** VFIO_DEVICE_ATTACH_IOMMUFD_PT to an IOAS (or HWPT) id: resolves to the pt_id the kernel attached it to */
  attach(ptId: number): Promise<number>;
  /** VFIO_DEVICE_DETACH_IOMMUFD_PT */
  detach(): Promise<void>;
}

/** An eventfd(2): the kernel signals an interrupt by adding 1 to its counter. */
export interface EventFd {
  readonly fd: number;
  /** read(2) in non-blocking mode: the count since the last read (0 if none), resetting it */
  drain(): Promise<number>;
  /** write(2): add to the counter (used as an unmask/trigger signal in tests) */
  signal(value?: number): Promise<void>;
  close(): Promise<void>;
}

/** Anonymous process memory for DMA (mmap on Linux). */
export interface DmaBuffer {
  readonly vaddr: bigint;
  readonly size: bigint;
  read(offset: bigint, size: number): Promise<Uint8Array>;
  write(offset: bigint, data: Uint8Array): Promise<void>;
  /** munmap(2); unmap the DMA first */
  free(): Promise<void>;
}
