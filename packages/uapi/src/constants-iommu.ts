/**
 * linux/vfio.h constants for the container's IOMMU backends: type1 info
 * flags and capability ids, DMA map/unmap flags, dirty-page tracking, and
 * the SPAPR TCE / EEH (POWER) API. Names and values are the kernel's.
 */

// struct vfio_iommu_type1_info.flags
export const VFIO_IOMMU_INFO_PGSIZES = 1 << 0;
export const VFIO_IOMMU_INFO_CAPS = 1 << 1;

// vfio_iommu_type1_info capability ids
export const VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;
export const VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION = 2;
export const VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL = 3;

// struct vfio_iommu_type1_dma_map.flags: READ and/or WRITE required, unless VADDR
export const VFIO_DMA_MAP_FLAG_READ = 1 << 0;
export const VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;
export const VFIO_DMA_MAP_FLAG_VADDR = 1 << 2;

// struct vfio_iommu_type1_dma_unmap.flags
export const VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1 << 0;
/** unmap everything; iova and size must be 0 */
export const VFIO_DMA_UNMAP_FLAG_ALL = 1 << 1;
export const VFIO_DMA_UNMAP_FLAG_VADDR = 1 << 2;

// struct vfio_iommu_type1_dirty_bitmap.flags: exactly one at a time
export const VFIO_IOMMU_DIRTY_PAGES_FLAG_START = 1 << 0;
export const VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP = 1 << 1;
export const VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP = 1 << 2;

// struct vfio_iommu_spapr_tce_info.flags
export const VFIO_IOMMU_SPAPR_INFO_DDW = 1 << 0;

// struct vfio_eeh_pe_op.op
export const VFIO_EEH_PE_DISABLE = 0;
export const VFIO_EEH_PE_ENABLE = 1;
export const VFIO_EEH_PE_UNFREEZE_IO = 2;
export const VFIO_EEH_PE_UNFREEZE_DMA = 3;
export const VFIO_EEH_PE_GET_STATE = 4;
export const VFIO_EEH_PE_STATE_NORMAL = 0;
export const VFIO_EEH_PE_STATE_RESET = 1;
export const VFIO_EEH_PE_STATE_STOPPED = 2;
export const VFIO_EEH_PE_STATE_STOPPED_DMA = 4;
export const VFIO_EEH_PE_STATE_UNAVAIL = 5;
export const VFIO_EEH_PE_RESET_DEACTIVATE = 5;
export const VFIO_EEH_PE_RESET_HOT = 6;
export const VFIO_EEH_PE_RESET_FUNDAMENTAL = 7;
export const VFIO_EEH_PE_CONFIGURE = 8;
export const VFIO_EEH_PE_INJECT_ERR = 9;
