/**
 * The telemetry engine: each tick it drains the session's eventfds once,
 * reads the host's VFIO interrupt lines (every tick on the sim; at most once
 * per `observeIntervalMs` on Linux, where /proc/interrupts costs more),
 * reads the observed-host snapshot (topology and owners, shared with the
 * server's readers: observed-host.ts) and limits now and then, turns counts
 * into rates and history, runs storm detection, and logs and announces alerts.
 */
import type { GroupOwner, Host, HostInfo, Topology } from '@vfioscope/host';
import type { DriveSession, SessionEvent } from '@vfioscope/session';
import type { EventLog } from './event-log.ts';
import { IrqRateSampler, type VectorSeries } from './irq-rate-sampler.ts';
import { dmaEntryStats, pinnedStats } from './pinned-memory.ts';
import { sessionEventToLog } from './session-log.ts';
import { StormDetector } from './storm-detector.ts';
import type {
  DmaEntryStat,
  HistoryPoint,
  HistoryResolution,
  PinnedStat,
  ResolvedStormConfig,
  StormAlert,
  StormConfig,
  TelemetrySnapshot,
  TelemetryTick,
  VectorRate,
  VectorUsage,
} from './telemetry-types.ts';
import type { KernelSubject } from './kernel-alerts.ts';
import { KernelLogFollower } from './kernel-log-follower.ts';
import { ObservedHost } from './observed-host.ts';
import { VectorOwners } from './vector-owners.ts';
import { vfioSignals } from './vfio-signal-alerts.ts';

export interface TelemetryEngineOptions {
  host: Host;
  session: DriveSession;
  /** samples per second (default 10) */
  tickHz?: number;
  storm?: Partial<StormConfig>;
  eventLog: EventLog;
  /** ms clock; tests pass a manual one and call tick() themselves */
  clock?: () => number;
  /** minimum time between host.irqLines() reads; default 0 on the sim, 1000 on Linux */
  observeIntervalMs?: number;
  /** how often owners and topology are re-read (default 2000 ms; sooner after an action that changes them) */
  ownersRefreshMs?: number;
  /** how often host limits are re-read (default 30 000 ms) */
  hostInfoRefreshMs?: number;
  tickHistorySeconds?: number;
  secondHistorySeconds?: number;
  /** drop a vector's series after it has been gone this long (default 60 000 ms) */
  evictAfterMs?: number;
  /** also write every session action to the event log (off when the server logs them itself) */
  logSessionEvents?: boolean;
}

type TickListener = (t: TelemetryTick) => void;
type AlertListener = (a: StormAlert) => void;

export class TelemetryEngine {
  readonly tickHz: number;
  private readonly host: Host;
  private readonly session: DriveSession;
  private readonly eventLog: EventLog;
  private readonly clock: () => number;
  private readonly sampler: IrqRateSampler;
  private readonly storms: StormDetector;
  private readonly owners = new VectorOwners();
  /** the kernel's messages as `kernel` events (read on the observe cadence) */
  readonly kernelLog: KernelLogFollower;
  /** topology and owners, read once per refresh for the engine and everyone else */
  readonly observed: ObservedHost;
  private topology: Topology | null = null;
  private readonly observeIntervalMs: number;
  private readonly hostInfoRefreshMs: number;
  private readonly tickListeners = new Set<TickListener>();
  private readonly alertListeners = new Set<AlertListener>();
  private readonly unsubscribeSession: (() => void) | null;
  private readonly unsubscribeResets: () => void;
  private readonly resetsSeen = new WeakSet<object>();

  private seq = 0;
  private lastTickAt: number | null = null;
  private lastObserveAt: number | null = null;
  private observedVersion = 0;
  private lastHostInfoAt: number | null = null;
  private latestRates: VectorRate[] = [];
  private groupOwners: readonly GroupOwner[] = [];
  private hostInfo: HostInfo | null = null;
  private lastSourceError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<TelemetryTick> | null = null;

  constructor(opts: TelemetryEngineOptions) {
    this.host = opts.host;
    this.session = opts.session;
    this.eventLog = opts.eventLog;
    this.tickHz = opts.tickHz ?? 10;
    if (!(this.tickHz > 0 && this.tickHz <= 1000)) throw new RangeError(`tickHz must be in (0, 1000], got ${this.tickHz}`);
    this.clock = opts.clock ?? Date.now;
    this.sampler = new IrqRateSampler({
      tickHz: this.tickHz,
      ...(opts.tickHistorySeconds !== undefined ? { tickHistorySeconds: opts.tickHistorySeconds } : {}),
      ...(opts.secondHistorySeconds !== undefined ? { secondHistorySeconds: opts.secondHistorySeconds } : {}),
      ...(opts.evictAfterMs !== undefined ? { evictAfterMs: opts.evictAfterMs } : {}),
    });
    this.storms = new StormDetector(opts.storm);
    this.kernelLog = new KernelLogFollower(opts.host, opts.eventLog);
    this.observeIntervalMs = opts.observeIntervalMs ?? (opts.host.backend === 'linux' ? 1000 : 0);
    this.observed = new ObservedHost({ host: opts.host, session: opts.session, clock: this.clock, maxAgeMs: opts.ownersRefreshMs ?? 2000 });
    this.hostInfoRefreshMs = opts.hostInfoRefreshMs ?? 30_000;
    this.unsubscribeSession = opts.logSessionEvents ? this.session.onEvent((e) => this.eventLog.append(sessionEventToLog(e))) : null;
    this.unsubscribeResets = this.session.onEvent((e) => this.resetResults(e));
  }

  /** a device's group and holder as last observed (the shared snapshot, else this engine's last tick) */
  private subjectOf(bdf: string): KernelSubject {
    const seen = this.observed.latest();
    return this.kernelLog.subjectOf(bdf, seen?.topology ?? this.topology, seen?.owners ?? this.groupOwners);
  }

  /** a reset's verification (the session read config space back) raises or clears reset-failed */
  private resetResults(e: SessionEvent): void {
    if (!e.ok || (e.op !== 'reset' && e.op !== 'hotReset')) return;
    const topology = this.observed.latest()?.topology ?? this.topology;
    const devices = e.op === 'reset' ? [e.device] : (topology?.devices.map((d) => d.bdf) ?? []);
    for (const bdf of devices) {
      // each reset leaves a new verification object: one not seen before is this reset's
      const v = bdf === undefined ? null : this.session.lastReset(bdf);
      if (!v || this.resetsSeen.has(v)) continue;
      this.resetsSeen.add(v);
      this.kernelLog.alerts.resetResult(v, e.ts, this.subjectOf(v.bdf));
    }
  }

  get stormConfig(): ResolvedStormConfig {
    return this.storms.config;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // a slow tick (a busy host) skips the next one rather than piling up
      if (!this.ticking) this.tick().catch(() => undefined);
    }, 1000 / this.tickHz);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** stop() and stop logging session events (the engine is done) */
  dispose(): void {
    this.stop();
    this.unsubscribeSession?.();
    this.unsubscribeResets();
    this.observed.dispose();
    this.tickListeners.clear();
    this.alertListeners.clear();
  }

  /** One sampling step. Concurrent calls share the step in flight. */
  tick(): Promise<TelemetryTick> {
    if (this.ticking) return this.ticking;
    this.ticking = this.step().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  on(event: 'tick', fn: TickListener): () => void;
  on(event: 'alert', fn: AlertListener): () => void;
  on(event: 'tick' | 'alert', fn: TickListener | AlertListener): () => void {
    const set = (event === 'tick' ? this.tickListeners : this.alertListeners) as Set<typeof fn>;
    set.add(fn);
    return () => set.delete(fn);
  }

  vectorRates(): VectorRate[] {
    return this.latestRates;
  }

  history(key: string, resolution: HistoryResolution): HistoryPoint[] {
    return this.sampler.history(key, resolution);
  }

  alerts(): StormAlert[] {
    return this.storms.alerts();
  }

  pinned(): PinnedStat[] {
    return pinnedStats(this.session.containers(), this.groupOwners, this.hostInfo?.memlockLimit ?? null);
  }

  dmaEntries(): DmaEntryStat[] {
    return dmaEntryStats(this.session.containers(), this.hostInfo);
  }

  vectorUsage(): VectorUsage {
    const perDevice = new Map<string, number>();
    for (const r of this.latestRates) perDevice.set(r.bdf, (perDevice.get(r.bdf) ?? 0) + 1);
    return {
      perDevice: [...perDevice].map(([bdf, vectors]) => ({ bdf, vectors })),
      total: this.latestRates.length,
      limit: this.hostInfo?.vectorLimit ?? null,
    };
  }

  snapshot(): TelemetrySnapshot {
    const containers = this.session.containers();
    return {
      seq: this.seq,
      t: this.lastTickAt ?? this.clock(),
      tickHz: this.tickHz,
      rates: this.latestRates,
      alerts: this.alerts(),
      pinned: this.pinned(),
      dmaEntries: this.dmaEntries(),
      mappings: containers.map((c) => ({ container: c.id, count: c.mappingCount, pinnedBytes: Number(c.pinnedBytes) })),
      vectors: this.vectorUsage(),
    };
  }

  private due(last: number | null, now: number, intervalMs: number): boolean {
    return last === null || now - last >= intervalMs;
  }

  private async step(): Promise<TelemetryTick> {
    const now = this.clock();
    const observeDue = this.due(this.lastObserveAt, now, this.observeIntervalMs);
    const hostInfoDue = this.due(this.lastHostInfoAt, now, this.hostInfoRefreshMs);
    const [owned, lines, observed, hostInfo] = await Promise.all([
      this.session.drainCounts(),
      observeDue ? this.settle(this.host.irqLines(), 'irqLines') : null,
      // fresh unless due or invalidated; a walk another reader started is shared
      this.settle(this.observed.read(), 'topology/owners'),
      hostInfoDue ? this.settle<HostInfo>(this.host.hostInfo(), 'hostInfo') : null,
    ]);
    if (observeDue) this.lastObserveAt = now;
    if (hostInfoDue) this.lastHostInfoAt = now;
    const walked = observed !== null && observed.version !== this.observedVersion ? observed : null;
    if (walked) {
      this.observedVersion = walked.version;
      this.groupOwners = walked.owners;
      this.topology = walked.topology;
    }
    if (observeDue) {
      try {
        await this.kernelLog.poll(now, this.topology, this.groupOwners);
      } catch (err) {
        await this.settle(Promise.reject(err), 'kernelLog');
      }
    }
    if (hostInfo) this.hostInfo = hostInfo;
    if (walked) this.owners.update(walked.topology, walked.owners);

    const dtMs = this.lastTickAt === null ? 1000 / this.tickHz : now - this.lastTickAt;
    this.lastTickAt = now;
    const dropped = this.sampler.sample(now, owned, lines);
    for (const sig of vfioSignals(owned)) {
      this.kernelLog.alerts.signal(sig, now, this.subjectOf(sig.bdf));
    }

    const raised: StormAlert[] = [];
    const cleared: StormAlert[] = [];
    const reopened: StormAlert[] = [];
    for (const key of dropped) {
      const c = this.storms.forget(key, now);
      if (c) cleared.push(c);
    }
    const rates: VectorRate[] = [];
    for (const s of this.sampler.series()) {
      const owner = this.owners.of(s.bdf, s.source);
      const change = this.storms.update(now, dtMs, s, owner);
      if (change.raised) raised.push(change.raised);
      if (change.cleared) cleared.push(change.cleared);
      if (change.reopened) reopened.push(change.reopened);
      if (s.present) rates.push(toVectorRate(s, owner));
    }
    this.latestRates = rates;
    // a kernel alert clears by time (faults stopped) or by what the vectors show (a disabled IRQ fires again)
    this.kernelLog.alerts.settle(now, rates);
    this.seq++;

    for (const a of raised) this.announce(a, 'alert');
    for (const a of cleared) this.announce(a, 'alert-cleared');
    // a re-opened alert is the same alert again: listeners see its state, the log gets no new alert
    for (const a of reopened) this.notifyAlert(a);
    const tick: TelemetryTick = { seq: this.seq, t: now, dtMs, rates, raised, cleared };
    for (const fn of this.tickListeners) {
      try {
        fn(tick);
      } catch {
        // one listener's failure must not stop sampling
      }
    }
    return tick;
  }

  private announce(a: StormAlert, kind: 'alert' | 'alert-cleared'): void {
    const where = `${a.bdf} ${a.index}[${a.vector}]`;
    const who = a.owner ? ` (owner ${a.owner.comm} pid ${a.owner.pid})` : '';
    const message =
      kind === 'alert'
        ? `interrupt storm on ${where}${who}: ${Math.round(a.peakRate)}/s, ${a.reason} threshold ${Math.round(a.threshold)}/s`
        : `interrupt storm on ${where} cleared, peak ${Math.round(a.peakRate)}/s${a.reopens ? `, after re-opening ${a.reopens}× within the hold-down` : ''}`;
    this.eventLog.append({ kind, message, device: a.bdf, data: a });
    this.notifyAlert(a);
  }

  private notifyAlert(a: StormAlert): void {
    for (const fn of this.alertListeners) {
      try {
        fn(a);
      } catch {
        // as above
      }
    }
  }

  /** A source that fails (e.g. procfs unreadable) costs its data this tick, not the tick; logged once per new error. */
  private async settle<T>(p: Promise<T>, what: string): Promise<T | null> {
    try {
      const v = await p;
      return v;
    } catch (err) {
      const message = `telemetry: host.${what}() failed: ${err instanceof Error ? err.message : String(err)}`;
      if (message !== this.lastSourceError) {
        this.lastSourceError = message;
        const errno = (err as { errno?: unknown }).errno;
        this.eventLog.append({ kind: 'error', message, op: what, ...(typeof errno === 'string' ? { errno } : {}) });
      }
      return null;
    }
  }
}

function toVectorRate(s: VectorSeries, owner: VectorRate['owner']): VectorRate {
  return {
    key: s.key,
    bdf: s.bdf,
    index: s.index,
    vector: s.vector,
    source: s.source,
    owner,
    count: s.count,
    rate: s.rate,
    irq: s.irq,
    cpuRates: s.cpuRates,
    cpuCounts: s.cpuCounts,
    affinity: s.affinity,
    effectiveAffinity: s.effectiveAffinity,
  };
}
