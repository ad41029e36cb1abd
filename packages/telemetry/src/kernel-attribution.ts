/**
 * Which device, group and process a kernel message is about.
 *
 * A message that names a device (an IOMMU fault, AER, reset trouble) goes to
 * that device, its group and the group's owner. A memlock refusal names no
 * device, and on the kernels operators run no task either:
 * drivers/vfio/vfio_iommu_type1.c vfio_pin_pages_remote() prints only
 * "RLIMIT_MEMLOCK (<limit>) exceeded", the limit being the calling task's
 * own. So it is tied to the one VFIO owner whose RLIMIT_MEMLOCK is that
 * limit, among the owners seen now or within RECENT_OWNER_MS (a QEMU refused
 * at start exits at once and may be gone before the next scan; this server is
 * only a candidate while it holds a group); with no such owner, or several,
 * it stays a host-wide message.
 */
import type { GroupOwner, KernelMessage, Topology } from '@vfioscope/host';

export const RECENT_OWNER_MS = 60_000;

export interface Attribution {
  device?: string;
  group?: number;
  owner?: GroupOwner;
  /** how the owner was found when the message itself does not name it */
  by?: 'memlock-limit';
}

export class KernelAttribution {
  private readonly recent = new Map<string, { owner: GroupOwner; seenAt: number }>();

  /**
   * Remember this scan's owners (and forget those not seen for RECENT_OWNER_MS). Not this server:
   * it is alive, so when it holds nothing now it pinned nothing now.
   */
  see(owners: readonly GroupOwner[], now: number): void {
    for (const o of owners) if (!o.self) this.recent.set(`${o.pid}:${o.group}`, { owner: o, seenAt: now });
    for (const [k, v] of this.recent) if (now - v.seenAt > RECENT_OWNER_MS) this.recent.delete(k);
  }

  attribute(m: KernelMessage, topology: Topology | null, owners: readonly GroupOwner[]): Attribution {
    if (m.bdf) {
      const group = topology?.devices.find((d) => d.bdf === m.bdf)?.iommuGroup ?? undefined;
      const owner = m.pid !== undefined ? owners.find((o) => o.pid === m.pid) : owners.find((o) => o.group === group);
      return { device: m.bdf, ...(group !== undefined ? { group } : {}), ...(owner ? { owner } : {}) };
    }
    if (m.pid !== undefined) {
      const owner = owners.find((o) => o.pid === m.pid);
      return owner ? this.ofOwner(owner, owners, topology) : {};
    }
    if (m.kind === 'memlock-exceeded' && m.limit !== undefined) {
      const byPid = new Map<number, GroupOwner>();
      for (const o of [...owners, ...[...this.recent.values()].map((r) => r.owner)]) {
        if (o.memlockLimit === m.limit && !byPid.has(o.pid)) byPid.set(o.pid, o);
      }
      const [only, ...more] = byPid.values();
      if (only && more.length === 0) return { ...this.ofOwner(only, [...owners, only], topology), by: 'memlock-limit' };
    }
    return {};
  }

  /** the owner, and its group and device when it holds just one of each */
  private ofOwner(owner: GroupOwner, owners: readonly GroupOwner[], topology: Topology | null): Attribution {
    const recentGroups = [...this.recent.values()].filter((r) => r.owner.pid === owner.pid).map((r) => r.owner.group);
    const groups = new Set([...owners.filter((o) => o.pid === owner.pid).map((o) => o.group), ...recentGroups]);
    if (groups.size !== 1) return { owner };
    const group = owner.group;
    const devices = topology?.groups.find((g) => g.id === group)?.devices ?? [];
    return { owner, group, ...(devices.length === 1 ? { device: devices[0]! } : {}) };
  }
}
