/**
 * linux/iommufd.h constants (Linux 6.2+; as of 6.12): the enums of flags,
 * options and types that the iommufd argument structs carry. iommufd is the
 * IOMMU's own uAPI on /dev/iommu: an IOAS (I/O address space) holds IOVA →
 * memory mappings, devices bound to the iommufd attach to an IOAS or to a
 * HWPT (a hardware page table, one iommu_domain). Names and values are the
 * kernel's; header-conformance.test.ts checks each against the 6.12 header
 * (Debian 12's 6.1 linux-libc-dev has no iommufd.h that covers them).
 */

// enum iommufd_ioas_map_flags: IOMMU_IOAS_MAP and IOMMU_IOAS_COPY flags
/** map at the given iova; without it the kernel picks one and returns it */
export const IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0;
/** DMA may write to the mapping */
export const IOMMU_IOAS_MAP_WRITEABLE = 1 << 1;
/** DMA may read from the mapping */
export const IOMMU_IOAS_MAP_READABLE = 1 << 2;

// enum iommufd_option: struct iommu_option.option_id
/** 0 (default): RLIMIT_MEMLOCK charged per user; 1: per process. Global, object_id 0; needs privilege to set. */
export const IOMMU_OPTION_RLIMIT_MODE = 0;
/** 1 (default): combine contiguous pages into huge IOMMU pages; 0: map PAGE_SIZE only. Per IOAS. */
export const IOMMU_OPTION_HUGE_PAGES = 1;

// enum iommufd_option_ops: struct iommu_option.op
export const IOMMU_OPTION_OP_SET = 0;
export const IOMMU_OPTION_OP_GET = 1;

// enum iommufd_vfio_ioas_op: struct iommu_vfio_ioas.op (the IOAS a compat /dev/vfio/vfio container uses)
export const IOMMU_VFIO_IOAS_GET = 0;
export const IOMMU_VFIO_IOAS_SET = 1;
export const IOMMU_VFIO_IOAS_CLEAR = 2;

// enum iommufd_hwpt_alloc_flags: struct iommu_hwpt_alloc.flags
export const IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0;
export const IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1;
export const IOMMU_HWPT_FAULT_ID_VALID = 1 << 2;

// enum iommu_hwpt_vtd_s1_flags: struct iommu_hwpt_vtd_s1.flags
export const IOMMU_VTD_S1_SRE = 1 << 0;
export const IOMMU_VTD_S1_EAFE = 1 << 1;
export const IOMMU_VTD_S1_WPE = 1 << 2;

// enum iommu_hwpt_data_type: struct iommu_hwpt_alloc.data_type
export const IOMMU_HWPT_DATA_NONE = 0;
export const IOMMU_HWPT_DATA_VTD_S1 = 1;

// enum iommu_hw_info_vtd_flags: struct iommu_hw_info_vtd.flags
export const IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0;

// enum iommu_hw_info_type: struct iommu_hw_info.out_data_type
export const IOMMU_HW_INFO_TYPE_NONE = 0;
export const IOMMU_HW_INFO_TYPE_INTEL_VTD = 1;

// enum iommufd_hw_capabilities: struct iommu_hw_info.out_capabilities
export const IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0;
export const IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1;
export const IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2;

// enum iommufd_hwpt_set_dirty_tracking_flags
export const IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1;

// enum iommufd_hwpt_get_dirty_bitmap_flags
export const IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1;

// enum iommu_hwpt_invalidate_data_type
export const IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0;

// enum iommu_hwpt_vtd_s1_invalidate_flags
export const IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0;

// enum iommu_hwpt_pgfault_flags
export const IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0;
export const IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1;

// enum iommu_hwpt_pgfault_perm
export const IOMMU_PGFAULT_PERM_READ = 1 << 0;
export const IOMMU_PGFAULT_PERM_WRITE = 1 << 1;
export const IOMMU_PGFAULT_PERM_EXEC = 1 << 2;
export const IOMMU_PGFAULT_PERM_PRIV = 1 << 3;

// enum iommufd_page_response_code: struct iommu_hwpt_page_response.code
export const IOMMUFD_PAGE_RESP_SUCCESS = 0;
export const IOMMUFD_PAGE_RESP_INVALID = 1;
