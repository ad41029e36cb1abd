/**
 * Layouts (no codecs) of the container-fd structs beyond map/unmap/info:
 * type1 dirty-page tracking, and the SPAPR TCE and EEH API of POWER hosts.
 * They give the ioctl table its struct sizes and are checked against the
 * header like the rest.
 */
import { defineLayout } from './layout.ts';

export const VFIO_IOMMU_TYPE1_DIRTY_BITMAP_LAYOUT = defineLayout('vfio_iommu_type1_dirty_bitmap', 8, {
  argsz: 0,
  flags: 4,
  data: 8,
});

export const VFIO_IOMMU_TYPE1_DIRTY_BITMAP_GET_LAYOUT = defineLayout('vfio_iommu_type1_dirty_bitmap_get', 40, {
  iova: 0,
  size: 8,
  bitmap: 16,
});

export const VFIO_IOMMU_SPAPR_TCE_DDW_INFO_LAYOUT = defineLayout('vfio_iommu_spapr_tce_ddw_info', 16, {
  pgsizes: 0,
  max_dynamic_windows_supported: 8,
  levels: 12,
});

export const VFIO_IOMMU_SPAPR_TCE_INFO_LAYOUT = defineLayout('vfio_iommu_spapr_tce_info', 32, {
  argsz: 0,
  flags: 4,
  dma32_window_start: 8,
  dma32_window_size: 12,
  ddw: 16,
});

export const VFIO_EEH_PE_ERR_LAYOUT = defineLayout('vfio_eeh_pe_err', 24, { type: 0, func: 4, addr: 8, mask: 16 });

export const VFIO_EEH_PE_OP_LAYOUT = defineLayout('vfio_eeh_pe_op', 40, { argsz: 0, flags: 4, op: 8, err: 16 });

export const VFIO_IOMMU_SPAPR_REGISTER_MEMORY_LAYOUT = defineLayout('vfio_iommu_spapr_register_memory', 24, {
  argsz: 0,
  flags: 4,
  vaddr: 8,
  size: 16,
});

export const VFIO_IOMMU_SPAPR_TCE_CREATE_LAYOUT = defineLayout('vfio_iommu_spapr_tce_create', 40, {
  argsz: 0,
  flags: 4,
  page_shift: 8,
  __resv1: 12,
  window_size: 16,
  levels: 24,
  __resv2: 28,
  start_addr: 32,
});

export const VFIO_IOMMU_SPAPR_TCE_REMOVE_LAYOUT = defineLayout('vfio_iommu_spapr_tce_remove', 16, {
  argsz: 0,
  flags: 4,
  start_addr: 8,
});
