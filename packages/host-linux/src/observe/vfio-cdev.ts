/**
 * The VFIO device cdev in sysfs (Linux 6.6+, CONFIG_VFIO_DEVICE_CDEV): a
 * device on a VFIO driver has a class device vfio-dev/vfioN under its sysfs
 * directory, linked from /sys/class/vfio-dev/vfioN, whose node is
 * /dev/vfio/devices/vfioN. (The sysfs entry exists without the cdev option
 * too — 6.1 has it — but then has no `dev` attribute and no node exists.)
 */
import { join } from 'node:path';
import { linkBase, listDir, readLink } from './fs-read.ts';
import type { LinuxRoots } from './roots.ts';
import { pciDevicesDir } from './sysfs-pci.ts';

const CDEV_NAME = /^vfio\d+$/;
const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

/** "vfioN" of a device, from /sys/bus/pci/devices/<bdf>/vfio-dev/; null when it has none (or bdf is not a PCI address) */
export function cdevNameOf(roots: LinuxRoots, bdf: string): string | null {
  if (!BDF.test(bdf)) return null;
  return listDir(join(pciDevicesDir(roots), bdf, 'vfio-dev')).find((n) => CDEV_NAME.test(n)) ?? null;
}

/** the node to open for a cdev name */
export function cdevPath(roots: LinuxRoots, name: string): string {
  return join(roots.dev, 'vfio/devices', name);
}

/** a device's IOMMU group number from its iommu_group link, null when it has none */
export function iommuGroupOf(roots: LinuxRoots, bdf: string): number | null {
  const g = linkBase(join(pciDevicesDir(roots), bdf, 'iommu_group'));
  return g !== null && /^\d+$/.test(g) ? Number(g) : null;
}

/**
 * The device (and its group) behind a cdev name: /sys/class/vfio-dev/vfioN links to
 * …/<BDF>/vfio-dev/vfioN. Null when the cdev is gone (the device was unbound meanwhile).
 */
export function cdevDevice(roots: LinuxRoots, name: string): { bdf: string; group: number | null } | null {
  if (!CDEV_NAME.test(name)) return null;
  const target = readLink(join(roots.sys, 'class/vfio-dev', name));
  if (target === null) return null;
  const parts = target.split('/');
  const at = parts.lastIndexOf('vfio-dev');
  const bdf = at > 0 ? parts[at - 1]! : '';
  if (!BDF.test(bdf)) return null;
  return { bdf, group: iommuGroupOf(roots, bdf) };
}
