/**
 * The event log's records and queries. A LogEvent is a union on `kind`:
 * actions, errors, alerts and info share one set of optional fields (an
 * alert has a device, an action may fail with an errno), so those kinds are
 * one shape; a kernel event is its own — the kernel message's kind as `op`,
 * its parsed fields as `data`.
 */
import type { KernelMessage, KernelMessageKind } from '@vfioscope/host';

export type LogEventKind = LogEvent['kind'];

interface Logged {
  /** 1, 2, 3 … across restarts */
  seq: number;
  /** ms since the epoch */
  ts: number;
  message: string;
}

/** An action, error, alert or note: who did what to which object, and how it went. */
export interface RecordEvent extends Logged {
  kind: 'action' | 'error' | 'alert' | 'alert-cleared' | 'info';
  /** who did it (token name / role) for actions */
  actor?: string;
  /** the action or the source, e.g. "mapDma", "kernelLog" */
  op?: string;
  device?: string;
  group?: number;
  container?: number;
  /** kernel errno name for errors */
  errno?: string;
  /** JSON-safe details (parameters, result, alert) */
  data?: unknown;
}

/** A kernel log record the parser recognised (kernel-log-follower.ts), attached to its device. */
export interface KernelEventData extends KernelMessage {
  /** the record's place in the kernel log: sequence number, syslog priority, µs since boot */
  seq: number;
  priority: number;
  tsUsec: number;
  /** how the device was found when the message names none */
  attributedBy?: 'memlock-limit';
}

export interface KernelEvent extends Logged {
  kind: 'kernel';
  op: KernelMessageKind;
  device?: string;
  group?: number;
  data: KernelEventData;
}

export type LogEvent = RecordEvent | KernelEvent;

/** What a producer appends: an event without its seq (and, by default, its ts), kind by kind. */
export type LogEventInput = (Omit<RecordEvent, 'seq' | 'ts'> | Omit<KernelEvent, 'seq' | 'ts'>) & { ts?: number };

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
