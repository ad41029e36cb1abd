/**
 * PCI-to-PCI bridges (header type 1): PCI Express root and switch ports
 * (with ACS and AER, so what is below them is isolated), a PCI Express to
 * PCI bridge (no ACS: the kernel aliases every device behind it to the
 * bridge, so they all share its IOMMU group), and a conventional PCI bridge
 * like QEMU's pci-bridge.
 */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import type { PciFunctionSpec } from '../pci-function-spec.ts';
import type { KindDescriptor } from './kind-descriptor.ts';
import { identity, resolveBars, resolveMsi } from './layout.ts';

function busOf(bdf: string): number {
  const m = /^[0-9a-f]{4}:([0-9a-f]{2}):/i.exec(bdf);
  const bus = m?.[1];
  return bus !== undefined ? parseInt(bus, 16) : 0;
}

export const pciBridge: KindDescriptor = (dev: ScenarioDevice) => {
  const type = dev.bridgeType ?? 'root-port';
  const primaryBus = busOf(dev.bdf);
  const secondaryBus = dev.secondaryBus ?? primaryBus + 1;
  const common: PciFunctionSpec = {
    ...identity(dev, 0x04),
    multifunction: dev.multifunction ?? false,
    interruptPin: 1,
    bars: resolveBars([], dev),
    bridge: { primaryBus, secondaryBus, subordinateBus: secondaryBus },
    pm: { noSoftReset: false },
  };
  switch (type) {
    case 'pci-bridge':
      return { spec: { ...common, msi: resolveMsi(1, dev, { addr64: true }) } };
    case 'pcie-to-pci':
      return { spec: { ...common, interruptPin: 0, pcie: { portType: 'pcie-to-pci', linkSpeed: 2, linkWidth: 1 } } };
    default:
      return {
        spec: {
          ...common,
          msi: resolveMsi(1, dev),
          pcie: { portType: type, linkSpeed: 4, linkWidth: 16 },
          aer: true,
          acs: type !== 'upstream',
        },
      };
  }
};
