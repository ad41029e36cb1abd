/**
 * A recording: what a host's stream said, on disk, so that it can be replayed
 * elsewhere (`vfioscope record`, `serve --replay`). It is the stream itself —
 * the server's own snapshot and delta messages, as sent — with the time each
 * was sent, so replay needs no second model of the host.
 *
 * The file is gzip (RFC 1952), one JSON document per line:
 *   line 1       the header (RecordingHeader)
 *   then         records: {"t":<ms since the epoch>,"m":<ServerMessage>}
 *                markers: {"t":…,"keyframe":<n>} before keyframe n's snapshots,
 *                         {"t":…,"end":<reason>} when the recording stopped cleanly
 * Keyframes: every `keyframeEveryMs` the recorder asks for a fresh snapshot
 * of every recorded topic — a device page's only every
 * DEVICE_SNAPSHOT_EVERY_MS — so a reader reaches any moment from the
 * snapshots before it (at most that far back) instead of from the start.
 *
 * Crash-safety: each keyframe starts a new gzip member, and the writer
 * flushes (Z_SYNC_FLUSH) after every batch of records (a second's), so a file cut short by
 * kill -9 or a full disk inflates up to the last flush; a reader drops a
 * last line that is not whole (readRecordingText).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Timestamp } from '../primitives.ts';
import { Backend } from '../rest/host.ts';
import type { ServerMessage } from '../stream/messages.ts';

export const RECORDING_FORMAT = 'vfioscope-recording';
export const RECORDING_VERSION = 1;

/** a keyframe (fresh snapshots of every topic) this often by default: seeking replays at most this much */
export const DEFAULT_KEYFRAME_EVERY_MS = 10_000;

/**
 * A device page's snapshot is recorded this rarely. It is the costly one — each carries its vectors' last
 * DEVICE_HISTORY_MS at tick resolution (~0.7 MB on the default host, 9 pages: most of a recording's bytes
 * and of what recording costs the server) — and the deltas since the last one rebuild the page exactly, its
 * history too once they span DEVICE_HISTORY_MS. So a seek replays up to this much of a page's deltas
 * (bench/recording.bench.ts: the overhead against the seek time).
 */
export const DEVICE_SNAPSHOT_EVERY_MS = 120_000;

export const RecordingHeader = Type.Object({
  format: Type.Literal(RECORDING_FORMAT),
  version: Type.Literal(RECORDING_VERSION),
  /** the stream protocol the messages speak */
  protocolVersion: Type.Integer(),
  startedAt: Timestamp,
  /** where it was recorded: in-process (`record`) or from a server's stream (`record --server`, the UI's Record) */
  source: Type.Union([Type.Literal('in-process'), Type.Literal('server')]),
  host: Type.Object({
    /** the host's name (after --redact: "redacted-host") */
    name: Type.String(),
    kernel: Type.String(),
    backend: Backend,
    /** the sim's scenario, when the backend is the sim */
    scenario: Type.Optional(Type.String()),
  }),
  tickHz: Type.Number({ exclusiveMinimum: 0 }),
  keyframeEveryMs: Type.Integer({ minimum: 1 }),
  /** process command lines, host and user names removed, PIDs renumbered (record --redact) */
  redacted: Type.Boolean(),
});
export type RecordingHeader = Static<typeof RecordingHeader>;

/** why a recording ended (the last line, when it ended cleanly) */
export const RECORDING_END_REASONS = ['stopped', 'duration', 'disk-full', 'write-error', 'server-gone', 'signal'] as const;
export type RecordingEndReason = (typeof RECORDING_END_REASONS)[number];

export type RecordingLine = { t: number; m: ServerMessage } | { t: number; keyframe: number } | { t: number; end: RecordingEndReason };

/** One recorded message line, from the message's text as the stream encoded it (no second encoding). */
export function messageLine(t: number, messageText: string): string {
  return `{"t":${t},"m":${messageText}}\n`;
}

export function keyframeLine(t: number, n: number): string {
  return `${JSON.stringify({ t, keyframe: n })}\n`;
}

export function endLine(t: number, reason: RecordingEndReason): string {
  return `${JSON.stringify({ t, end: reason })}\n`;
}

export interface ParsedRecording {
  header: RecordingHeader;
  lines: RecordingLine[];
  /** the index in `lines` of each keyframe marker, in order */
  keyframes: number[];
  /** how it ended; null when the file was cut short (a crash, kill -9) */
  end: RecordingEndReason | null;
  /** a last line that was not whole was dropped (the file was cut mid-record) */
  truncated: boolean;
}

export class RecordingFormatError extends Error {
  constructor(
    message: string,
    /** 1-based line of the inflated text */
    readonly line: number,
  ) {
    super(`recording line ${line}: ${message}`);
  }
}

/**
 * The inflated text of a recording → its header and lines. A last line
 * without its newline is the cut of a crash: dropped, not an error. Anything
 * else malformed is an error naming the line.
 */
export function readRecordingText(text: string): ParsedRecording {
  const raw = text.split('\n');
  const truncated = raw.at(-1) !== '';
  raw.pop(); // the text after the last newline: '' for a whole file, a cut record otherwise
  if (raw.length === 0) throw new RecordingFormatError('no header (empty recording)', 1);
  let header: unknown;
  try {
    header = JSON.parse(raw[0]!);
  } catch {
    throw new RecordingFormatError('the header is not JSON: not a vfioscope recording', 1);
  }
  if (!Value.Check(RecordingHeader, header)) {
    const h = header as { format?: unknown; version?: unknown };
    if (h?.format !== RECORDING_FORMAT)
      throw new RecordingFormatError(`format is ${JSON.stringify(h?.format)}, expected "${RECORDING_FORMAT}"`, 1);
    if (h.version !== RECORDING_VERSION)
      throw new RecordingFormatError(`version ${JSON.stringify(h.version)}; this vfioscope reads version ${RECORDING_VERSION}`, 1);
    throw new RecordingFormatError('the header does not match the recording format', 1);
  }
  const lines: RecordingLine[] = [];
  const keyframes: number[] = [];
  let end: RecordingEndReason | null = null;
  for (let i = 1; i < raw.length; i++) {
    let line: RecordingLine;
    try {
      line = JSON.parse(raw[i]!) as RecordingLine;
    } catch {
      throw new RecordingFormatError('not JSON', i + 1);
    }
    if (typeof line?.t !== 'number') throw new RecordingFormatError('no time "t"', i + 1);
    if ('keyframe' in line) keyframes.push(lines.length);
    else if ('end' in line) end = line.end;
    else if (!('m' in line)) throw new RecordingFormatError('neither a message "m", a keyframe nor an end', i + 1);
    lines.push(line);
  }
  return { header: header as RecordingHeader, lines, keyframes, end, truncated };
}
