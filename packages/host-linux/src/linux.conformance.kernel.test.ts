/**
 * The conformance suite on the linux backend, against a real kernel: runs
 * only inside the QEMU guest of e2e/kernel (run.sh), where edu devices sit on
 * vfio-pci behind an emulated Intel IOMMU.
 */
import { defineConformanceSuite, discoverBed } from '@vfioscope/host/conformance';
import { holdGroupInChild } from './hold-group.ts';
import { createLinuxHost } from './linux-host.ts';

defineConformanceSuite(async () => {
  const host = createLinuxHost();
  const bed = await discoverBed(host);
  return {
    name: 'linux',
    host,
    ...bed,
    holdGroupElsewhere: (group) => holdGroupInChild(host.roots.dev, group),
    dispose: () => host.close(),
  };
});
