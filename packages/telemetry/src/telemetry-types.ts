/**
 * What telemetry reports: per-vector IRQ rates (one model for eventfds
 * vfioscope owns and /proc/interrupts lines owned by anyone), storm alerts,
 * pinned memory against the memlock limit, DMA entries against
 * dma_entry_limit.
 */
import type { Bdf, IrqIndexName } from '@vfioscope/host';

export interface VectorOwner {
  pid: number;
  comm: string;
  /** the VM's name from its QEMU command line (guestName), null for other processes */
  vm: string | null;
}

export interface VectorRate {
  /** "0000:01:00.0/MSIX/3" (vectorKey from @vfioscope/host) */
  key: string;
  bdf: Bdf;
  index: IrqIndexName;
  vector: number;
  /** owned: counted from our eventfds; observed: from host.irqLines() */
  source: 'owned' | 'observed';
  owner: VectorOwner | null;
  /** interrupts counted so far (owned: since wired; observed: the kernel's total) */
  count: number;
  /** interrupts per second over the last sampling interval */
  rate: number;
  /** host IRQ number (/proc/interrupts), null until the vector's line is seen */
  irq: number | null;
  /** interrupts per second on each CPU (index = CPU number), from /proc/interrupts' CPU columns */
  cpuRates: number[];
  /** the kernel's count on each CPU */
  cpuCounts: number[];
  /** /proc/irq/N/smp_affinity_list and effective_affinity_list, null when unknown */
  affinity: number[] | null;
  effectiveAffinity: number[] | null;
}

export interface StormConfig {
  /** a vector above this rate (per second) is storming */
  absoluteRate: number;
  /** ... or above this multiple of its own baseline */
  baselineMultiple: number;
  /** ... for this long without a break */
  sustainMs: number;
  /** the alert clears once the rate stays below this fraction of the threshold that raised it */
  clearBelowFraction: number;
  /** INTx fire+unmask cycles per second that count as an unmask loop */
  intxUnmaskLoopRate: number;
  /** baselines below this rate count as this rate, so a near-idle vector waking up is not a storm */
  baselineFloorRate?: number;
  /**
   * how much history the baseline covers. The baseline is a high percentile
   * of the vector's per-second peak rates over this window, learned only while
   * the vector has no active alert, so a regular high phase (a flapping or
   * bursty vector) is part of normal and only a rise above it storms
   */
  baselineWindowMs?: number;
  /** which percentile of the per-second peaks is the baseline, in (0, 1] (0.8: highs present a fifth of the time count as normal) */
  baselinePercentile?: number;
  /** how long a vector must be watched before its baseline is trusted (long enough to see a slow flap's both phases) */
  baselineWarmupMs?: number;
  /** how long the rate must stay below the clear level; defaults to sustainMs */
  clearSustainMs?: number;
  /**
   * re-raise suppression: a vector that storms again for the same reason
   * within this long after its alert cleared re-opens that alert (clearedAt
   * back to null, peak and threshold updated, `reopens` counted) instead of
   * raising a new one, so an on/off vector does not flood the event log with
   * new alerts; 0 turns it off
   */
  reraiseHoldDownMs?: number;
  /** cleared alerts kept for alerts() */
  recentAlertsKept?: number;
}

/** A StormConfig with every default filled in (what StormDetector.config holds). */
export type ResolvedStormConfig = Required<Omit<StormConfig, 'clearSustainMs'>> & Pick<StormConfig, 'clearSustainMs'>;

export type StormReason = 'absolute' | 'baseline' | 'intx-unmask-loop';

export interface StormAlert {
  id: string;
  /** the vector's key */
  key: string;
  bdf: string;
  index: string;
  vector: number;
  owner: VectorOwner | null;
  peakRate: number;
  reason: StormReason;
  /** the rate that had to be exceeded (absolute, baseline × multiple, or the INTx loop rate) */
  threshold: number;
  raisedAt: number;
  clearedAt: number | null;
  /** how many times the alert re-opened within the hold-down after clearing; absent when never */
  reopens?: number;
}

/** what a kernel alert is about (kernel-alerts.ts says when each is active) */
export type KernelAlertReason =
  | 'iommu-fault-storm'
  | 'memlock-exceeded'
  | 'irq-disabled'
  | 'device-error'
  | 'device-request'
  | 'reset-failed';

/** An alert raised from the kernel's own messages, active while its condition holds. */
export interface KernelAlert {
  id: string;
  /** what one condition is keyed by: the same key again while active counts into this alert */
  key: string;
  reason: KernelAlertReason;
  /** the device the kernel named (or the owner's group leads to), null when none */
  bdf: string | null;
  group: number | null;
  owner: VectorOwner | null;
  /** irq-disabled: the host IRQ the kernel gave up on */
  irq: number | null;
  /** messages counted into this alert (faults for a storm) */
  count: number;
  /** what happened and what to do */
  message: string;
  raisedAt: number;
  /** the last message counted into it */
  lastAt: number;
  clearedAt: number | null;
}

/** IOMMU faults the kernel logged for one device */
export interface IommuFaultRate {
  bdf: string;
  /** faults logged in the last minute */
  perMinute: number;
  /** faults logged since following began */
  total: number;
}

export interface PinnedStat {
  scope: 'container' | 'process';
  /** container id or pid */
  id: number;
  pid?: number;
  comm?: string;
  /** the VM's name, for a process that is a QEMU VM */
  vm?: string | null;
  /** the process is this vfioscope server */
  self?: boolean;
  pinnedBytes: number;
  lockedBytes: number;
  /** RLIMIT_MEMLOCK that applies, null = unlimited */
  limitBytes: number | null;
}

export interface DmaEntryStat {
  container: number;
  used: number;
  /** type1's dma_entry_limit; null where the path has no mapping-count limit (an IOAS; iommufd's compat container) */
  limit: number | null;
}

export interface VectorUsage {
  perDevice: { bdf: Bdf; vectors: number }[];
  total: number;
  /** interrupt vectors available to devices on the host (HostInfo.vectorLimit) */
  limit: number | null;
}

export interface TelemetryTick {
  seq: number;
  /** clock time of the sample, ms */
  t: number;
  dtMs: number;
  rates: VectorRate[];
  raised: StormAlert[];
  cleared: StormAlert[];
}

export interface TelemetrySnapshot {
  seq: number;
  t: number;
  tickHz: number;
  rates: VectorRate[];
  alerts: StormAlert[];
  pinned: PinnedStat[];
  dmaEntries: DmaEntryStat[];
  mappings: { container: number; count: number; pinnedBytes: number }[];
  vectors: VectorUsage;
}

export type HistoryResolution = 'tick' | '1s';

export interface HistoryPoint {
  t: number;
  rate: number;
}
