/** A ReportSource from plain data, for the report's unit tests. */
import type { Alert, HistoryPoint, HostInfoView, LogEvent } from '@vfioscope/protocol';
import type { ReportHost, ReportSource, ReportVector } from './report-facts.ts';

export const HOST_INFO: HostInfoView = {
  backend: 'sim',
  hostname: 'gpu-07',
  kernel: '6.12.9-amd64',
  iommu: { present: true, groupCount: 14 },
  interruptRemapping: true,
  modules: { vfio: true, vfioPci: true, vfioIommuType1: true, allowUnsafeInterrupts: false, dmaEntryLimit: 65535 },
  memlockLimit: 64 * 2 ** 20,
  uapi: { container: 'type1', iommufd: true, cdev: true },
  pageSize: 4096,
  cpus: 64,
  vectorLimit: 12_000,
  scenario: 'storm',
};

export function testHost(over: Partial<ReportHost> = {}): ReportHost {
  return {
    hostname: HOST_INFO.hostname,
    kernel: HOST_INFO.kernel,
    backend: 'sim',
    scenario: 'storm',
    info: HOST_INFO,
    drive: { iommu: 'auto', kind: 'iommufd' },
    vectorsInUse: 120,
    tickHz: 10,
    ...over,
  };
}

export function testSource(d: {
  now: number;
  alerts?: Alert[];
  vectors?: ReportVector[];
  rates?: Record<string, HistoryPoint[]>;
  events?: LogEvent[];
  host?: ReportHost;
}): ReportSource {
  const inWindow = (t: number, from: number, to: number) => t >= from && t <= to;
  return {
    origin: { kind: 'live' },
    now: () => d.now,
    alerts: async () => d.alerts ?? [],
    vectors: async () => d.vectors ?? [],
    rates: async (key, from, to) => (d.rates?.[key] ?? []).filter((p) => inWindow(p.t, from, to)),
    async busiest(from, to, bdf) {
      let best: [string, number] | null = null;
      for (const [key, points] of Object.entries(d.rates ?? {})) {
        if (bdf !== null && !key.startsWith(`${bdf}/`)) continue;
        for (const p of points) if (inWindow(p.t, from, to) && p.rate > 0 && (best === null || p.rate > best[1])) best = [key, p.rate];
      }
      return best?.[0] ?? null;
    },
    events: async (from, to) => (d.events ?? []).filter((e) => inWindow(e.ts, from, to)),
    host: async () => d.host ?? testHost(),
  };
}
