/**
 * Telemetry values on the wire. The engine's shapes are close to the
 * protocol's already; the copies keep the wire independent of engine-internal
 * fields (and of whatever the engine adds later).
 */
import type {
  KernelAlert as EngineKernelAlert,
  PinnedStat as EnginePinned,
  StormAlert as EngineAlert,
  TelemetryEngine,
  VectorOwner,
  VectorRate as EngineRate,
} from '@vfioscope/telemetry';
import { formatCpuList } from '@vfioscope/host';
import type { Alert, IrqIndexName, KernelAlert, PinnedStat, ProcessRef, StormAlert, VectorRate } from '@vfioscope/protocol';

export function rateView(r: EngineRate): VectorRate {
  return {
    key: r.key,
    bdf: r.bdf,
    index: r.index as IrqIndexName,
    vector: r.vector,
    source: r.source,
    owner: r.owner ? { pid: r.owner.pid, comm: r.owner.comm, vm: r.owner.vm } : null,
    count: r.count,
    rate: Number.isFinite(r.rate) ? r.rate : 0,
    ...(r.irq !== null ? { irq: r.irq } : {}),
    ...(r.affinity ? { affinity: formatCpuList(r.affinity) } : {}),
    ...(r.effectiveAffinity ? { effective: formatCpuList(r.effectiveAffinity) } : {}),
    ...cpuPairs(r),
  };
}

/** VectorRate.cpus's rule (protocol): [cpu, rate] for CPUs above zero, only on a row whose rate is above zero */
function cpuPairs(r: EngineRate): { cpus?: [number, number][] } {
  if (!(r.rate > 0)) return {};
  const cpus: [number, number][] = [];
  r.cpuRates.forEach((v, cpu) => {
    if (v > 0 && Number.isFinite(v)) cpus.push([cpu, v]);
  });
  return cpus.length ? { cpus } : {};
}

/** every alert the server has: storms first, then the kernel's, each list active first */
export function alertViews(telemetry: Pick<TelemetryEngine, 'alerts' | 'kernelLog'>): Alert[] {
  return [...telemetry.alerts().map(stormAlertView), ...telemetry.kernelLog.alerts.list().map(kernelAlertView)];
}

const ownerView = (o: VectorOwner | null): ProcessRef | null => (o ? { pid: o.pid, comm: o.comm, vm: o.vm } : null);

export function stormAlertView(a: EngineAlert): StormAlert {
  return {
    kind: 'storm',
    id: a.id,
    key: a.key,
    bdf: a.bdf,
    index: a.index,
    vector: a.vector,
    owner: ownerView(a.owner),
    peakRate: a.peakRate,
    reason: a.reason,
    threshold: a.threshold,
    raisedAt: a.raisedAt,
    clearedAt: a.clearedAt,
  };
}

export function kernelAlertView(a: EngineKernelAlert): KernelAlert {
  return {
    kind: 'kernel',
    id: a.id,
    key: a.key,
    reason: a.reason,
    bdf: a.bdf,
    group: a.group,
    owner: ownerView(a.owner),
    irq: a.irq,
    count: a.count,
    message: a.message,
    raisedAt: a.raisedAt,
    lastAt: a.lastAt,
    clearedAt: a.clearedAt,
  };
}

export function pinnedView(p: EnginePinned): PinnedStat {
  return {
    scope: p.scope,
    id: p.id,
    ...(p.pid !== undefined ? { pid: p.pid } : {}),
    ...(p.comm !== undefined ? { comm: p.comm } : {}),
    ...(p.vm !== undefined ? { vm: p.vm } : {}),
    ...(p.self !== undefined ? { self: p.self } : {}),
    pinnedBytes: Number(p.pinnedBytes),
    lockedBytes: Number(p.lockedBytes),
    limitBytes: p.limitBytes === null ? null : Number(p.limitBytes),
  };
}
