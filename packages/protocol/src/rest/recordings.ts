/**
 * The server's own recordings (the UI's Record button): one at a time, into
 * `<data dir>/recordings/<UTC time>-<host name>.vfr`, in the recording
 * format (recording/format.ts). An operator starts and stops it; a viewer
 * sees how far it has got, lists the files and downloads one.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../primitives.ts';
import { RECORDING_END_REASONS } from '../recording/format.ts';

/** The host-wide topics a recording can follow (the mappings and device pages are found as they appear). */
export const HOST_WIDE_TOPICS = ['topology', 'host', 'irq-rates', 'pinned', 'events', 'alerts'] as const;
export type HostWideTopic = (typeof HOST_WIDE_TOPICS)[number];

/** keyframes at most this often and at least this rarely (ms) */
export const KEYFRAME_EVERY_MS_RANGE = { min: 1000, max: 3_600_000 } as const;

/**
 * A recording's file name as the server makes it and a download may name it:
 * no slash, no leading dot, so it cannot leave the recordings directory.
 */
export const RECORDING_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.vfr$';
export const RecordingName = Type.String({
  pattern: RECORDING_NAME_PATTERN,
  description: 'a recording file name, e.g. 20261203T031337Z-gpu-07.vfr',
});

export const StartRecordingBody = Type.Object(
  {
    /** host-wide topics to follow (default: all of them) */
    topics: Type.Optional(Type.Array(Type.Union(HOST_WIDE_TOPICS.map((t) => Type.Literal(t))), { minItems: 1, uniqueItems: true })),
    /** take out command lines, host and user names; renumber PIDs (as `record --redact`) */
    redact: Type.Optional(Type.Boolean()),
    /** a keyframe (fresh snapshots of every topic) this often (default DEFAULT_KEYFRAME_EVERY_MS) */
    keyframeEveryMs: Type.Optional(Type.Integer({ minimum: KEYFRAME_EVERY_MS_RANGE.min, maximum: KEYFRAME_EVERY_MS_RANGE.max })),
  },
  { additionalProperties: false },
);
export type StartRecordingBody = Static<typeof StartRecordingBody>;

/** How far a recording has got (while it runs, and as it ended). */
export const RecordingProgress = Type.Object({
  name: RecordingName,
  startedAt: Timestamp,
  /** compressed bytes on disk so far */
  bytes: Type.Integer({ minimum: 0 }),
  messages: Type.Integer({ minimum: 0 }),
  /** topics followed (host-wide ones plus the mappings and device pages found) */
  topics: Type.Integer({ minimum: 0 }),
  keyframes: Type.Integer({ minimum: 0 }),
  keyframeEveryMs: Type.Integer(),
  redacted: Type.Boolean(),
  /** who started it */
  actor: Type.String(),
});
export type RecordingProgress = Static<typeof RecordingProgress>;

export const EndedRecording = Type.Composite([
  RecordingProgress,
  Type.Object({
    endedAt: Timestamp,
    /** why it ended (the recording format's end reasons) */
    ended: Type.Union(RECORDING_END_REASONS.map((r) => Type.Literal(r))),
    /** the write error that ended it (disk full…) */
    failure: Type.Optional(Type.Object({ errno: Type.String(), message: Type.String() })),
  }),
]);
export type EndedRecording = Static<typeof EndedRecording>;

export const RecordingStatusResponse = Type.Object({
  /** the recording running now; null when none is */
  recording: Type.Union([RecordingProgress, Type.Null()]),
  /** the last one that ended since the server started (so a disk-full stop is seen), null if none */
  last: Type.Union([EndedRecording, Type.Null()]),
});
export type RecordingStatusResponse = Static<typeof RecordingStatusResponse>;

export const StopRecordingResponse = Type.Object({ recording: EndedRecording });
export type StopRecordingResponse = Static<typeof StopRecordingResponse>;

export const RecordingFile = Type.Object({
  name: RecordingName,
  bytes: Type.Integer({ minimum: 0 }),
  modifiedAt: Timestamp,
  /** the one being written now */
  recording: Type.Boolean(),
});
export type RecordingFile = Static<typeof RecordingFile>;

export const RecordingsResponse = Type.Object({
  /** newest first */
  recordings: Type.Array(RecordingFile),
});
export type RecordingsResponse = Static<typeof RecordingsResponse>;

export const RecordingParams = Type.Object({ name: RecordingName });

/** The file itself (gzip); not JSON. */
export const RecordingDownload = Type.String({ description: 'the recording file: gzip, see the recording format' });
