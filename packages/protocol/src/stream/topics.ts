/**
 * Stream topics: what a client can subscribe to on /api/v1/stream, and the
 * data a snapshot and a delta of each carry. A snapshot is the whole state of
 * the topic; a delta is what changed since the previous sequence number.
 * Tables (mappings, alerts) travel as add/change/remove diffs keyed by a
 * stable key, so a client only touches rows that changed; irq-rates, the one
 * that changes every tick, by index and increments (irq-rates-delta.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bdf, Hex64, Timestamp } from '../primitives.ts';
import { DriveModeView, HostInfoView } from '../rest/host.ts';
import { TopologyResponse } from '../rest/topology.ts';
import { DeviceStateView } from '../rest/devices.ts';
import { ContainerView, MappingRow } from '../rest/containers.ts';
import { Alert } from '../rest/alerts.ts';
import { HOST_NAME_SOURCE } from '../rest/hosts.ts';
import { DeviceResetView } from '../rest/reset.ts';
import { DmaEntriesStat, HistoryPoint, IommuFaultRate, LogEvent, PinnedStat, VectorRate } from '../rest/telemetry.ts';
import { IrqRatesDelta } from './irq-rates-delta.ts';

export const TOPIC_KINDS = ['topology', 'host', 'irq-rates', 'device', 'mappings', 'pinned', 'events', 'alerts'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

const LOCAL_TOPIC =
  '(topology|host|irq-rates|pinned|events|alerts|device:[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]|mappings:[0-9]{1,9})';

/**
 * "topology" | "host" | "irq-rates" | "pinned" | "events" | "alerts" | "device:<bdf>" | "mappings:<container id>",
 * each also as "hosts/<name>/<topic>": that topic of a peer of this server (serve --peers), relayed.
 */
export const Topic = Type.String({
  pattern: `^(hosts/${HOST_NAME_SOURCE}/)?${LOCAL_TOPIC}$`,
  description: 'a stream topic, optionally of a peer host ("hosts/<name>/<topic>")',
});
export type LocalTopic = 'topology' | 'host' | 'irq-rates' | 'pinned' | 'events' | 'alerts' | `device:${string}` | `mappings:${number}`;
export type Topic = LocalTopic | `hosts/${string}/${LocalTopic}`;

export type ParsedTopic =
  | { kind: 'topology' | 'host' | 'irq-rates' | 'pinned' | 'events' | 'alerts' }
  | { kind: 'device'; bdf: string }
  | { kind: 'mappings'; container: number };

const TOPIC_RE = new RegExp(`^${LOCAL_TOPIC}$`);
const HOST_TOPIC_RE = new RegExp(`^hosts/(${HOST_NAME_SOURCE})/(${LOCAL_TOPIC})$`);

/** Parse a topic of this host; null when it is not one (a peer's "hosts/<name>/…" included: see hostTopic). BDFs are normalised to lowercase. */
export function parseTopic(topic: string): ParsedTopic | null {
  if (!TOPIC_RE.test(topic)) return null;
  if (topic.startsWith('device:')) return { kind: 'device', bdf: topic.slice(7).toLowerCase() };
  if (topic.startsWith('mappings:')) return { kind: 'mappings', container: Number(topic.slice(9)) };
  return { kind: topic as 'topology' };
}

/** "hosts/<name>/<topic>" → the host and its own topic name (a BDF lowercased); null for a topic of this host or a malformed one. */
export function hostTopic(topic: string): { host: string; topic: LocalTopic } | null {
  const m = HOST_TOPIC_RE.exec(topic);
  if (!m) return null;
  // the pattern matched LOCAL_TOPIC, so the inner name is one of LocalTopic's forms
  const inner = m[2] as LocalTopic;
  return { host: m[1]!, topic: inner.startsWith('device:') ? (inner.toLowerCase() as LocalTopic) : inner };
}

/** A topic of this host, not a peer's "hosts/<name>/…". */
export function isLocalTopic(topic: Topic): topic is LocalTopic {
  return hostTopic(topic) === null;
}

/** A topic of a peer host, as a hub's client subscribes to it. */
export function onHost<T extends LocalTopic>(host: string, topic: T): `hosts/${string}/${T}` {
  return `hosts/${host}/${topic}`;
}

export function deviceTopic(bdf: string): `device:${string}` {
  return `device:${bdf.toLowerCase()}`;
}

export function mappingsTopic(container: number): `mappings:${number}` {
  return `mappings:${container}`;
}

// ---- per-topic payloads ----

export const TopologySnapshot = TopologyResponse;
export type TopologySnapshot = Static<typeof TopologySnapshot>;
/** the whole topology again, sent only when it changed */
export const TopologyDelta = TopologyResponse;
export type TopologyDelta = Static<typeof TopologyDelta>;

export const HostLive = Type.Object({
  t: Timestamp,
  vectorsInUse: Type.Integer(),
  containers: Type.Array(ContainerView),
  /** storm and kernel alerts active now */
  alertsActive: Type.Integer(),
  /** devices the kernel logged IOMMU faults for, busiest first */
  iommuFaults: Type.Array(IommuFaultRate),
});
export type HostLive = Static<typeof HostLive>;
export const HostSnapshot = Type.Object({ info: HostInfoView, drive: DriveModeView, live: HostLive });
export type HostSnapshot = Static<typeof HostSnapshot>;
/** sent when the live part changed */
export const HostDelta = Type.Object({ live: HostLive });
export type HostDelta = Static<typeof HostDelta>;

/** every vector's rate; a row's position here is its index in the deltas that follow (irq-rates-delta.ts) */
export const IrqRatesSnapshot = Type.Object({ t: Timestamp, rates: Type.Array(VectorRate) });
export type IrqRatesSnapshot = Static<typeof IrqRatesSnapshot>;

/** how far back a device page's snapshot reaches (its `history`): the sampler's tick ring, the charts' window */
export const DEVICE_HISTORY_MS = 60_000;

export const DeviceSnapshot = Type.Object({
  bdf: Bdf,
  t: Timestamp,
  groupOpen: Type.Boolean(),
  /** a row's position here is its index in the deltas' `rates` */
  rates: Type.Array(VectorRate),
  /** the last DEVICE_HISTORY_MS at tick resolution, per vector key */
  history: Type.Array(Type.Object({ key: Type.String(), points: Type.Array(HistoryPoint) })),
  state: Type.Union([DeviceStateView, Type.Null()]),
  /** reset methods, VFIO reset, hot-reset dependencies and the last reset's verification (whoever did it) */
  reset: DeviceResetView,
});
export type DeviceSnapshot = Static<typeof DeviceSnapshot>;
/**
 * every tick: the device's vector rates, as irq-rates deltas carry them (irq-rates-delta.ts), numbered by the
 * snapshot's `rates` (append each row's rate to its history); state and reset only when they changed
 */
export const DeviceDelta = Type.Object({
  t: Timestamp,
  groupOpen: Type.Boolean(),
  rates: IrqRatesDelta,
  state: Type.Optional(Type.Union([DeviceStateView, Type.Null()])),
  reset: Type.Optional(DeviceResetView),
});
export type DeviceDelta = Static<typeof DeviceDelta>;

export const MappingsSnapshot = Type.Object({
  container: Type.Integer(),
  total: Type.Integer(),
  rows: Type.Array(MappingRow),
});
export type MappingsSnapshot = Static<typeof MappingsSnapshot>;
/** rows keyed by iova */
export const MappingsDelta = Type.Object({
  container: Type.Integer(),
  total: Type.Integer(),
  add: Type.Array(MappingRow),
  change: Type.Array(MappingRow),
  remove: Type.Array(Hex64),
});
export type MappingsDelta = Static<typeof MappingsDelta>;

export const PinnedSnapshot = Type.Object({
  t: Timestamp,
  stats: Type.Array(PinnedStat),
  dmaEntries: Type.Array(DmaEntriesStat),
});
export type PinnedSnapshot = Static<typeof PinnedSnapshot>;
/** the whole (small) table again, sent when it changed */
export const PinnedDelta = PinnedSnapshot;
export type PinnedDelta = Static<typeof PinnedDelta>;

export const EventsSnapshot = Type.Object({ events: Type.Array(LogEvent) });
export type EventsSnapshot = Static<typeof EventsSnapshot>;
/** new events, in seq order */
export const EventsDelta = EventsSnapshot;
export type EventsDelta = Static<typeof EventsDelta>;

export const AlertsSnapshot = Type.Object({ alerts: Type.Array(Alert) });
export type AlertsSnapshot = Static<typeof AlertsSnapshot>;
/** alerts raised or cleared since the last delta, keyed by id */
export const AlertsDelta = Type.Object({ upsert: Type.Array(Alert) });
export type AlertsDelta = Static<typeof AlertsDelta>;
