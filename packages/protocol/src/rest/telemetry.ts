/**
 * Live telemetry as the server computes it: per-vector IRQ rates (owned
 * eventfds and /proc/interrupts, one model), IOMMU fault rates, pinned memory
 * against RLIMIT_MEMLOCK, DMA entries against dma_entry_limit, and the event
 * log. Rates are computed on the server; the UI only draws them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bdf, DecimalString, IrqIndexName, ProcessRef, Timestamp } from '../primitives.ts';

export const VectorRate = Type.Object({
  /** `${bdf}/${index}/${vector}`, stable across ticks */
  key: Type.String(),
  bdf: Bdf,
  index: IrqIndexName,
  vector: Type.Integer(),
  /** owned: an eventfd vfioscope wired; observed: a /proc/interrupts line of another owner */
  source: Type.Union([Type.Literal('owned'), Type.Literal('observed')]),
  owner: Type.Union([ProcessRef, Type.Null()]),
  count: Type.Number(),
  /** interrupts per second over the last tick */
  rate: Type.Number(),
  /** host IRQ number (/proc/interrupts, /proc/irq/N); absent until the vector's line is seen */
  irq: Type.Optional(Type.Integer()),
  /** /proc/irq/N/smp_affinity_list as the kernel spells it ("0-3,8"); absent when unknown */
  affinity: Type.Optional(Type.String()),
  /** /proc/irq/N/effective_affinity_list: the CPU(s) really taking it (one on x86); absent when unknown */
  effective: Type.Optional(Type.String()),
  /**
   * Interrupts per second per CPU, as [cpu, rate] pairs. The rule that keeps the irq-rates
   * delta small: pairs only for CPUs whose rate is above zero, and the field only on rows whose
   * rate is above zero. With single-target delivery (x86) a busy vector adds one pair; an idle
   * vector adds nothing, and a host with hundreds of CPUs costs no more than one with two.
   */
  cpus: Type.Optional(Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Number()]))),
});
export type VectorRate = Static<typeof VectorRate>;

export const PinnedStat = Type.Object({
  scope: Type.Union([Type.Literal('container'), Type.Literal('process')]),
  /** container id or pid */
  id: Type.Integer(),
  pid: Type.Optional(Type.Integer()),
  comm: Type.Optional(Type.String()),
  /** the VM's name, for a process that is a QEMU VM */
  vm: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** the process is this vfioscope server (its budget is the containers') */
  self: Type.Optional(Type.Boolean()),
  pinnedBytes: Type.Number(),
  lockedBytes: Type.Number(),
  limitBytes: Type.Union([Type.Number(), Type.Null()]),
});
export type PinnedStat = Static<typeof PinnedStat>;

/** one device's IOMMU faults as the kernel logged them (only devices that have faulted are listed) */
export const IommuFaultRate = Type.Object({
  bdf: Bdf,
  /** faults logged in the last minute */
  perMinute: Type.Integer({ minimum: 0 }),
  /** faults logged since the server began following the kernel log */
  total: Type.Integer({ minimum: 0 }),
});
export type IommuFaultRate = Static<typeof IommuFaultRate>;

export const DmaEntriesStat = Type.Object({
  container: Type.Integer(),
  used: Type.Integer(),
  /** type1's dma_entry_limit; null where the IOMMU path has no mapping-count limit (iommufd) */
  limit: Type.Union([Type.Integer(), Type.Null()]),
});
export type DmaEntriesStat = Static<typeof DmaEntriesStat>;

export const LogEventKind = Type.Union([
  Type.Literal('action'),
  Type.Literal('error'),
  Type.Literal('alert'),
  Type.Literal('alert-cleared'),
  Type.Literal('info'),
  /** a kernel log message parsed and attached to its device (the kernel's text in `message`) */
  Type.Literal('kernel'),
]);
export type LogEventKind = Static<typeof LogEventKind>;

/** One event-log entry; kind-specific fields ride along (additional properties allowed). */
export const LogEvent = Type.Object(
  {
    seq: Type.Integer(),
    ts: Timestamp,
    kind: LogEventKind,
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type LogEvent = Static<typeof LogEvent> & Record<string, unknown>;

export const EventsQuery = Type.Object(
  {
    /** events after this seq, oldest first (follow new events with the last answer's newestSeq) */
    sinceSeq: Type.Optional(DecimalString),
    /** events before this seq, newest page (page backwards with the last answer's more.beforeSeq) */
    beforeSeq: Type.Optional(DecimalString),
    /** comma-separated kinds, e.g. "action,error" */
    kinds: Type.Optional(Type.String({ pattern: '^[a-z-]+(,[a-z-]+)*$' })),
    text: Type.Optional(Type.String({ maxLength: 200 })),
    /** 1–1000, default 200 */
    limit: Type.Optional(DecimalString),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

/**
 * One bounded page: the server reads at most a few MiB of its log per request, so a search over a
 * long history may answer with fewer events than `limit` (even none) and a cursor to go on with.
 */
export const EventsResponse = Type.Object({
  events: Type.Array(LogEvent),
  /** where to continue the same query (send it back as sinceSeq or beforeSeq); null when done */
  more: Type.Union([Type.Object({ sinceSeq: Type.Integer() }), Type.Object({ beforeSeq: Type.Integer() }), Type.Null()]),
  /** the oldest event this server can still answer for (older ones are in rotated archives) */
  oldestAvailableSeq: Type.Integer(),
  newestSeq: Type.Integer(),
});
export type EventsResponse = Static<typeof EventsResponse>;

export const IrqTopQuery = Type.Object({ limit: Type.Optional(DecimalString) }, { additionalProperties: false });
export type IrqTopQuery = Static<typeof IrqTopQuery>;

export const IrqTopResponse = Type.Object({ t: Timestamp, rates: Type.Array(VectorRate) });
export type IrqTopResponse = Static<typeof IrqTopResponse>;

/** The affinity action: a VFIO vector by its key, and the CPUs to allow (written to smp_affinity_list). */
export const IrqAffinityBody = Type.Object(
  {
    key: Type.String({
      maxLength: 64,
      pattern: '^[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]/(INTX|MSI|MSIX|ERR|REQ)/[0-9]{1,5}$',
    }),
    /** CPU numbers; the kernel decides which are acceptable (EINVAL none online, ERANGE past nr_cpu_ids) */
    cpus: Type.Array(Type.Integer({ minimum: 0, maximum: 65_535 }), { minItems: 1, maxItems: 8192 }),
  },
  { additionalProperties: false },
);
export type IrqAffinityBody = Static<typeof IrqAffinityBody>;

export const IrqAffinityResponse = Type.Object({
  key: Type.String(),
  irq: Type.Integer(),
  /** what smp_affinity_list now reads */
  affinity: Type.String(),
  /** what effective_affinity_list now reads, when the host has it */
  effective: Type.Union([Type.String(), Type.Null()]),
});
export type IrqAffinityResponse = Static<typeof IrqAffinityResponse>;

export const PinnedResponse = Type.Object({
  stats: Type.Array(PinnedStat),
  dmaEntries: Type.Array(DmaEntriesStat),
});
export type PinnedResponse = Static<typeof PinnedResponse>;

export const HistoryPoint = Type.Object({ t: Timestamp, rate: Type.Number() });
export type HistoryPoint = Static<typeof HistoryPoint>;

/** GET /api/v1/irqs/history?key=…&resolution=tick|1s */
export const HistoryQuery = Type.Object(
  {
    key: Type.String({ maxLength: 64 }),
    resolution: Type.Optional(Type.Union([Type.Literal('tick'), Type.Literal('1s')])),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

export const HistoryResponse = Type.Object({
  key: Type.String(),
  resolution: Type.Union([Type.Literal('tick'), Type.Literal('1s')]),
  points: Type.Array(HistoryPoint),
});
export type HistoryResponse = Static<typeof HistoryResponse>;
