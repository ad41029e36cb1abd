/**
 * IOMMU groups from /sys/kernel/iommu_groups/<N>/devices/<BDF>. A host whose
 * IOMMU is off (or absent) has no entries there: that is an empty list here,
 * and hostInfo says why.
 */
import { join } from 'node:path';
import type { IommuGroupInfo, PciDevice, Topology } from '@vfioscope/host';
import { listDir } from './fs-read.ts';
import type { LinuxRoots } from './roots.ts';
import { readPciDevices } from './sysfs-pci.ts';
import { groupViability } from './viability.ts';

export function iommuGroupsDir(roots: LinuxRoots): string {
  return join(roots.sys, 'kernel/iommu_groups');
}

export function listGroupIds(roots: LinuxRoots): number[] {
  return listDir(iommuGroupsDir(roots))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

export function readTopology(roots: LinuxRoots): Topology {
  const devices = readPciDevices(roots);
  const byBdf = new Map(devices.map((d) => [d.bdf, d]));
  const groups: IommuGroupInfo[] = listGroupIds(roots).map((id) => {
    const bdfs = listDir(join(iommuGroupsDir(roots), String(id), 'devices')).sort();
    // non-PCI members (platform devices) have no PciDevice and never block
    const members = bdfs.map((b) => byBdf.get(b)).filter((d): d is PciDevice => d !== undefined);
    return { id, devices: bdfs, ...groupViability(members) };
  });
  return { groups, devices };
}
