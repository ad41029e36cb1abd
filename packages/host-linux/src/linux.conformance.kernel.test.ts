/**
 * The conformance suite on the linux backend, against a real kernel: runs
 * only inside the QEMU guest of e2e/kernel (run.sh), where edu devices sit on
 * vfio-pci behind an emulated Intel IOMMU. The mode: VFIOSCOPE_IOMMU=iommufd
 * (the 6.12-cdev guest) drives /dev/iommu and the cdevs; otherwise the legacy
 * container, type1 or iommufd's compat container by who serves /dev/vfio/vfio
 * (no vfio_iommu_type1 module: compat). The suite checks the host agrees.
 */
import { existsSync } from 'node:fs';
import { type ConformanceMode, defineConformanceSuite, discoverBed } from '@vfioscope/host/conformance';
import { holdGroupInChild } from './hold-group.ts';
import { createLinuxHost } from './linux-host.ts';

function modeOfThisGuest(): ConformanceMode {
  if (process.env.VFIOSCOPE_IOMMU === 'iommufd') return 'iommufd';
  return existsSync('/sys/module/vfio_iommu_type1') ? 'type1' : 'iommufd-compat';
}

defineConformanceSuite(modeOfThisGuest(), async () => {
  const host = createLinuxHost();
  const bed = await discoverBed(host);
  return {
    name: 'linux',
    host,
    ...bed,
    holdGroupElsewhere: (group: number) => holdGroupInChild(host.roots.dev, group),
    dispose: () => host.close(),
  };
});
