/**
 * The fleet figures of one host — what a fleet view ranks hosts by — from
 * the same data its stream topics carry (host, topology, pinned, alerts), so
 * a peer's figures come from its relayed topics and this host's from its own
 * telemetry, by one rule.
 *
 * Memlock headroom is a process's (RLIMIT_MEMLOCK is per process): type1 and
 * iommufd's compat container charge pinned DMA pages to VmLck, iommufd to
 * VmPin, so the larger of the two is what the limit is measured against —
 * the rule deploy/prometheus's VfioscopeMemlockHeadroomLow applies.
 */
import type {
  Alert,
  DmaEntriesStat,
  Headroom,
  HostFigures,
  HostInfoView,
  IommuFaultRate,
  PinnedStat,
  TopologyResponse,
} from '@vfioscope/protocol';

export interface FigureSources {
  /** when the live data was sampled */
  t: number;
  info: HostInfoView;
  vectorsInUse: number;
  iommuFaults: readonly IommuFaultRate[];
  topology: TopologyResponse;
  pinned: readonly PinnedStat[];
  dmaEntries: readonly DmaEntriesStat[];
  alerts: readonly Alert[];
}

export function hostFigures(s: FigureSources): HostFigures {
  const groups = s.topology.groups;
  const active = s.alerts.filter((a) => a.clearedAt === null);
  return {
    t: s.t,
    hostname: s.info.hostname,
    kernel: s.info.kernel,
    backend: s.info.backend,
    ...(s.info.scenario !== undefined ? { scenario: s.info.scenario } : {}),
    groups: {
      total: groups.length,
      viable: groups.filter((g) => g.viable).length,
      heldByVms: groups.filter((g) => g.owners.some((o) => o.vm !== null && !o.self)).length,
      heldByVfioscope: groups.filter((g) => g.container !== null || g.owners.some((o) => o.self)).length,
    },
    alerts: {
      storms: active.filter((a) => a.kind === 'storm').length,
      kernel: active.filter((a) => a.kind === 'kernel').length,
    },
    memlock: worst(
      s.pinned.flatMap((p): Headroom[] =>
        p.scope === 'process' && p.limitBytes !== null && p.limitBytes > 0
          ? [headroom(Math.max(p.lockedBytes, p.pinnedBytes), p.limitBytes, 'process', p.id, p.vm ?? p.comm)]
          : [],
      ),
    ),
    dmaEntries: worst(
      s.dmaEntries.flatMap((d): Headroom[] =>
        d.limit !== null && d.limit > 0 ? [headroom(d.used, d.limit, 'container', d.container)] : [],
      ),
    ),
    iommuFaultsPerMinute: s.iommuFaults.reduce((n, f) => n + f.perMinute, 0),
    vectors: { inUse: s.vectorsInUse, limit: s.info.vectorLimit },
  };
}

function headroom(used: number, limit: number, scope: Headroom['scope'], id: number, name?: string | null): Headroom {
  return { free: Math.max(0, 1 - used / limit), used, limit, scope, id, ...(name ? { name } : {}) };
}

function worst(list: Headroom[]): Headroom | null {
  return list.reduce<Headroom | null>((w, h) => (w === null || h.free < w.free ? h : w), null);
}
