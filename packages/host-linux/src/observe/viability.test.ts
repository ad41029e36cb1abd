import { describe, expect, it } from 'vitest';
import type { PciDevice } from '@vfioscope/host';
import { groupViability, isDmaSafeDriver } from './viability.ts';

const dev = (bdf: string, driver: string | null): PciDevice => ({
  bdf,
  vendorId: 0x8086,
  deviceId: 0x1234,
  subsystemVendorId: 0,
  subsystemDeviceId: 0,
  classCode: 0,
  driver,
  driverOverride: null,
  numaNode: -1,
  resetMethods: [],
  iommuGroup: 1,
});

describe('group viability', () => {
  it('drivers that leave DMA to VFIO do not block: vfio-pci and its variants, pci-stub, pcieport', () => {
    for (const d of ['vfio-pci', 'mlx5_vfio_pci', 'hisi_acc_vfio_pci', 'pci-stub', 'pcieport']) expect(isDmaSafeDriver(d)).toBe(true);
    for (const d of ['e1000e', 'nvidia', 'snd_hda_intel', 'nvme']) expect(isDmaSafeDriver(d)).toBe(false);
  });

  it('a GPU on vfio-pci with its audio function on snd_hda_intel is blocked by the audio function alone', () => {
    const members = [
      dev('0000:01:00.0', 'vfio-pci'),
      dev('0000:01:00.1', 'snd_hda_intel'),
      dev('0000:00:01.0', 'pcieport'),
      dev('0000:01:00.2', null),
    ];
    expect(groupViability(members)).toEqual({ viable: false, blockers: [{ bdf: '0000:01:00.1', driver: 'snd_hda_intel' }] });
    expect(groupViability([members[0]!, members[2]!, members[3]!])).toEqual({ viable: true, blockers: [] });
  });
});
