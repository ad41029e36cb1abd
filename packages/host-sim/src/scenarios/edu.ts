/**
 * The small test scenario that mirrors the real-kernel QEMU guest
 * (q35 + intel-iommu, two `-device edu`, a pci-bridge with two devices
 * behind it, the default e1000e NIC). On q35 each function on the root bus
 * is its own group, numbered in discovery order (all of bus 00 first, then
 * the buses behind bridges); a conventional PCI bridge makes the kernel alias
 * every device behind it to the bridge, so they share its group.
 *
 *   group 0  00:00.0 host bridge            (no driver)
 *   group 1  00:01.0 VGA (bochs)            bochs-drm
 *   group 2  00:02.0 e1000e                 e1000e    ← non-VFIO device for observe mode
 *   group 3  00:03.0 edu                    vfio-pci
 *   group 4  00:04.0 edu                    vfio-pci
 *   group 5  00:05.0 pci-bridge + 01:01.0 edu (vfio-pci) + 01:02.0 e1000 (e1000)
 *            → not viable until the e1000 is bound to vfio-pci
 *   group 6  00:1f.0 LPC, 00:1f.2 AHCI, 00:1f.3 SMBus (multi-function, no ACS)
 *
 * Tests must discover BDFs at run time (the guest's may differ); this file
 * only aims to agree with it where QEMU's defaults make that possible.
 */
import { bdf, eduDevice, MiB } from './build-helpers.ts';
import type { Scenario } from './scenario-types.ts';

export const eduScenario: Scenario = {
  name: 'edu',
  description:
    'QEMU q35 guest with intel-iommu: two edu devices in groups 3 and 4, a pci-bridge group that is not viable, an e1000e on its host driver',
  hostname: 'vfioscope-guest',
  kernel: '6.1.0-28-amd64',
  cpus: 2,
  memlockLimit: 16 * MiB,
  dmaEntryLimit: 65535,
  allowUnsafeInterrupts: false,
  interruptRemapping: true,
  devices: [
    {
      bdf: bdf(0, 0, 0),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0x29c0,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x060000,
      vendorName: 'Intel Corporation',
      deviceName: '82G33/G31/P35/P31 Express DRAM Controller',
      group: 0,
      driver: null,
      numaNode: -1,
      bars: [],
    },
    {
      bdf: bdf(0, 1, 0),
      kind: 'generic',
      vendorId: 0x1234,
      deviceId: 0x1111,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x030000,
      vendorName: 'QEMU',
      deviceName: 'Bochs/QEMU VGA',
      group: 1,
      driver: 'bochs-drm',
      numaNode: -1,
      bars: [16 * MiB, 0, 4096, 0, 0, 0],
    },
    {
      bdf: bdf(0, 2, 0),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0x10d3,
      subsystemVendorId: 0x8086,
      subsystemDeviceId: 0x0000,
      classCode: 0x020000,
      vendorName: 'Intel Corporation',
      deviceName: '82574L Gigabit Network Connection',
      group: 2,
      driver: 'e1000e',
      numaNode: -1,
      bars: [128 * 1024, 128 * 1024, 32, 16 * 1024, 0, 0],
      msiVectors: 1,
      msixVectors: 5,
    },
    eduDevice(bdf(0, 3, 0), 3, 'vfio-pci', -1),
    eduDevice(bdf(0, 4, 0), 4, 'vfio-pci', -1),
    {
      bdf: bdf(0, 5, 0),
      kind: 'pci-bridge',
      bridgeType: 'pci-bridge',
      secondaryBus: 1,
      vendorId: 0x1b36,
      deviceId: 0x0001,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x060400,
      vendorName: 'Red Hat, Inc.',
      deviceName: 'QEMU PCI-PCI bridge',
      group: 5,
      driver: null,
      numaNode: -1,
      bars: [256, 0, 0, 0, 0, 0],
    },
    eduDevice(bdf(1, 1, 0), 5, 'vfio-pci', -1),
    {
      bdf: bdf(1, 2, 0),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0x100e,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x020000,
      vendorName: 'Intel Corporation',
      deviceName: '82540EM Gigabit Ethernet Controller',
      group: 5,
      driver: 'e1000',
      numaNode: -1,
      bars: [128 * 1024, 0, 0, 0, 0, 0],
      msiVectors: 0,
      reset: false,
    },
    {
      bdf: bdf(0, 0x1f, 0),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0x2918,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x060100,
      vendorName: 'Intel Corporation',
      deviceName: '82801IB (ICH9) LPC Interface Controller',
      group: 6,
      driver: 'lpc_ich',
      numaNode: -1,
      bars: [],
      multifunction: true,
    },
    {
      bdf: bdf(0, 0x1f, 2),
      kind: 'sata',
      vendorId: 0x8086,
      deviceId: 0x2922,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x010601,
      vendorName: 'Intel Corporation',
      deviceName: '82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]',
      group: 6,
      driver: 'ahci',
      numaNode: -1,
      msiVectors: 1,
    },
    {
      bdf: bdf(0, 0x1f, 3),
      kind: 'generic',
      vendorId: 0x8086,
      deviceId: 0x2930,
      subsystemVendorId: 0x1af4,
      subsystemDeviceId: 0x1100,
      classCode: 0x0c0500,
      vendorName: 'Intel Corporation',
      deviceName: '82801I (ICH9 Family) SMBus Controller',
      group: 6,
      driver: 'i801_smbus',
      numaNode: -1,
      bars: [0, 0, 0, 0, 64, 0],
    },
  ],
  processes: [],
};
