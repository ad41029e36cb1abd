/**
 * The event log's records and queries. LogEvent stays one interface rather
 * than a union on `kind`: every kind carries the same optional fields (an
 * alert has a device, an action may fail with an errno), so a union would
 * only restate them five times.
 */

/** `kernel`: a kernel log message vfioscope parsed (kernel-log-follower.ts) */
export type LogEventKind = 'action' | 'error' | 'alert' | 'alert-cleared' | 'info' | 'kernel';

export interface LogEvent {
  /** 1, 2, 3 … across restarts */
  seq: number;
  /** ms since the epoch */
  ts: number;
  kind: LogEventKind;
  message: string;
  /** who did it (token name / role) for actions */
  actor?: string;
  /** the action or kernel operation, e.g. "mapDma" */
  op?: string;
  device?: string;
  group?: number;
  container?: number;
  /** kernel errno name for errors */
  errno?: string;
  /** JSON-safe details (parameters, result, alert) */
  data?: unknown;
}

export type LogEventInput = Omit<LogEvent, 'seq' | 'ts'> & { ts?: number };

export interface EventLogQuery {
  /** only events with seq > sinceSeq, oldest first, the first `limit` of them */
  sinceSeq?: number;
  /** only events with seq < beforeSeq (paging backwards) */
  beforeSeq?: number;
  kinds?: readonly string[];
  /** case-insensitive substring of the event's JSON */
  text?: string;
  /** default 100; without sinceSeq the newest `limit` matches are returned (oldest first) */
  limit?: number;
}

/** Where the next page starts: pass it back as the query's sinceSeq or beforeSeq, with the same filters. */
export type EventCursor = { beforeSeq: number } | { sinceSeq: number };

export interface EventPage {
  /** oldest first */
  events: LogEvent[];
  /**
   * Non-null when the answer stopped short — the limit was reached, or the
   * bytes one call may read from the file ran out — and more matches may lie
   * beyond; the next page can turn out empty. Null when every event the log
   * can answer for in that direction was examined.
   */
  more: EventCursor | null;
  /** the oldest seq queries can reach (older ones are in rotated archives, or gone); newestSeq + 1 when the log is empty */
  oldestAvailableSeq: number;
  /** the newest seq appended so far: a client that wants to follow polls with sinceSeq = this */
  newestSeq: number;
}
