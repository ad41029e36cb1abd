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
  resetMethods: [],
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
      kind: 'type1' as const,
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

  it('offers all the blockers to vfio-pci when each is a passthrough function, and nothing when a bridge or chipset function is among them', () => {
    const gpuGroup = group({ viable: false, blockers: [{ bdf: audio.bdf, driver: 'snd_hda_intel' }] });
    expect(bindableBlockers(gpuGroup, [gpu, audio]).map((b) => b.bdf)).toEqual([audio.bdf]);
    const withBridge = group({
      viable: false,
      blockers: [
        { bdf: audio.bdf, driver: 'snd_hda_intel' },
        { bdf: bridge.bdf, driver: 'pcieport' },
      ],
    });
    expect(bindableBlockers(withBridge, [gpu, audio, bridge])).toEqual([]);
    // the PCH: SMBus (0x0c05) and a thermal sensor (0x1180) belong to the host, whatever binding them would do
    const smbus = dev('0000:00:1f.4', 0x0c0500, 'i801_smbus');
    const thermal = dev('0000:00:14.2', 0x118000, 'intel_pch_thermal');
    const xhci = dev('0000:00:14.0', 0x0c0330, 'xhci_hcd');
    expect(bindableBlockers(group({ viable: false, blockers: [{ bdf: smbus.bdf, driver: 'i801_smbus' }] }), [smbus])).toEqual([]);
    expect(
      bindableBlockers(
        group({
          viable: false,
          blockers: [
            { bdf: xhci.bdf, driver: 'xhci_hcd' },
            { bdf: thermal.bdf, driver: 'intel_pch_thermal' },
          ],
        }),
        [xhci, thermal],
      ),
    ).toEqual([]);
    expect(bindableBlockers(group({ viable: false, blockers: [{ bdf: xhci.bdf, driver: 'xhci_hcd' }] }), [xhci]).map((b) => b.bdf)).toEqual(
      [xhci.bdf],
    );
  });

  it('writes the QEMU arguments for every function but bridges', () => {
    expect(qemuArgs([gpu, audio, bridge])).toBe('-device vfio-pci,host=0000:98:00.0 -device vfio-pci,host=0000:98:00.1');
  });
});
