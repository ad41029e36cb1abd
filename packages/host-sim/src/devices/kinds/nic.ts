/**
 * SR-IOV network adapter functions, after an Intel E810: the physical
 * function (BAR0 32 MiB and BAR3 64 KiB, both 64-bit prefetchable, the MSI-X
 * table in BAR3, ACS so each VF is isolated in its own group, an SR-IOV
 * capability) and its virtual functions (no INTx, no MSI, many MSI-X vectors
 * in BAR3). VFs show vendor/device ids in their config space the way vfio-pci
 * presents them (on silicon a VF's id registers read 0xffff and the kernel
 * fills them in from the PF's SR-IOV capability).
 */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import type { BarSpec } from '../pci-function-spec.ts';
import type { KindDescriptor } from './kind-descriptor.ts';
import { identity, KiB, MiB, resolveBars, resolveMsi, resolveMsix } from './layout.ts';

const PF_BARS: BarSpec[] = [
  { index: 0, kind: 'mem64', size: 32 * MiB, prefetchable: true },
  { index: 3, kind: 'mem64', size: 64 * KiB, prefetchable: true },
];

const VF_BARS: BarSpec[] = [
  { index: 0, kind: 'mem64', size: 128 * KiB, prefetchable: true },
  { index: 3, kind: 'mem64', size: 16 * KiB, prefetchable: true },
];

/** E810 VF device id, used when the scenario does not say */
const DEFAULT_VF_DEVICE_ID = 0x1889;

export const nicPf: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars(PF_BARS, dev);
  return {
    spec: {
      ...identity(dev, 0x02),
      multifunction: dev.multifunction ?? false,
      interruptPin: 1,
      bars,
      romSize: 1 * MiB,
      pm: { noSoftReset: true },
      msi: resolveMsi(1, dev, { perVectorMask: true }),
      pcie: { portType: 'endpoint', flr: dev.reset ?? true, linkSpeed: 4, linkWidth: 16 },
      msix: resolveMsix(1024, dev, bars, { bar: 3, tableOffset: 0 }),
      aer: true,
      acs: true,
      sriov: {
        totalVfs: 128,
        numVfs: dev.numVfs ?? 0,
        vfDeviceId: DEFAULT_VF_DEVICE_ID,
        firstVfOffset: 0x100,
        vfStride: 1,
        vfBars: VF_BARS,
      },
    },
  };
};

export const nicVf: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars(VF_BARS, dev);
  return {
    spec: {
      ...identity(dev, 0x02),
      interruptPin: 0,
      bars,
      msi: resolveMsi(0, dev),
      pcie: { portType: 'endpoint', flr: dev.reset ?? true, linkSpeed: 4, linkWidth: 16 },
      msix: resolveMsix(65, dev, bars, { bar: 3, tableOffset: 0 }),
    },
  };
};
