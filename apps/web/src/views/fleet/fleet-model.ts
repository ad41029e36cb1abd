/**
 * The fleet table's rules: what makes a host "in trouble" (and why, in
 * words an operator acts on), how hosts sort and filter. A host in trouble
 * sorts first by default, so the one to look at is on top.
 */
import type { Headroom, HostSummary } from '@vfioscope/protocol';

/** less than this share of a limit left is trouble: the next VM start or map is the one refused */
export const LOW_HEADROOM = 0.1;
/** more than this share of the interrupt vectors in use is trouble: the next MSI-X enable may fail */
export const VECTORS_HIGH = 0.9;

export type FleetSort = 'trouble' | 'name' | 'storms' | 'faults' | 'headroom' | 'vectors';
export const FLEET_SORTS: { value: FleetSort; label: string }[] = [
  { value: 'trouble', label: 'trouble first' },
  { value: 'name', label: 'name' },
  { value: 'storms', label: 'storms' },
  { value: 'faults', label: 'IOMMU faults' },
  { value: 'headroom', label: 'least headroom' },
  { value: 'vectors', label: 'vectors in use' },
];

export interface FleetRow {
  host: HostSummary;
  /** why the host needs a look, most urgent first; empty when it does not */
  troubles: string[];
}

const usedPct = (h: Headroom) => `${Math.round((1 - h.free) * 100)} %`;

export function troubles(h: HostSummary): string[] {
  const out: string[] = [];
  if (h.state === 'down') out.push(`unreachable${h.reason ? `: ${h.reason}` : ''}`);
  const f = h.figures;
  if (!f) return out;
  if (f.alerts.storms > 0) out.push(`${f.alerts.storms} interrupt storm${f.alerts.storms === 1 ? '' : 's'}`);
  if (f.alerts.kernel > 0) out.push(`${f.alerts.kernel} kernel alert${f.alerts.kernel === 1 ? '' : 's'}`);
  if (f.iommuFaultsPerMinute > 0) out.push(`${f.iommuFaultsPerMinute} IOMMU faults/min`);
  if (f.memlock && f.memlock.free < LOW_HEADROOM) out.push(`memlock ${usedPct(f.memlock)} used`);
  if (f.dmaEntries && f.dmaEntries.free < LOW_HEADROOM) out.push(`DMA entries ${usedPct(f.dmaEntries)} used`);
  if (f.vectors.limit > 0 && f.vectors.inUse / f.vectors.limit > VECTORS_HIGH) out.push(`vectors ${f.vectors.inUse}/${f.vectors.limit}`);
  return out;
}

/** the least headroom of either kind, 1 when nothing is limited */
function leastFree(h: HostSummary): number {
  return Math.min(h.figures?.memlock?.free ?? 1, h.figures?.dmaEntries?.free ?? 1);
}

const byKey: Record<FleetSort, (a: FleetRow, b: FleetRow) => number> = {
  trouble: (a, b) => b.troubles.length - a.troubles.length,
  name: () => 0,
  storms: (a, b) => (b.host.figures?.alerts.storms ?? 0) - (a.host.figures?.alerts.storms ?? 0),
  faults: (a, b) => (b.host.figures?.iommuFaultsPerMinute ?? 0) - (a.host.figures?.iommuFaultsPerMinute ?? 0),
  headroom: (a, b) => leastFree(a.host) - leastFree(b.host),
  vectors: (a, b) => (b.host.figures?.vectors.inUse ?? 0) - (a.host.figures?.vectors.inUse ?? 0),
};

/** Rows for the table: filtered by a text any of name, hostname, kernel, backend or scenario contains; sorted, ties by name. */
export function fleetRows(hosts: readonly HostSummary[], opts: { filter: string; sort: FleetSort; troubleOnly: boolean }): FleetRow[] {
  const needle = opts.filter.trim().toLowerCase();
  return hosts
    .map((host) => ({ host, troubles: troubles(host) }))
    .filter((r) => !opts.troubleOnly || r.troubles.length > 0)
    .filter((r) => {
      if (needle === '') return true;
      const f = r.host.figures;
      return [r.host.name, f?.hostname, f?.kernel, f?.backend, f?.scenario].some((s) => s?.toLowerCase().includes(needle));
    })
    .sort((a, b) => byKey[opts.sort](a, b) || a.host.name.localeCompare(b.host.name));
}
