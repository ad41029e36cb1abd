/**
 * The topology as the UI shows it: the host's IOMMU groups and PCI devices,
 * joined with who holds each group (from each process's open fds under /proc on Linux, the scenario's
 * processes in the sim) and what vfioscope's own DriveSession holds.
 */
import { guestName, type GroupOwner, type Topology } from '@vfioscope/host';
import type { GroupView, HeldGroupView, PciDeviceView, TopologyResponse } from '@vfioscope/protocol';

export interface OwnedGroupRef {
  group: number;
  container: number;
  devices: string[];
}

export function topologyView(
  topo: Topology,
  owners: readonly GroupOwner[],
  owned: OwnedGroupRef[],
  held: ReadonlyMap<number, HeldGroupView> = new Map(),
): TopologyResponse {
  const byGroup = new Map<number, GroupOwner[]>();
  for (const o of owners) {
    const list = byGroup.get(o.group) ?? [];
    list.push(o);
    byGroup.set(o.group, list);
  }
  const ownedBy = new Map(owned.map((g) => [g.group, g]));
  const groups: GroupView[] = topo.groups.map((g) => ({
    id: g.id,
    devices: [...g.devices],
    viable: g.viable,
    blockers: g.blockers.map((b) => ({ bdf: b.bdf, driver: b.driver })),
    owners: (byGroup.get(g.id) ?? []).map((o) => ({
      pid: o.pid,
      via: o.via,
      comm: o.comm,
      vm: o.self ? null : guestName(o.cmdline),
      cmdline: o.cmdline,
      self: o.self,
      lockedBytes: o.lockedBytes,
      pinnedBytes: o.pinnedBytes,
      memlockLimit: o.memlockLimit,
    })),
    container: ownedBy.get(g.id)?.container ?? null,
    openDevices: [...(ownedBy.get(g.id)?.devices ?? [])],
    held: held.get(g.id) ?? null,
  }));
  const devices: PciDeviceView[] = topo.devices.map((d) => ({
    bdf: d.bdf,
    vendorId: d.vendorId,
    deviceId: d.deviceId,
    subsystemVendorId: d.subsystemVendorId,
    subsystemDeviceId: d.subsystemDeviceId,
    classCode: d.classCode,
    driver: d.driver,
    driverOverride: d.driverOverride,
    numaNode: d.numaNode,
    iommuGroup: d.iommuGroup,
    resetMethods: d.resetMethods,
    ...(d.vendorName !== undefined ? { vendorName: d.vendorName } : {}),
    ...(d.deviceName !== undefined ? { deviceName: d.deviceName } : {}),
    ...(d.physfn !== undefined ? { physfn: d.physfn } : {}),
  }));
  return { groups, devices };
}
