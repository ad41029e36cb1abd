/**
 * VFIO ioctl request numbers. VFIO builds every one with _IO (no direction,
 * no size): each argument struct starts with `argsz`, so the struct can grow
 * without changing the number. Several numbers are shared by ioctls on
 * different fd kinds (container vs device), e.g. VFIO_BASE + 13 is both
 * VFIO_IOMMU_MAP_DMA and VFIO_DEVICE_PCI_HOT_RESET.
 */
import { _IO } from './ioc.ts';

/** ';' */
export const VFIO_TYPE = 0x3b;
export const VFIO_BASE = 100;

// container fd (/dev/vfio/vfio)
export const VFIO_GET_API_VERSION = _IO(VFIO_TYPE, VFIO_BASE + 0);
export const VFIO_CHECK_EXTENSION = _IO(VFIO_TYPE, VFIO_BASE + 1);
export const VFIO_SET_IOMMU = _IO(VFIO_TYPE, VFIO_BASE + 2);

// group fd (/dev/vfio/N)
export const VFIO_GROUP_GET_STATUS = _IO(VFIO_TYPE, VFIO_BASE + 3);
export const VFIO_GROUP_SET_CONTAINER = _IO(VFIO_TYPE, VFIO_BASE + 4);
export const VFIO_GROUP_UNSET_CONTAINER = _IO(VFIO_TYPE, VFIO_BASE + 5);
export const VFIO_GROUP_GET_DEVICE_FD = _IO(VFIO_TYPE, VFIO_BASE + 6);

// device fd
export const VFIO_DEVICE_GET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 7);
export const VFIO_DEVICE_GET_REGION_INFO = _IO(VFIO_TYPE, VFIO_BASE + 8);
export const VFIO_DEVICE_GET_IRQ_INFO = _IO(VFIO_TYPE, VFIO_BASE + 9);
export const VFIO_DEVICE_SET_IRQS = _IO(VFIO_TYPE, VFIO_BASE + 10);
export const VFIO_DEVICE_RESET = _IO(VFIO_TYPE, VFIO_BASE + 11);
export const VFIO_DEVICE_GET_PCI_HOT_RESET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 12);
export const VFIO_DEVICE_PCI_HOT_RESET = _IO(VFIO_TYPE, VFIO_BASE + 13);
export const VFIO_DEVICE_QUERY_GFX_PLANE = _IO(VFIO_TYPE, VFIO_BASE + 14);
export const VFIO_DEVICE_GET_GFX_DMABUF = _IO(VFIO_TYPE, VFIO_BASE + 15);
export const VFIO_DEVICE_IOEVENTFD = _IO(VFIO_TYPE, VFIO_BASE + 16);
export const VFIO_DEVICE_FEATURE = _IO(VFIO_TYPE, VFIO_BASE + 17);

// container fd, type1 IOMMU
export const VFIO_IOMMU_GET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 12);
export const VFIO_IOMMU_MAP_DMA = _IO(VFIO_TYPE, VFIO_BASE + 13);
export const VFIO_IOMMU_UNMAP_DMA = _IO(VFIO_TYPE, VFIO_BASE + 14);
export const VFIO_IOMMU_ENABLE = _IO(VFIO_TYPE, VFIO_BASE + 15);
export const VFIO_IOMMU_DISABLE = _IO(VFIO_TYPE, VFIO_BASE + 16);
export const VFIO_IOMMU_DIRTY_PAGES = _IO(VFIO_TYPE, VFIO_BASE + 17);

// container fd, SPAPR TCE IOMMU (POWER)
export const VFIO_IOMMU_SPAPR_TCE_GET_INFO = _IO(VFIO_TYPE, VFIO_BASE + 12);
export const VFIO_IOMMU_SPAPR_REGISTER_MEMORY = _IO(VFIO_TYPE, VFIO_BASE + 17);
export const VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY = _IO(VFIO_TYPE, VFIO_BASE + 18);
export const VFIO_IOMMU_SPAPR_TCE_CREATE = _IO(VFIO_TYPE, VFIO_BASE + 19);
export const VFIO_IOMMU_SPAPR_TCE_REMOVE = _IO(VFIO_TYPE, VFIO_BASE + 20);
export const VFIO_EEH_PE_OP = _IO(VFIO_TYPE, VFIO_BASE + 21);
