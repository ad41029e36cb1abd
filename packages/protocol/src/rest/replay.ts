/**
 * A replay (`vfioscope serve --replay FILE`): the recording's facts, where
 * the replay is, and the moments worth jumping to. Every action of the API
 * answers EROFS while a server replays; the timeline is driven here.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../primitives.ts';
import { RecordingHeader } from '../recording/format.ts';

export const REPLAY_SPEEDS = [1, 4, 16, 64] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
export const ReplaySpeedView = Type.Union(REPLAY_SPEEDS.map((s) => Type.Literal(s)));

export const ReplayMarkView = Type.Object({
  t: Timestamp,
  kind: Type.Union([Type.Literal('alert'), Type.Literal('kernel-fault'), Type.Literal('action')]),
  label: Type.String(),
});
export type ReplayMarkView = Static<typeof ReplayMarkView>;

export const ReplayStateView = Type.Object({
  /** the recording's wall clock at its first data and at its last line */
  startT: Timestamp,
  endT: Timestamp,
  /** the recording's wall clock at the replay's position */
  position: Timestamp,
  playing: Type.Boolean(),
  speed: ReplaySpeedView,
});
export type ReplayStateView = Static<typeof ReplayStateView>;

export const ReplayResponse = Type.Object({
  /** the recording file's name (no directory) */
  file: Type.String(),
  header: RecordingHeader,
  /** how the recording ended; null when it was cut short (a crash): it replays up to its last whole record */
  ended: Type.Union([Type.String(), Type.Null()]),
  state: ReplayStateView,
  marks: Type.Array(ReplayMarkView),
});
export type ReplayResponse = Static<typeof ReplayResponse>;

export const ReplayControlBody = Type.Object(
  {
    playing: Type.Optional(Type.Boolean()),
    speed: Type.Optional(ReplaySpeedView),
    /** jump to this moment of the recording (clamped to it) */
    seek: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type ReplayControlBody = Static<typeof ReplayControlBody>;

/**
 * Opening another recording on a replaying server (the timeline bar's Open…):
 * the file's bytes as they are on disk, gzip, as the request's body — the one
 * body in this API that is not JSON. It replaces what the server replays, for
 * everyone watching; it is held in memory, never written to the server's disk.
 */
export const RECORDING_MEDIA_TYPE = 'application/gzip';
/** the largest recording that can be opened this way (~6 hours of the default scenario) */
export const REPLAY_UPLOAD_LIMIT_BYTES = 256 * 1024 * 1024;
export const RecordingUpload = Type.Unsafe<Blob | Uint8Array>({
  type: 'string',
  format: 'binary',
  description: `a recording file (${RECORDING_MEDIA_TYPE}), as vfioscope record or the Record button wrote it`,
});
export const ReplayOpenQuery = Type.Object(
  {
    /** the file's name, shown as what is replayed (no directory) */
    name: Type.String({ pattern: '^[^/\\\\\\x00-\\x1f]{1,255}$', description: "the file's name, without a directory" }),
  },
  { additionalProperties: false },
);
export type ReplayOpenQuery = Static<typeof ReplayOpenQuery>;
