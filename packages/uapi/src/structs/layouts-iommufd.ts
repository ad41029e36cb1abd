/**
 * Layouts (no codecs) of the linux/iommufd.h structs vfioscope names but
 * does not build: nested (user-managed) VT-d stage-1 page tables and their
 * cache invalidation, dirty tracking on a HWPT, and IO page fault queues.
 * They give the ioctl table its struct sizes and are checked against the
 * 6.12 header like the rest.
 */
import { defineLayout } from './layout.ts';

/** IOMMU_HWPT_DATA_VTD_S1: the data of a nested HWPT */
export const IOMMU_HWPT_VTD_S1_LAYOUT = defineLayout('iommu_hwpt_vtd_s1', 24, {
  flags: 0,
  pgtbl_addr: 8,
  addr_width: 16,
  __reserved: 20,
});

export const IOMMU_HWPT_SET_DIRTY_TRACKING_LAYOUT = defineLayout('iommu_hwpt_set_dirty_tracking', 16, {
  size: 0,
  flags: 4,
  hwpt_id: 8,
  __reserved: 12,
});

export const IOMMU_HWPT_GET_DIRTY_BITMAP_LAYOUT = defineLayout('iommu_hwpt_get_dirty_bitmap', 48, {
  size: 0,
  hwpt_id: 4,
  flags: 8,
  __reserved: 12,
  iova: 16,
  length: 24,
  page_size: 32,
  data: 40,
});

/** IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: one entry of the array at iommu_hwpt_invalidate.data_uptr */
export const IOMMU_HWPT_VTD_S1_INVALIDATE_LAYOUT = defineLayout('iommu_hwpt_vtd_s1_invalidate', 24, {
  addr: 0,
  npages: 8,
  flags: 16,
  __reserved: 20,
});

export const IOMMU_HWPT_INVALIDATE_LAYOUT = defineLayout('iommu_hwpt_invalidate', 32, {
  size: 0,
  hwpt_id: 4,
  data_uptr: 8,
  data_type: 16,
  entry_len: 20,
  entry_num: 24,
  __reserved: 28,
});

/** read() from a fault queue fd */
export const IOMMU_HWPT_PGFAULT_LAYOUT = defineLayout('iommu_hwpt_pgfault', 40, {
  flags: 0,
  dev_id: 4,
  pasid: 8,
  grpid: 12,
  perm: 16,
  __reserved: 20,
  addr: 24,
  length: 32,
  cookie: 36,
});

/** write() to a fault queue fd */
export const IOMMU_HWPT_PAGE_RESPONSE_LAYOUT = defineLayout('iommu_hwpt_page_response', 8, { cookie: 0, code: 4 });

export const IOMMU_FAULT_ALLOC_LAYOUT = defineLayout('iommu_fault_alloc', 16, {
  size: 0,
  flags: 4,
  out_fault_id: 8,
  out_fault_fd: 12,
});
