/**
 * Discrete GPUs and their HDMI/DP audio function (function 1 of the same
 * slot, so both land in one IOMMU group). Layout after an NVIDIA Ampere
 * board: BAR0 16 MiB registers, BAR1 a large 64-bit prefetchable framebuffer
 * aperture, BAR3 32 MiB 64-bit prefetchable, BAR5 a 128-byte I/O BAR, a
 * 512 KiB option ROM, one MSI vector and a small MSI-X table in BAR0.
 */
import type { ScenarioDevice } from '../../scenarios/scenario-types.ts';
import type { BarSpec } from '../pci-function-spec.ts';
import type { KindDescriptor } from './kind-descriptor.ts';
import { identity, KiB, MiB, resolveBars, resolveMsi, resolveMsix } from './layout.ts';

const GPU_BARS: BarSpec[] = [
  { index: 0, kind: 'mem32', size: 16 * MiB },
  { index: 1, kind: 'mem64', size: 256 * MiB, prefetchable: true },
  { index: 3, kind: 'mem64', size: 32 * MiB, prefetchable: true },
  { index: 5, kind: 'io', size: 128 },
];

export const gpu: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars(GPU_BARS, dev);
  return {
    spec: {
      ...identity(dev, 0xa1),
      multifunction: dev.multifunction ?? true,
      interruptPin: 1,
      bars,
      romSize: 512 * KiB,
      pm: { noSoftReset: true },
      msi: resolveMsi(1, dev),
      pcie: { portType: 'endpoint', flr: dev.reset ?? false, linkSpeed: 4, linkWidth: 16 },
      msix: resolveMsix(6, dev, bars, { bar: 0, tableOffset: 0xb90000 }),
      aer: true,
    },
  };
};

const AUDIO_BARS: BarSpec[] = [{ index: 0, kind: 'mem32', size: 16 * KiB }];

export const gpuAudio: KindDescriptor = (dev: ScenarioDevice) => {
  const bars = resolveBars(AUDIO_BARS, dev);
  return {
    spec: {
      ...identity(dev, 0xa1),
      multifunction: dev.multifunction ?? false,
      // the audio function of an NVIDIA board signals on INTB
      interruptPin: 2,
      bars,
      pm: { noSoftReset: true },
      msi: resolveMsi(1, dev),
      pcie: { portType: 'endpoint', flr: dev.reset ?? false, linkSpeed: 4, linkWidth: 16 },
      msix: resolveMsix(0, dev, bars, { bar: 0, tableOffset: 0x2000 }),
    },
  };
};
