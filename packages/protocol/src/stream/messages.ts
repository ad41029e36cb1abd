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
  IrqRatesDelta,
  IrqRatesSnapshot,
  MappingsDelta,
  MappingsSnapshot,
  PinnedDelta,
  PinnedSnapshot,
  Topic,
  TopologyDelta,
  TopologySnapshot,
} from './topics.ts';

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

/** Payload type of a snapshot of a given kind, e.g. SnapshotData<'device'>. */
export type SnapshotData<K extends SnapshotMessage['kind']> = Extract<SnapshotMessage, { kind: K }>['data'];
export type DeltaData<K extends DeltaMessage['kind']> = Extract<DeltaMessage, { kind: K }>['data'];
/** WebSocket close codes the server uses (4000–4999 are the application's) */
export const CLOSE_CODES = { auth: 4401, forbidden: 4403, shutdown: 1001, protocol: 1008 } as const;
