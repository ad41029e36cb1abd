import { describe, expect, it } from 'vitest';
import type { GroupView, PciDeviceView } from '@vfioscope/protocol';
import { bindableBlockers, isPassthroughCandidate, qemuArgs, releaseItems, releaseSummary } from './group-plan.ts';

const MiB = 1024 * 1024;
const dev = (bdf: string, classCode: number, driver: string | null): PciDeviceView => ({
  bdf,
  vendorId: 0x10de,
  deviceId: 0x2230,
  subsystemVendorId: 0,
  subsystemDeviceId: 0,
  classCode,
  driver,
  driverOverride: null,
  numaNode: 0,
  iommuGroup: 25,
});
const gpu = dev('0000:98:00.0', 0x030000, 'vfio-pci');
const audio = dev('0000:98:00.1', 0x040300, 'snd_hda_intel');
const edu = dev('0000:65:00.0', 0x00ff00, 'vfio-pci');
const bridge = dev('0000:01:00.0', 0x060400, null);
const group = (p: Partial<GroupView>): GroupView => ({
  id: 25,
  devices: [],
  viable: true,
  blockers: [],
  owners: [],
  container: null,
  openDevices: [],
  held: null,
  ...p,
});

describe('group plan', () => {
  it('calls a GPU, NIC or NVMe on vfio-pci a passthrough candidate, the edu test device not', () => {
    expect(isPassthroughCandidate([gpu, audio])).toBe(true);
    expect(isPassthroughCandidate([edu])).toBe(false);
    expect(isPassthroughCandidate([dev('0000:32:00.5', 0x020000, 'vfio-pci')])).toBe(true);
    expect(isPassthroughCandidate([dev('0000:4b:00.0', 0x010802, 'nvme')])).toBe(false);
  });

  it('says what Release tears down, and that mappings stay while other groups hold the container', () => {
    const held = {
      container: 4,
      otherGroups: [],
      mappings: 8,
      pinnedBytes: 30 * MiB,
      irqs: [{ bdf: '0000:65:00.0', index: 'MSIX' as const, vectors: 6 }],
    };
    expect(releaseSummary(held)).toBe('8 mappings, 30 MiB pinned, MSI-X wired on 0000:65:00.0');
    expect(releaseItems(23, held)).toEqual([
      'MSI-X wired on 0000:65:00.0 (6 vectors) — disabled',
      "8 mappings, 30 MiB pinned — unmapped and unpinned: group 23 is container 4's last group",
      "the group's device fds closed",
    ]);
    const shared = { ...held, irqs: [], otherGroups: [29] };
    expect(releaseItems(23, shared)[0]).toBe('8 mappings, 30 MiB pinned stay with container 4: group 29 still holds it');
    expect(releaseSummary(shared)).toBe('8 mappings, 30 MiB pinned (kept by container 4)');
  });

  it('offers blockers to vfio-pci, but never a bridge', () => {
    const g = group({
      viable: false,
      blockers: [
        { bdf: audio.bdf, driver: 'snd_hda_intel' },
        { bdf: bridge.bdf, driver: 'pcieport' },
      ],
    });
    expect(bindableBlockers(g, [gpu, audio, bridge]).map((b) => b.bdf)).toEqual([audio.bdf]);
  });

  it('writes the QEMU arguments for every function but bridges', () => {
    expect(qemuArgs([gpu, audio, bridge])).toBe('-device vfio-pci,host=0000:98:00.0 -device vfio-pci,host=0000:98:00.1');
  });
});
