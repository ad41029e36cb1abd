/**
 * The `edu` guest on the 6.12 kernel the bed builds from Debian's
 * linux-source-6.12 (e2e/kernel: VFIOSCOPE_GUEST=6.12-type1 / 6.12-compat):
 * the same devices and groups, with all three VFIO uAPIs — /dev/iommu, the
 * device cdevs /dev/vfio/devices/vfioN, and the legacy /dev/vfio/vfio,
 * served by type1 (`edu-6.12`) or by iommufd's compat code
 * (`edu-6.12-compat`, no vfio_iommu_type1 module). The bed's cdev mode
 * (6.12-cdev) runs the compat module tree, so `edu-6.12-compat` mirrors it
 * too.
 */
import { eduScenario } from './edu.ts';
import type { Scenario } from './scenario-types.ts';

export const EDU_612_KERNEL = '6.12.95-vfioscope';

export const edu612Scenario: Scenario = {
  ...structuredClone(eduScenario),
  name: 'edu-6.12',
  description: 'the edu guest on Linux 6.12: /dev/iommu and the device cdevs, /dev/vfio/vfio served by type1',
  kernel: EDU_612_KERNEL,
  iommu: 'type1',
  iommufd: true,
  cdev: true,
};

export const edu612CompatScenario: Scenario = {
  ...structuredClone(edu612Scenario),
  name: 'edu-6.12-compat',
  description:
    "the edu guest on Linux 6.12 with /dev/vfio/vfio served by iommufd's compat code (no type1), /dev/iommu and the device cdevs",
  iommu: 'iommufd-compat',
};
