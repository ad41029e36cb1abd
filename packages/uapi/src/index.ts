/**
 * @vfioscope/uapi: linux/vfio.h and linux/iommufd.h as TypeScript data.
 * Constants and ioctl numbers with the kernel's names, struct layouts
 * (sizeof/offsetof) and little-endian codecs for the structs vfioscope
 * passes, the ioctl table the CLI prints, and errno names. Verified against
 * the real headers by header-conformance.test.ts: the installed 6.1 one, and
 * 6.12's for what 6.1 lacks (uapi-6.12.ts).
 */
export * from './errno.ts';
export * from './ioc.ts';
export * from './constants.ts';
export * from './constants-iommu.ts';
export * from './constants-device-feature.ts';
export * from './ioctl.ts';
export * from './structs/layout.ts';
export * from './structs/cap-chain.ts';
export * from './structs/group-status.ts';
export * from './structs/device-info.ts';
export * from './structs/region-info.ts';
export * from './structs/irq-info.ts';
export * from './structs/irq-set.ts';
export * from './structs/iommu-type1-info.ts';
export * from './structs/dma-map.ts';
export * from './structs/layouts-device.ts';
export * from './structs/pci-hot-reset.ts';
export * from './structs/layouts-iommu.ts';
export * from './uapi-6.12.ts';
export * from './ioctl-table.ts';
export * from './ioctl-decode.ts';
export * from './ioctl-format.ts';
