/**
 * WebSocket messages on /api/v1/stream, discriminated on `type` (and, for
 * snapshot/delta, on `kind`, the topic's kind).
 *
 * The exchange: the server sends `hello`; the client sends `subscribe`; for
 * each topic the server sends a `snapshot` {topic, seq, data}, then a `delta`
 * per tick when something changed. `seq` increases by one per topic update;
 * a client applies a delta only when delta.seq === last seq + 1 and otherwise
 * waits for the next snapshot (the server sends one whenever a client fell
 * behind: a slow client's deltas are skipped while its socket is backed up,
 * and it gets fresh snapshots once it drains). `heartbeat` arrives every few
 * seconds and answers `ping`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Problem } from '../problems.ts';
import { Role } from '../primitives.ts';
import { Backend } from '../rest/host.ts';
import {
  AlertsDelta,
  AlertsSnapshot,
  DeviceDelta,
  DeviceSnapshot,
  EventsDelta,
  EventsSnapshot,
  HostDelta,
  HostSnapshot,
  IrqRatesSnapshot,
  MappingsDelta,
  MappingsSnapshot,
  PinnedDelta,
  PinnedSnapshot,
  Topic,
  TopologyDelta,
  TopologySnapshot,
} from './topics.ts';
import { IrqRatesDelta } from './irq-rates-delta.ts';

// ---- client → server ----

export const MAX_TOPICS_PER_MESSAGE = 64;

export const SubscribeMessage = Type.Object(
  { type: Type.Literal('subscribe'), topics: Type.Array(Topic, { minItems: 1, maxItems: MAX_TOPICS_PER_MESSAGE }) },
  { additionalProperties: false },
);
export const UnsubscribeMessage = Type.Object(
  { type: Type.Literal('unsubscribe'), topics: Type.Array(Topic, { minItems: 1, maxItems: MAX_TOPICS_PER_MESSAGE }) },
  { additionalProperties: false },
);
export const PingMessage = Type.Object({ type: Type.Literal('ping'), id: Type.Optional(Type.Integer()) }, { additionalProperties: false });
export const ClientMessage = Type.Union([SubscribeMessage, UnsubscribeMessage, PingMessage]);
export type SubscribeMessage = Static<typeof SubscribeMessage>;
export type UnsubscribeMessage = Static<typeof UnsubscribeMessage>;
export type PingMessage = Static<typeof PingMessage>;
export type ClientMessage = Static<typeof ClientMessage>;

// ---- server → client ----

export const HelloMessage = Type.Object({
  type: Type.Literal('hello'),
  version: Type.Integer(),
  role: Role,
  backend: Backend,
  tickHz: Type.Number(),
  heartbeatMs: Type.Integer(),
});
export type HelloMessage = Static<typeof HelloMessage>;

function topicMessage<K extends string, D extends TSchema, T extends 'snapshot' | 'delta'>(type: T, kind: K, data: D) {
  return Type.Object({
    type: Type.Literal(type),
    kind: Type.Literal(kind),
    topic: Type.String(),
    seq: Type.Integer({ minimum: 0 }),
    data,
  });
}

export const SnapshotMessage = Type.Union([
  topicMessage('snapshot', 'topology', TopologySnapshot),
  topicMessage('snapshot', 'host', HostSnapshot),
  topicMessage('snapshot', 'irq-rates', IrqRatesSnapshot),
  topicMessage('snapshot', 'device', DeviceSnapshot),
  topicMessage('snapshot', 'mappings', MappingsSnapshot),
  topicMessage('snapshot', 'pinned', PinnedSnapshot),
  topicMessage('snapshot', 'events', EventsSnapshot),
  topicMessage('snapshot', 'alerts', AlertsSnapshot),
]);
export type SnapshotMessage = Static<typeof SnapshotMessage>;

export const DeltaMessage = Type.Union([
  topicMessage('delta', 'topology', TopologyDelta),
  topicMessage('delta', 'host', HostDelta),
  topicMessage('delta', 'irq-rates', IrqRatesDelta),
  topicMessage('delta', 'device', DeviceDelta),
  topicMessage('delta', 'mappings', MappingsDelta),
  topicMessage('delta', 'pinned', PinnedDelta),
  topicMessage('delta', 'events', EventsDelta),
  topicMessage('delta', 'alerts', AlertsDelta),
]);
export type DeltaMessage = Static<typeof DeltaMessage>;

export const HeartbeatMessage = Type.Object({
  type: Type.Literal('heartbeat'),
  ts: Type.Number(),
  /** echoes the ping's id when this heartbeat answers a ping */
  id: Type.Optional(Type.Integer()),
});
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;

export const UnsubscribedMessage = Type.Object({ type: Type.Literal('unsubscribed'), topics: Type.Array(Type.String()) });
export type UnsubscribedMessage = Static<typeof UnsubscribedMessage>;

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  error: Problem,
  /** the topic the error is about, when there is one (e.g. a subscribe to an unknown device) */
  topic: Type.Optional(Type.String()),
});
export type ErrorMessage = Static<typeof ErrorMessage>;

export const ServerMessage = Type.Union([HelloMessage, SnapshotMessage, DeltaMessage, HeartbeatMessage, UnsubscribedMessage, ErrorMessage]);
export type ServerMessage = Static<typeof ServerMessage>;

/** The kinds of topic data: a topic's kind says which payload its snapshots and deltas carry. */
export type StreamKind = SnapshotMessage['kind'];

/** Each kind's snapshot and delta payloads, by kind (what the unions above carry; checked below). */
export interface StreamPayloads {
  topology: { snapshot: TopologySnapshot; delta: TopologyDelta };
  host: { snapshot: HostSnapshot; delta: HostDelta };
  'irq-rates': { snapshot: IrqRatesSnapshot; delta: IrqRatesDelta };
  device: { snapshot: DeviceSnapshot; delta: DeviceDelta };
  mappings: { snapshot: MappingsSnapshot; delta: MappingsDelta };
  pinned: { snapshot: PinnedSnapshot; delta: PinnedDelta };
  events: { snapshot: EventsSnapshot; delta: EventsDelta };
  alerts: { snapshot: AlertsSnapshot; delta: AlertsDelta };
}

/** Payload type of a snapshot of a given kind, e.g. SnapshotData<'device'>. */
export type SnapshotData<K extends StreamKind> = StreamPayloads[K]['snapshot'];
export type DeltaData<K extends StreamKind> = StreamPayloads[K]['delta'];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time: StreamPayloads says what the message schemas say, kind by kind (a `false` here fails typecheck). */
const payloadsAgree: {
  [K in StreamKind]: [
    Same<SnapshotData<K>, Extract<SnapshotMessage, { kind: K }>['data']>,
    Same<DeltaData<K>, Extract<DeltaMessage, { kind: K }>['data']>,
  ];
} = {
  topology: [true, true],
  host: [true, true],
  'irq-rates': [true, true],
  device: [true, true],
  mappings: [true, true],
  pinned: [true, true],
  events: [true, true],
  alerts: [true, true],
};
void payloadsAgree;

/** A snapshot or delta whatever its kind: what the guards below accept. */
interface TopicEnvelope {
  type: 'snapshot' | 'delta';
  kind: StreamKind;
  topic: string;
  seq: number;
  data: unknown;
}

/** A snapshot or delta of kind K, its data typed by the kind. */
export interface TopicMessageOf<T extends 'snapshot' | 'delta', K extends StreamKind> extends TopicEnvelope {
  type: T;
  kind: K;
  data: StreamPayloads[K][T];
}

/** Is this snapshot of that kind? Then its data is that kind's snapshot payload. */
export function isSnapshotOf<K extends StreamKind>(msg: TopicEnvelope, kind: K): msg is TopicMessageOf<'snapshot', K> {
  return msg.type === 'snapshot' && msg.kind === kind;
}

/** Is this delta of that kind? Then its data is that kind's delta payload. */
export function isDeltaOf<K extends StreamKind>(msg: TopicEnvelope, kind: K): msg is TopicMessageOf<'delta', K> {
  return msg.type === 'delta' && msg.kind === kind;
}

/** WebSocket close codes the server uses (4000–4999 are the application's) */
export const CLOSE_CODES = { auth: 4401, forbidden: 4403, shutdown: 1001, protocol: 1008 } as const;
