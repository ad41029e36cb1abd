import { describe, expect, it } from 'vitest';
import type { GroupView, TopologyResponse } from '@vfioscope/protocol';
import { buildCards, filterCards, ownerLabel, packClusters, sections } from './topology-model.ts';

const group = (id: number, p: Partial<GroupView> = {}): GroupView => ({
  id,
  devices: [`0000:0${id}:00.0`],
  viable: true,
  blockers: [],
  owners: [],
  container: null,
  openDevices: [],
  held: null,
  ...p,
});
const device = (bdf: string, driver: string, vendorName = 'NVIDIA Corporation') => ({
  bdf,
  vendorId: 0x10de,
  deviceId: 0x2230,
  subsystemVendorId: 0,
  subsystemDeviceId: 0,
  classCode: 0x030000,
  driver,
  driverOverride: null,
  numaNode: 0,
  resetMethods: [],
  iommuGroup: null,
  vendorName,
  deviceName: 'GA102GL',
});
const qemu = {
  pid: 4242,
  comm: 'qemu-system-x86',
  cmdline: 'qemu -name guest=win11-cad,debug-threads=on',
  self: false,
  lockedBytes: 0,
  pinnedBytes: 0,
  memlockLimit: null,
  vm: 'win11-cad',
  via: 'group' as const,
};

const topo: TopologyResponse = {
  groups: [
    group(1, { container: 7 }),
    group(2, { container: 7 }),
    group(3, { owners: [qemu] }),
    group(4, { viable: false, blockers: [{ bdf: '0000:04:00.0', driver: 'ast' }] }),
    group(5, { container: 9 }),
  ],
  devices: [
    device('0000:01:00.0', 'vfio-pci'),
    device('0000:02:00.0', 'vfio-pci'),
    device('0000:03:00.0', 'vfio-pci'),
    device('0000:04:00.0', 'ast', 'ASPEED'),
    device('0000:05:00.0', 'vfio-pci'),
  ],
};

describe('topology model', () => {
  it('names owners by their VM', () => {
    expect(ownerLabel(topo.groups[2]!)).toBe('win11-cad · pid 4242');
    expect(ownerLabel(topo.groups[0]!)).toBe('vfioscope');
    expect(ownerLabel(topo.groups[3]!)).toBeNull();
  });

  it('draws groups sharing a container together, then other owners, then free groups', () => {
    const s = sections(buildCards(topo));
    expect(s.map((x) => x.key)).toEqual(['vfioscope', 'others', 'free']);
    expect(s[0]!.clusters!.map((c) => [c.container, c.cards.map((k) => k.group.id)])).toEqual([
      [7, [1, 2]],
      [9, [5]],
    ]);
  });

  it('packs clusters into rows of card slots', () => {
    const clusters = sections(buildCards(topo))[0]!.clusters!;
    expect(packClusters(clusters, 3).map((r) => r.map((c) => c.container))).toEqual([[7, 9]]);
    expect(packClusters(clusters, 2).map((r) => r.map((c) => c.container))).toEqual([[7], [9]]);
  });

  it('searches BDF, vendor, driver and owner; filters by state', () => {
    const cards = buildCards(topo);
    expect(filterCards(cards, 'ast', 'all').map((c) => c.group.id)).toEqual([4]);
    expect(filterCards(cards, 'win11', 'all').map((c) => c.group.id)).toEqual([3]);
    expect(filterCards(cards, '0000:05', 'all').map((c) => c.group.id)).toEqual([5]);
    expect(filterCards(cards, '', 'blocked').map((c) => c.group.id)).toEqual([4]);
    expect(filterCards(cards, 'nvidia', 'vfioscope').map((c) => c.group.id)).toEqual([1, 2, 5]);
  });
});
