/**
 * Any other function (host bridges, LPC/SMBus, DMA engines, legacy cards):
 * the scenario's BARs (one 4 KiB register BAR if it lists none) and vector
 * counts. A function on bus 00 is modelled as root-complex integrated without
 * a PCI Express capability, like most chipset functions; anything below a
 * port is a PCI Express endpoint.
 */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import { occupiedBarSlots, type BarSpec } from '../pci-function-spec.ts';
import type { KindDescriptor } from './kind-descriptor.ts';
import { identity, KiB, resolveBars, resolveMsi, resolveMsix } from './layout.ts';

/** The first memory BAR, or the first free slot when every BAR is I/O. */
function msixBar(bars: BarSpec[]): number {
  const mem = bars.find((b) => b.kind !== 'io');
  if (mem) return mem.index;
  const used = occupiedBarSlots(bars);
  return [0, 1, 2, 3, 4, 5].find((i) => !used.has(i)) ?? 0;
}

export const generic: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars([{ index: 0, kind: 'mem32', size: 4 * KiB }], dev);
  const onRootBus = /^[0-9a-f]{4}:00:/i.test(dev.bdf);
  return {
    spec: {
      ...identity(dev, 0x01),
      multifunction: dev.multifunction ?? false,
      interruptPin: 1,
      bars,
      pm: { noSoftReset: false },
      msi: resolveMsi(0, dev),
      pcie: onRootBus ? undefined : { portType: 'endpoint', flr: dev.reset ?? false, linkSpeed: 3, linkWidth: 1 },
      msix: resolveMsix(0, dev, bars, { bar: msixBar(bars), tableOffset: 0x800 }),
    },
  };
};
