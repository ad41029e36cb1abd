/**
 * Live telemetry as the server computes it: per-vector IRQ rates (owned
 * eventfds and /proc/interrupts, one model), storm alerts, pinned memory
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
});
export type VectorRate = Static<typeof VectorRate>;

export const StormAlert = Type.Object({
  id: Type.String(),
  /** the vector's key in irq-rates ("bdf/index/vector"), for its live rate and history */
  key: Type.String(),
  bdf: Bdf,
  index: Type.String(),
  vector: Type.Integer(),
  owner: Type.Union([ProcessRef, Type.Null()]),
  peakRate: Type.Number(),
  reason: Type.Union([Type.Literal('absolute'), Type.Literal('baseline'), Type.Literal('intx-unmask-loop')]),
  /** the rate (per second) that had to be exceeded for this reason: what made it a storm */
  threshold: Type.Number(),
  raisedAt: Timestamp,
  clearedAt: Type.Union([Timestamp, Type.Null()]),
});
export type StormAlert = Static<typeof StormAlert>;

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

export const AlertsResponse = Type.Object({ alerts: Type.Array(StormAlert) });
export type AlertsResponse = Static<typeof AlertsResponse>;

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
