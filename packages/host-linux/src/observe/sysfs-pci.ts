/**
 * PCI devices as sysfs shows them under /sys/bus/pci/devices/<BDF>: ids,
 * class, the bound driver (the `driver` symlink), driver_override, NUMA
 * node, the IOMMU group (the `iommu_group` symlink), the reset methods the
 * PCI core offers (`reset_method`) and, for an SR-IOV VF, its physical
 * function (`physfn`).
 */
import { join } from 'node:path';
import type { PciDevice } from '@vfioscope/host';
import { linkBase, listDir, readHex, readInt, readTrimmed } from './fs-read.ts';
import { pciNames } from './pci-names.ts';
import type { LinuxRoots } from './roots.ts';

export function pciDevicesDir(roots: LinuxRoots): string {
  return join(roots.sys, 'bus/pci/devices');
}

export function readPciDevice(roots: LinuxRoots, bdf: string): PciDevice | null {
  const dir = join(pciDevicesDir(roots), bdf);
  const vendorId = readHex(join(dir, 'vendor'));
  const deviceId = readHex(join(dir, 'device'));
  if (vendorId === null || deviceId === null) return null;
  const override = readTrimmed(join(dir, 'driver_override'));
  const group = linkBase(join(dir, 'iommu_group'));
  const physfn = linkBase(join(dir, 'physfn'));
  return {
    bdf,
    vendorId,
    deviceId,
    subsystemVendorId: readHex(join(dir, 'subsystem_vendor')) ?? 0,
    subsystemDeviceId: readHex(join(dir, 'subsystem_device')) ?? 0,
    classCode: readHex(join(dir, 'class')) ?? 0,
    driver: linkBase(join(dir, 'driver')),
    // sysfs shows "(null)" when no override is set
    driverOverride: override === null || override === '' || override === '(null)' ? null : override,
    numaNode: readInt(join(dir, 'numa_node')) ?? -1,
    iommuGroup: group === null ? null : Number(group),
    resetMethods: readResetMethods(dir),
    ...pciNames(vendorId, deviceId),
    ...(physfn ? { physfn } : {}),
  };
}

export function readPciDevices(roots: LinuxRoots): PciDevice[] {
  return listDir(pciDevicesDir(roots))
    .sort()
    .map((bdf) => readPciDevice(roots, bdf))
    .filter((d): d is PciDevice => d !== null);
}

/**
 * reset_method (drivers/pci/pci-sysfs.c, Linux 5.15+): the methods in the
 * order pci_reset_function() tries them, space-separated. The attribute is
 * hidden when the function has none (pci_dev_reset_method_attr_is_visible),
 * so an absent file and an empty one both mean no reset.
 */
export function readResetMethods(dir: string): string[] {
  return (readTrimmed(join(dir, 'reset_method')) ?? '').split(/\s+/).filter((m) => m !== '');
}
