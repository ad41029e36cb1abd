/**
 * Live telemetry as the server computes it: per-vector IRQ rates (owned
 * eventfds and /proc/interrupts, one model), IOMMU fault rates, pinned memory
 * against RLIMIT_MEMLOCK, DMA entries against dma_entry_limit, and the event
 * log. Rates are computed on the server; the UI only draws them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bdf, DecimalString, IrqIndexName, ProcessRef, Timestamp } from '../primitives.ts';

/** [cpu, interrupts per second] pairs (VectorRate.cpus) */
export const CpuRates = Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Number()]));
export type CpuRates = Static<typeof CpuRates>;

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
  cpus: Type.Optional(CpuRates),
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

/** What the kernel log parser recognises (host kmsg: KernelMessageKind); a kernel event's `op`. */
export const KernelMessageKind = Type.Union([
  Type.Literal('iommu-fault'),
  Type.Literal('memlock-exceeded'),
  Type.Literal('irq-nobody-cared'),
  Type.Literal('irq-disabled'),
  Type.Literal('aer-error'),
  Type.Literal('reset'),
  Type.Literal('rom-invalid'),
  Type.Literal('bar-reservation'),
  Type.Literal('device-request'),
]);
export type KernelMessageKind = Static<typeof KernelMessageKind>;

/** A kernel event's data: the fields the parser read out of the kernel's text, and where the record sat in the kernel log. */
export const KernelEventData = Type.Object(
  {
    kind: KernelMessageKind,
    text: Type.String(),
    bdf: Type.Optional(Type.String()),
    /** the host IRQ number (irq-nobody-cared, irq-disabled) */
    irq: Type.Optional(Type.Integer()),
    /** the task the message names, or the holder of the device it is about */
    pid: Type.Optional(Type.Integer()),
    comm: Type.Optional(Type.String()),
    /** iommu-fault: which IOMMU, the device's DMA direction, the IOVA as printed, the VT-d reason */
    iommu: Type.Optional(Type.Union([Type.Literal('intel'), Type.Literal('amd')])),
    direction: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('write')])),
    address: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    reasonCode: Type.Optional(Type.Integer()),
    /** memlock-exceeded: RLIMIT_MEMLOCK in bytes, as printed */
    limit: Type.Optional(Type.Number()),
    /** aer-error: Corrected / Uncorrected (Non-Fatal) / … as printed */
    severity: Type.Optional(Type.String()),
    /** bar-reservation: the BAR index */
    bar: Type.Optional(Type.Integer()),
    /** the kernel log record: its sequence number, syslog priority and µs since boot */
    seq: Type.Integer(),
    priority: Type.Integer(),
    tsUsec: Type.Number(),
    /** how the device was found when the message names none (memlock: the one holder with that limit) */
    attributedBy: Type.Optional(Type.Literal('memlock-limit')),
  },
  { additionalProperties: true },
);
export type KernelEventData = Static<typeof KernelEventData>;

/**
 * One event-log entry, a union on `kind`. Actions, errors, alerts and info
 * carry the same optional fields — who (actor), what (op: the action or the
 * source), on what (device, group, container), the errno of a failure, and
 * JSON details (an action's params and result, the alert) — a kernel event
 * carries the kernel message's kind as `op` and its parsed fields as `data`.
 * Properties beyond these travel as they are (a producer's extra detail is
 * never dropped from the wire).
 */
function recordEvent<K extends 'action' | 'error' | 'alert' | 'alert-cleared' | 'info'>(kind: K) {
  return Type.Object(
    {
      seq: Type.Integer(),
      ts: Timestamp,
      kind: Type.Literal(kind),
      message: Type.String(),
      /** who did it (token name / role) */
      actor: Type.Optional(Type.String()),
      /** the action ("mapDma", "device.reset") or the source ("kernelLog", "auth") */
      op: Type.Optional(Type.String()),
      device: Type.Optional(Type.String()),
      group: Type.Optional(Type.Integer()),
      container: Type.Optional(Type.Integer()),
      /** the kernel errno name (or protocol problem code) of a failure */
      errno: Type.Optional(Type.String()),
      data: Type.Optional(Type.Unknown()),
    },
    { additionalProperties: true },
  );
}

export const KernelEvent = Type.Object(
  {
    seq: Type.Integer(),
    ts: Timestamp,
    kind: Type.Literal('kernel'),
    /** the kernel's own text */
    message: Type.String(),
    op: KernelMessageKind,
    device: Type.Optional(Type.String()),
    group: Type.Optional(Type.Integer()),
    data: KernelEventData,
  },
  { additionalProperties: true },
);
export type KernelEvent = Static<typeof KernelEvent>;

export const LogEvent = Type.Union([
  recordEvent('action'),
  recordEvent('error'),
  recordEvent('alert'),
  recordEvent('alert-cleared'),
  recordEvent('info'),
  KernelEvent,
]);
export type LogEvent = Static<typeof LogEvent>;

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
