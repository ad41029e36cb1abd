/**
 * Turns interrupt counts into per-vector rates and history. Two sources feed
 * one model: eventfds vfioscope wired itself (counts since the last drain)
 * and the kernel's per-line totals from /proc/interrupts (host.irqLines(),
 * monotonic; rate = delta / dt). A vector counted from our own eventfd is not
 * counted again from its /proc line.
 *
 * Per CPU: each /proc line's CPU columns give a rate per CPU (delta of that
 * CPU's count / dt) — for vectors counted from our own eventfds too, since
 * only the kernel knows which CPU took an interrupt — with the line's
 * smp_affinity_list and effective_affinity_list.
 *
 * Every known vector gets a sample each tick (0 while absent), so all series
 * of a resolution share one time axis: a vector's newest sample is the time
 * ring's newest.
 */
import type { Bdf, IrqIndexName, IrqLine } from '@vfioscope/host';
import { vectorKey } from '@vfioscope/session';
import { RingBuffer } from './ring-buffer.ts';
import type { HistoryPoint, HistoryResolution } from './telemetry-types.ts';

export interface SamplerOptions {
  tickHz: number;
  /** history kept at tick resolution (default 60 s) */
  tickHistorySeconds?: number;
  /** history kept at 1 s resolution (default 3600 s) */
  secondHistorySeconds?: number;
  /** a vector absent from both sources this long is dropped (default 60 s) */
  evictAfterMs?: number;
}

export interface VectorSeries {
  readonly key: string;
  readonly bdf: Bdf;
  readonly index: IrqIndexName;
  readonly vector: number;
  source: 'owned' | 'observed';
  /** present in its source at the last sample */
  present: boolean;
  lastSeenAt: number;
  count: number;
  rate: number;
  /** host IRQ number of the vector's /proc line, null until one is seen */
  irq: number | null;
  /** interrupts per second on each CPU (index = CPU number) over the last /proc poll; [] until two polls */
  cpuRates: number[];
  /** the kernel's count per CPU at the last poll, [] until one */
  cpuCounts: number[];
  lastCpuAt: number;
  affinity: number[] | null;
  effectiveAffinity: number[] | null;
  /** last /proc total and when it was read (observed only) */
  lastTotal: number | null;
  lastTotalAt: number;
  readonly tickRing: RingBuffer;
  readonly secondRing: RingBuffer;
  secondRateSum: number;
  secondSamples: number;
}

export class IrqRateSampler {
  readonly tickHz: number;
  private readonly byKey = new Map<string, VectorSeries>();
  private readonly tickTimes: RingBuffer;
  private readonly secondTimes: RingBuffer;
  private readonly tickCapacity: number;
  private readonly secondCapacity: number;
  private readonly evictAfterMs: number;
  private lastTickAt: number | null = null;
  private secondStartedAt: number | null = null;

  constructor(opts: SamplerOptions) {
    if (!(opts.tickHz > 0)) throw new RangeError(`tickHz must be positive, got ${opts.tickHz}`);
    this.tickHz = opts.tickHz;
    this.tickCapacity = Math.max(1, Math.ceil((opts.tickHistorySeconds ?? 60) * opts.tickHz));
    this.secondCapacity = Math.max(1, Math.ceil(opts.secondHistorySeconds ?? 3600));
    this.evictAfterMs = opts.evictAfterMs ?? 60_000;
    this.tickTimes = new RingBuffer(this.tickCapacity, 'f64');
    this.secondTimes = new RingBuffer(this.secondCapacity, 'f64');
  }

  /**
   * One sampling step at clock time `now` (ms).
   * @param owned counts since the previous drain per wired vector (session.drainCounts()), null if none
   * @param observed every VFIO line's total (host.irqLines()), null when not polled this tick
   * @returns vectors dropped this step (absent too long)
   */
  sample(now: number, owned: ReadonlyMap<string, number> | null, observed: readonly IrqLine[] | null): string[] {
    const dtMs = this.lastTickAt === null ? 1000 / this.tickHz : Math.max(1e-3, now - this.lastTickAt);
    this.lastTickAt = now;
    const dtS = dtMs / 1000;

    if (owned) {
      for (const [key, n] of owned) {
        const s = this.seriesFor(key, 'owned');
        if (!s) continue;
        s.present = true;
        s.lastSeenAt = now;
        s.count += n;
        s.rate = n / dtS;
      }
    }
    if (observed) {
      for (const line of observed) {
        const key = vectorKey(line.bdf, line.index, line.vector);
        const ours = owned?.has(key) ?? false;
        const s = this.seriesFor(key, ours ? 'owned' : 'observed', line);
        if (!s) continue;
        samplePerCpu(s, line, now);
        if (ours) continue; // our own eventfd counts it already
        s.present = true;
        s.lastSeenAt = now;
        if (s.lastTotal === null || line.count < s.lastTotal) {
          // first sight (or the vector was set up again): the total covers an unknown span
          s.rate = s.lastTotal === null ? 0 : line.count / Math.max(1e-3, (now - s.lastTotalAt) / 1000);
        } else {
          s.rate = (line.count - s.lastTotal) / Math.max(1e-3, (now - s.lastTotalAt) / 1000);
        }
        s.lastTotal = line.count;
        s.lastTotalAt = now;
        s.count = line.count;
      }
    }

    const dropped: string[] = [];
    const closeSecond = this.secondStartedAt !== null && now - this.secondStartedAt >= 1000;
    for (const s of this.byKey.values()) {
      const wasSeen = s.lastSeenAt === now;
      // an observed vector keeps its last rate between /proc polls; a vanished one reads 0
      if (!wasSeen && (s.source === 'owned' || observed !== null)) {
        s.present = false;
        s.rate = 0;
        s.cpuRates = [];
      }
      if (!s.present && now - s.lastSeenAt >= this.evictAfterMs) {
        dropped.push(s.key);
        continue;
      }
      s.tickRing.push(s.rate);
      s.secondRateSum += s.rate;
      s.secondSamples++;
      if (closeSecond) {
        s.secondRing.push(s.secondRateSum / s.secondSamples);
        s.secondRateSum = 0;
        s.secondSamples = 0;
      }
    }
    for (const key of dropped) this.byKey.delete(key);
    this.tickTimes.push(now);
    if (closeSecond) this.secondTimes.push(now);
    if (this.secondStartedAt === null || closeSecond) this.secondStartedAt = now;
    return dropped;
  }

  /** every series, present or not yet evicted */
  series(): IterableIterator<VectorSeries> {
    return this.byKey.values();
  }

  get(key: string): VectorSeries | undefined {
    return this.byKey.get(key);
  }

  /** A vector's rate history, oldest first, at tick or 1 s resolution; [] for unknown keys. */
  history(key: string, resolution: HistoryResolution): HistoryPoint[] {
    const s = this.byKey.get(key);
    if (!s) return [];
    const values = resolution === 'tick' ? s.tickRing : s.secondRing;
    const times = resolution === 'tick' ? this.tickTimes : this.secondTimes;
    const n = Math.min(values.length, times.length);
    const out = new Array<HistoryPoint>(n);
    for (let i = 0; i < n; i++) {
      out[i] = { t: times.at(times.length - n + i) as number, rate: values.at(values.length - n + i) as number };
    }
    return out;
  }

  private seriesFor(key: string, source: 'owned' | 'observed', line?: IrqLine): VectorSeries | null {
    const existing = this.byKey.get(key);
    if (existing) {
      if (existing.source !== source) {
        // ownership moved (e.g. we closed the device and a VM took it): counts restart
        existing.source = source;
        existing.lastTotal = null;
        existing.count = 0;
      }
      return existing;
    }
    const parsed = line ? { bdf: line.bdf, index: line.index, vector: line.vector } : parseKey(key);
    if (!parsed) return null;
    const s: VectorSeries = {
      key,
      ...parsed,
      source,
      present: true,
      lastSeenAt: -Infinity,
      count: 0,
      rate: 0,
      irq: null,
      cpuRates: [],
      cpuCounts: [],
      lastCpuAt: 0,
      affinity: null,
      effectiveAffinity: null,
      lastTotal: null,
      lastTotalAt: 0,
      tickRing: new RingBuffer(this.tickCapacity, 'f32'),
      secondRing: new RingBuffer(this.secondCapacity, 'f32'),
      secondRateSum: 0,
      secondSamples: 0,
    };
    this.byKey.set(key, s);
    return s;
  }
}

/**
 * A line's per-CPU counts since the previous poll, over the time between polls. The first sight,
 * a new IRQ number (the vector was set up again) or a shrinking count restarts from zero rates.
 */
function samplePerCpu(s: VectorSeries, line: IrqLine, now: number): void {
  const prev = s.cpuCounts;
  const counts = line.perCpu;
  const n = counts.length;
  const dtS = Math.max(1e-3, (now - s.lastCpuAt) / 1000);
  // one pass and two arrays per line (this runs for every vector × CPU each poll: 4,096 × 128 on a big host)
  const rates = new Array<number>(n);
  const copy = new Array<number>(n);
  let fresh = s.irq !== line.irq || prev.length !== n;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    copy[i] = c;
    if (fresh) continue;
    const d = c - prev[i]!;
    if (d < 0) fresh = true;
    else rates[i] = d / dtS;
  }
  s.cpuRates = fresh ? rates.fill(0) : rates;
  s.cpuCounts = copy;
  s.lastCpuAt = now;
  s.irq = line.irq;
  s.affinity = line.affinity;
  s.effectiveAffinity = line.effectiveAffinity;
}

const INDEX_NAMES = new Set<string>(['INTX', 'MSI', 'MSIX', 'ERR', 'REQ']);

/** "0000:01:00.0/MSIX/3" → its parts; null when malformed. */
export function parseKey(key: string): { bdf: Bdf; index: IrqIndexName; vector: number } | null {
  const [bdf, index, vectorText, ...extra] = key.split('/');
  if (bdf === undefined || index === undefined || vectorText === undefined || extra.length > 0) return null;
  if (!INDEX_NAMES.has(index)) return null;
  const vector = Number(vectorText);
  if (!Number.isInteger(vector) || vector < 0) return null;
  return { bdf, index: index as IrqIndexName, vector };
}
