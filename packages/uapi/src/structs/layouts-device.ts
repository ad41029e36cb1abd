/**
 * Layouts of device-fd structs: PCI hot reset (its codecs are in
 * pci-hot-reset.ts) and, without codecs, what vfioscope names but does not
 * build: mdev graphics planes, ioeventfds, VFIO_DEVICE_FEATURE
 * payloads, the deprecated v1 migration region and the NVLink2 region caps.
 * They give the ioctl table its struct sizes and are checked against the
 * header like the rest.
 */
import { defineLayout } from './layout.ts';

export const VFIO_PCI_DEPENDENT_DEVICE_LAYOUT = defineLayout('vfio_pci_dependent_device', 8, {
  group_id: 0,
  segment: 4,
  bus: 6,
  devfn: 7,
});

export const VFIO_PCI_HOT_RESET_INFO_LAYOUT = defineLayout('vfio_pci_hot_reset_info', 12, {
  argsz: 0,
  flags: 4,
  count: 8,
  devices: 12,
});

export const VFIO_PCI_HOT_RESET_LAYOUT = defineLayout('vfio_pci_hot_reset', 12, {
  argsz: 0,
  flags: 4,
  count: 8,
  group_fds: 12,
});

export const VFIO_DEVICE_GFX_PLANE_INFO_LAYOUT = defineLayout('vfio_device_gfx_plane_info', 64, {
  argsz: 0,
  flags: 4,
  drm_plane_type: 8,
  drm_format: 12,
  drm_format_mod: 16,
  width: 24,
  height: 28,
  stride: 32,
  size: 36,
  x_pos: 40,
  y_pos: 44,
  x_hot: 48,
  y_hot: 52,
  region_index: 56,
  dmabuf_id: 56,
});

export const VFIO_DEVICE_IOEVENTFD_LAYOUT = defineLayout('vfio_device_ioeventfd', 32, {
  argsz: 0,
  flags: 4,
  offset: 8,
  data: 16,
  fd: 24,
});

export const VFIO_DEVICE_FEATURE_LAYOUT = defineLayout('vfio_device_feature', 8, { argsz: 0, flags: 4, data: 8 });

export const VFIO_DEVICE_FEATURE_MIGRATION_LAYOUT = defineLayout('vfio_device_feature_migration', 8, { flags: 0 });

export const VFIO_DEVICE_FEATURE_MIG_STATE_LAYOUT = defineLayout('vfio_device_feature_mig_state', 8, {
  device_state: 0,
  data_fd: 4,
});

export const VFIO_DEVICE_LOW_POWER_ENTRY_WITH_WAKEUP_LAYOUT = defineLayout('vfio_device_low_power_entry_with_wakeup', 8, {
  wakeup_eventfd: 0,
  reserved: 4,
});

export const VFIO_DEVICE_FEATURE_DMA_LOGGING_CONTROL_LAYOUT = defineLayout('vfio_device_feature_dma_logging_control', 24, {
  page_size: 0,
  num_ranges: 8,
  __reserved: 12,
  ranges: 16,
});

export const VFIO_DEVICE_FEATURE_DMA_LOGGING_RANGE_LAYOUT = defineLayout('vfio_device_feature_dma_logging_range', 16, {
  iova: 0,
  length: 8,
});

export const VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT_LAYOUT = defineLayout('vfio_device_feature_dma_logging_report', 32, {
  iova: 0,
  length: 8,
  page_size: 16,
  bitmap: 24,
});

export const VFIO_DEVICE_MIGRATION_INFO_LAYOUT = defineLayout('vfio_device_migration_info', 32, {
  device_state: 0,
  reserved: 4,
  pending_bytes: 8,
  data_offset: 16,
  data_size: 24,
});

export const VFIO_REGION_GFX_EDID_LAYOUT = defineLayout('vfio_region_gfx_edid', 24, {
  edid_offset: 0,
  edid_max_size: 4,
  edid_size: 8,
  max_xres: 12,
  max_yres: 16,
  link_state: 20,
});

export const VFIO_REGION_INFO_CAP_NVLINK2_SSATGT_LAYOUT = defineLayout('vfio_region_info_cap_nvlink2_ssatgt', 16, {
  header: 0,
  tgt: 8,
});

export const VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD_LAYOUT = defineLayout('vfio_region_info_cap_nvlink2_lnkspd', 16, {
  header: 0,
  link_speed: 8,
  __pad: 12,
});
