/**
 * What the package has from the Linux 6.12 uAPI that Debian 12's 6.1
 * linux-libc-dev (/usr/include) lacks: linux/iommufd.h as a whole and the
 * VFIO device-cdev ioctls of linux/vfio.h. The header probe checks every
 * export of these modules against the 6.12 headers (scripts/headers-6.12.sh
 * fetches them) and everything else the package exports against
 * /usr/include, so a module belongs here exactly when its names are newer
 * than 6.1.
 */
export * from './constants-iommufd.ts';
export * from './ioctl-iommufd.ts';
export * from './structs/iommufd-ioas.ts';
export * from './structs/iommufd-hwpt.ts';
export * from './structs/layouts-iommufd.ts';
export * from './structs/device-cdev.ts';
export * from './constants-hot-reset.ts';
