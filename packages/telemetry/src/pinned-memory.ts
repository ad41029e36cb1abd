/**
 * Pinned memory and DMA entry accounting. Every context pins the pages it
 * maps; type1 charges them to the process's locked memory (VmLck), iommufd to
 * its pinned memory (VmPin, per user), the compat container to both
 * (rules/pin-charge.ts); type1 also caps the mappings per container at
 * dma_entry_limit. Containers
 * are the ones this vfioscope session holds; processes are every owner of a
 * /dev/vfio/N (a VM, or vfioscope itself) with VmLck / VmPin from procfs.
 */
import { guestName, type GroupOwner, type HostInfo } from '@vfioscope/host';
import { pinCharge } from '@vfioscope/host/rules';
import type { OwnedContainer } from '@vfioscope/session';
import type { DmaEntryStat, PinnedStat } from './telemetry-types.ts';

/** type1's default dma_entry_limit, used when the host cannot say */
export const DEFAULT_DMA_ENTRY_LIMIT = 65_535;

export function pinnedStats(
  containers: readonly OwnedContainer[],
  owners: readonly GroupOwner[],
  memlockLimit: number | null,
): PinnedStat[] {
  const out: PinnedStat[] = containers.map((c) => ({
    scope: 'container',
    id: c.id,
    pinnedBytes: Number(c.pinnedBytes),
    // charged to locked_vm by type1 and the compat container, not by an IOAS (VmPin only)
    lockedBytes: pinCharge(c.kind).locked ? Number(c.pinnedBytes) : 0,
    limitBytes: memlockLimit,
  }));
  const seen = new Set<number>();
  for (const o of owners) {
    if (seen.has(o.pid)) continue; // one process may hold several groups
    seen.add(o.pid);
    out.push({
      scope: 'process',
      id: o.pid,
      pid: o.pid,
      comm: o.comm,
      vm: o.self ? null : guestName(o.cmdline),
      self: o.self,
      pinnedBytes: o.pinnedBytes,
      lockedBytes: o.lockedBytes,
      limitBytes: o.memlockLimit,
    });
  }
  return out;
}

export function dmaEntryStats(containers: readonly OwnedContainer[], hostInfo: HostInfo | null): DmaEntryStat[] {
  return containers.map((c) => {
    // iommufd counts no mappings: an IOAS reports no dma_avail, the compat container a constant 4294967295
    if (c.kind !== 'type1') return { container: c.id, used: c.mappingCount, limit: null };
    const avail = c.iommuInfo?.dmaAvail;
    // dma_avail is what was left when we last asked; with the count then in use it gives the limit
    const limit = hostInfo?.modules.dmaEntryLimit ?? (avail != null ? avail + c.mappingCount : DEFAULT_DMA_ENTRY_LIMIT);
    return { container: c.id, used: c.mappingCount, limit };
  });
}
