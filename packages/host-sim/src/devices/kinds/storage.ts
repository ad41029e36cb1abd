/**
 * Storage and USB controllers: NVMe SSDs (after a Samsung PM1733: BAR0 a
 * 64-bit register window holding the MSI-X table, CAP/VS registers with
 * their power-on values, FLR), an AHCI SATA controller and an xHCI USB
 * controller as found in an Intel server PCH (root-complex integrated, no
 * PCI Express capability, MSI only).
 */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import type { BarSpec } from '../pci-function-spec.ts';
import { leBytes } from '../sparse-memory.ts';
import type { KindDescriptor } from './kind-descriptor.ts';
import { identity, KiB, resolveBars, resolveMsi, resolveMsix } from './layout.ts';

const NVME_BARS: BarSpec[] = [{ index: 0, kind: 'mem64', size: 32 * KiB }];

/** NVMe CAP: MQES 16383, contiguous queues required, timeout 15 s, NVM command set, page sizes 4 KiB..64 KiB */
const NVME_CAP = 0x3fffn | (1n << 16n) | (0x1en << 24n) | (1n << 37n) | (4n << 52n);
/** NVMe 1.4 */
const NVME_VS = 0x00010400n;

export const nvme: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars(NVME_BARS, dev);
  return {
    spec: {
      ...identity(dev, 0x00),
      interruptPin: 1,
      bars,
      pm: { noSoftReset: true },
      msi: resolveMsi(32, dev, { perVectorMask: true }),
      pcie: { portType: 'endpoint', flr: dev.reset ?? true, linkSpeed: 4, linkWidth: 4 },
      msix: resolveMsix(65, dev, bars, { bar: 0, tableOffset: 0x2000 }),
      aer: true,
    },
    initialRegisters: [
      { bar: 0, offset: 0x00, bytes: leBytes(NVME_CAP, 8) },
      { bar: 0, offset: 0x08, bytes: leBytes(NVME_VS, 4) },
    ],
  };
};

const AHCI_BARS: BarSpec[] = [
  { index: 0, kind: 'io', size: 8 },
  { index: 1, kind: 'io', size: 4 },
  { index: 2, kind: 'io', size: 8 },
  { index: 3, kind: 'io', size: 4 },
  { index: 4, kind: 'io', size: 32 },
  { index: 5, kind: 'mem32', size: 2 * KiB },
];

export const sata: KindDescriptor = (dev: ScenarioDevice) => ({
  spec: {
    ...identity(dev, 0x09),
    multifunction: dev.multifunction ?? false,
    interruptPin: 1,
    bars: resolveBars(AHCI_BARS, dev),
    pm: { noSoftReset: false },
    msi: resolveMsi(1, dev),
  },
});

const XHCI_BARS: BarSpec[] = [{ index: 0, kind: 'mem64', size: 64 * KiB }];

export const usb: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars(XHCI_BARS, dev);
  return {
    spec: {
      ...identity(dev, 0x09),
      multifunction: dev.multifunction ?? false,
      interruptPin: 1,
      bars,
      pm: { noSoftReset: false },
      msi: resolveMsi(8, dev),
      msix: resolveMsix(0, dev, bars, { bar: 0, tableOffset: 0x3000 }),
    },
  };
};
