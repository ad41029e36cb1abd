/**
 * One IOMMU context, whichever uAPI serves it: a VFIO container (type1, or
 * iommufd's compat container behind /dev/vfio/vfio) or an iommufd IOAS. The
 * session attaches groups to a context, takes device fds from what it
 * attached, and maps DMA in the context; everything IOMMU-specific lives
 * behind this one small interface (QEMU's VFIOIOMMUClass, with its legacy
 * and iommufd backends, is the model).
 */
import type { Bdf, Device, Group, IommuInfo, IommuKind } from '@vfioscope/host';

export interface ContextMapRequest {
  /** process virtual address of the memory (a DmaBuffer's) */
  vaddr: bigint;
  iova: bigint;
  size: bigint;
  read: boolean;
  write: boolean;
}

/** A group attached to a context: its device fds, and the way back off. */
export interface AttachedGroup {
  readonly group: number;
  /**
   * the open /dev/vfio/N on the legacy path: the proof of ownership
   * VFIO_DEVICE_PCI_HOT_RESET takes; null on the iommufd path, which holds no group file
   */
  readonly groupFile: Group | null;
  /** the fd of one of the group's devices: VFIO_GROUP_GET_DEVICE_FD (legacy), or its bound cdev (iommufd) */
  device(bdf: Bdf): Promise<Device>;
  /** take the group off the context and close its fds (its device fds must be closed first) */
  detach(): Promise<void>;
}

export interface IommuContext {
  /** who serves it: type1, iommufd's compat container, or an iommufd IOAS */
  readonly kind: IommuKind;
  /**
   * Attach a group: open /dev/vfio/N and VFIO_GROUP_SET_CONTAINER (the first group also sets the IOMMU
   * type), or open each device's cdev, VFIO_DEVICE_BIND_IOMMUFD and VFIO_DEVICE_ATTACH_IOMMUFD_PT. `devices`
   * are the group's functions on vfio-pci (the iommufd path attaches devices, not groups).
   * On failure every step taken is undone and the kernel's error rethrown.
   */
  attachGroup(group: number, devices: readonly Bdf[]): Promise<AttachedGroup>;
  /** VFIO_IOMMU_MAP_DMA / IOMMU_IOAS_MAP at a fixed IOVA */
  map(req: ContextMapRequest): Promise<void>;
  /** VFIO_IOMMU_UNMAP_DMA / IOMMU_IOAS_UNMAP: the bytes unmapped */
  unmap(iova: bigint, size: bigint): Promise<bigint>;
  /** everything (VFIO_DMA_UNMAP_FLAG_ALL / the whole IOVA space) */
  unmapAll(): Promise<bigint>;
  /** page sizes, valid IOVA ranges and, for type1, dma_avail */
  info(): Promise<IommuInfo>;
  /** close the container / destroy the IOAS and close /dev/iommu */
  close(): Promise<void>;
}
