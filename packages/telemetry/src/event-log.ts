/**
 * The event log: every action, error and alert, as append-only JSON lines in
 * `events.jsonl` (one event per line, written synchronously, so a line is in
 * the file before append() returns).
 *
 * What it costs, whatever the size of the file:
 *  - opening reads only the file's tail — the newest `memoryLimit` events,
 *    backwards in 64 KiB chunks — and the sequence continues from the last
 *    complete line (a torn last line from a crash is skipped, never fatal);
 *  - the newest events live in a ring in memory; older ones are read back
 *    from the file, seeking through a sparse seq → offset index, and one
 *    query reads at most `queryReadBytes` of file. A query that runs out of
 *    bytes (or reaches its limit) says where to continue: see page().
 *
 * Queries cover the current file and the ring. The file rotates at
 * `maxBytes` to `events.jsonl.<n>`; rotated files are archives for people
 * and tools — queries do not read them, and `keep` bounds how many stay.
 *
 * A write that fails (disk full, I/O error) never throws into the code
 * emitting the event: the event stays in memory (queryable while the ring
 * holds it, lost at restart), `stats().writeErrors` counts it, and
 * `onWriteError` hears of the first failure of each run of failures.
 */
import type { EventCursor, EventLogQuery, EventPage, LogEvent, LogEventInput } from './event-log-types.ts';
import { EventFileScan, ReadBudget } from './event-file-scan.ts';
import { EventFilter, parseEventLine } from './event-line.ts';
import { EventRing, type RingEntry } from './event-ring.ts';
import { JsonLinesFile } from './jsonl-file.ts';
import { readJsonLinesTail } from './jsonl-lines.ts';
import type { RotationEvent } from './jsonl-rotation.ts';
import { SeqIndex } from './seq-index.ts';

export type * from './event-log-types.ts';

export interface EventLogOptions {
  /** events kept in memory; older ones are read back from the file (default 20 000) */
  memoryLimit?: number;
  /** fdatasync after each append (survives power loss, costs a disk flush) */
  fsync?: boolean;
  /** rotate the file when the next event would take it past this size (default 64 MiB) */
  maxBytes?: number;
  /** rotated files kept, oldest deleted first, or 'all' (default 5) */
  keep?: number | 'all';
  /** bytes one query may read from the file (default 4 MiB, at least 256 KiB) */
  queryReadBytes?: number;
  /** bytes opening may read from the file's tail to fill memory (default 32 MiB) */
  tailReadBytes?: number;
  /** told of each rotation and archive deletion */
  onRotate?: (e: RotationEvent) => void;
  /** told of the first failed write after a success (or since open); `event` is the one kept only in memory */
  onWriteError?: (err: NodeJS.ErrnoException, event: LogEvent) => void;
  clock?: () => number;
}

export interface EventLogStats {
  /** events in the ring */
  inMemory: number;
  /** sparse index entries for the current file */
  indexEntries: number;
  /** bytes in the current file */
  fileBytes: number;
  /** bytes read from the file since open (startup and queries) */
  bytesRead: number;
  /** appends that did not reach the file */
  writeErrors: number;
  /** the last append did not reach the file */
  writeFailing: boolean;
}

/** one index entry per this much file: a seek reads at most about this much to find its line */
const INDEX_STRIDE_BYTES = 64 * 1024;
/**
 * A longer event is stored with its `data` replaced by a note (events are
 * small: region I/O, the largest payload, is capped at 4 KiB).
 */
const MAX_EVENT_LINE_BYTES = 64 * 1024;
/**
 * A query must be able to afford the seek (probes, then up to a stride of
 * older lines to skip) and still read a whole line of the longest kind, or
 * paging would stop moving on.
 */
const MIN_QUERY_READ_BYTES = 4 * INDEX_STRIDE_BYTES;

export class EventLog {
  /** null without a file, and after close(): the log then lives on in memory only */
  private jsonl: JsonLinesFile | null = null;
  private scan: EventFileScan | null = null;
  private readonly ring: EventRing;
  private readonly index = new SeqIndex(INDEX_STRIDE_BYTES);
  private readonly listeners = new Set<(e: LogEvent) => void>();
  private readonly queryReadBytes: number;
  private lastSeq = 0;
  /** the first event in the current file, once known */
  private fileFirstSeq: number | undefined;
  private writeErrors = 0;
  private writeFailing = false;

  constructor(
    readonly file: string | null,
    private readonly opts: EventLogOptions = {},
  ) {
    this.ring = new EventRing(Math.max(1, opts.memoryLimit ?? 20_000));
    this.queryReadBytes = Math.max(MIN_QUERY_READ_BYTES, opts.queryReadBytes ?? 4 * 1024 * 1024);
    if (file === null) return;
    this.jsonl = new JsonLinesFile(file, {
      maxBytes: opts.maxBytes ?? 64 * 1024 * 1024,
      keep: opts.keep ?? 5,
      sync: opts.fsync ? 'fdatasync' : 'none',
      ...(opts.onRotate ? { onRotate: opts.onRotate } : {}),
    });
    this.scan = new EventFileScan(this.jsonl, this.index);
    this.loadTail(this.jsonl, opts.tailReadBytes ?? 32 * 1024 * 1024);
  }

  get seq(): number {
    return this.lastSeq;
  }

  append(input: LogEventInput): LogEvent {
    // a seq on the input (an event re-logged from plain JS) would be overwritten anyway
    const { ts, seq: _seq, ...rest } = input as LogEventInput & { seq?: unknown };
    // seq and ts last: event-line.ts finds the seq at the end of the line without parsing it
    let e: LogEvent = { ...rest, seq: this.lastSeq + 1, ts: ts ?? (this.opts.clock ?? Date.now)() };
    let line = JSON.stringify(e);
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_EVENT_LINE_BYTES) {
      e = withoutBulk(e, bytes);
      line = JSON.stringify(e);
    }
    const offset = this.write(line, e);
    this.lastSeq = e.seq;
    this.ring.push({ event: e, lower: line.toLowerCase(), offset });
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // a listener's failure is not the log's
      }
    }
    return e;
  }

  /** The matching events (oldest first); page() for the same with a cursor. */
  query(q: EventLogQuery = {}): LogEvent[] {
    return this.page(q).events;
  }

  /**
   * One bounded page of matches. With sinceSeq: the oldest `limit` matches
   * after it, and `more: { sinceSeq }` to continue forwards. Without: the
   * newest `limit` matches (before beforeSeq, if given), and
   * `more: { beforeSeq }` to continue backwards.
   */
  page(q: EventLogQuery = {}): EventPage {
    const limit = Math.max(0, Math.floor(q.limit ?? 100));
    const filter = new EventFilter(q);
    const before = q.beforeSeq ?? Number.POSITIVE_INFINITY;
    const { events, more } =
      limit === 0
        ? { events: [], more: null }
        : q.sinceSeq !== undefined
          ? this.forward(q.sinceSeq, before, filter, limit)
          : this.backward(before, filter, limit);
    const oldest = Math.min(
      this.fileRegionEnd() > 0 ? (this.fileFirstSeq ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY,
      this.ring.oldestSeq() ?? Number.POSITIVE_INFINITY,
    );
    return { events, more, oldestAvailableSeq: Number.isFinite(oldest) ? oldest : this.lastSeq + 1, newestSeq: this.lastSeq };
  }

  on(fn: (e: LogEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  stats(): EventLogStats {
    return {
      inMemory: this.ring.size,
      indexEntries: this.index.size,
      fileBytes: this.jsonl?.size ?? 0,
      bytesRead: this.jsonl?.bytesRead ?? 0,
      writeErrors: this.writeErrors,
      writeFailing: this.writeFailing,
    };
  }

  /** Closes the file; appends after this (a last tick during shutdown) are kept in memory only. */
  async close(): Promise<void> {
    this.jsonl?.close();
    this.jsonl = null;
    this.scan = null;
    this.listeners.clear();
  }

  /** the newest events into the ring and the index; the sequence continues after them */
  private loadTail(jsonl: JsonLinesFile, maxBytes: number): void {
    for (const line of jsonl.readTail({ maxLines: this.ring.capacity, maxBytes })) {
      const e = parseEventLine(line.text);
      // seqs must increase through the ring; a line that breaks that is not believed
      if (e === undefined || e.seq <= this.lastSeq) continue;
      this.ring.push({ event: e, lower: line.text.toLowerCase(), offset: line.offset });
      this.index.noteLine(e.seq, line.offset);
      this.lastSeq = e.seq;
    }
    const end = this.fileRegionEnd();
    this.fileFirstSeq =
      end > 0
        ? this.scan?.firstSeq(end, new ReadBudget(jsonl, this.queryReadBytes))
        : this.ring.size > 0
          ? this.ring.at(0).event.seq
          : undefined;
    if (this.lastSeq === 0) this.lastSeq = lastSeqOfArchive(jsonl.archives().at(-1));
  }

  /** the event's line into the file; its offset there, or -1 when it did not get there */
  private write(line: string, e: LogEvent): number {
    if (this.jsonl === null) return -1;
    const generation = this.jsonl.generation;
    let offset = -1;
    try {
      offset = this.jsonl.append(line);
      this.writeFailing = false;
    } catch (err) {
      this.writeErrors++;
      if (!this.writeFailing) {
        this.writeFailing = true;
        try {
          this.opts.onWriteError?.(err as NodeJS.ErrnoException, e);
        } catch {
          // the reporter's failure is not the log's
        }
      }
    }
    if (this.jsonl.generation !== generation) {
      // rotated (before writing, even if the write then failed): old offsets are void
      this.index.clear();
      this.ring.forgetOffsets();
      this.fileFirstSeq = undefined;
    }
    if (offset >= 0) {
      this.index.noteLine(e.seq, offset);
      this.fileFirstSeq ??= e.seq;
    }
    return offset;
  }

  /** where the file's events older than the ring end: 0 when the ring holds all of them */
  private fileRegionEnd(): number {
    if (this.jsonl === null) return 0;
    return this.ring.firstOffset() ?? this.jsonl.size;
  }

  private forward(after: number, before: number, filter: EventFilter, limit: number): { events: LogEvent[]; more: EventCursor | null } {
    const events: LogEvent[] = [];
    const ringOldest = this.ring.oldestSeq() ?? Number.POSITIVE_INFINITY;
    const end = this.fileRegionEnd();
    if (this.scan !== null && this.jsonl !== null && after + 1 < ringOldest && end > 0) {
      const upper = Math.min(before, ringOldest);
      const r = this.scan.forward(after, upper, end, filter, limit, new ReadBudget(this.jsonl, this.queryReadBytes));
      events.push(...r.events);
      const last = events.at(-1);
      if (last !== undefined && events.length >= limit) return { events, more: { sinceSeq: last.seq } };
      // out of bytes before the range ended: continue after the last line examined
      if (!r.done) return { events, more: r.lastSeq !== undefined ? { sinceSeq: r.lastSeq } : null };
    }
    for (let i = this.ring.lowerBound(after + 1); i < this.ring.size; i++) {
      const { event, lower } = this.ring.at(i);
      if (event.seq >= before) break;
      if (!filter.matches(event, lower)) continue;
      events.push(event);
      if (events.length >= limit) {
        const next = i + 1 < this.ring.size ? this.ring.at(i + 1).event.seq : undefined;
        return { events, more: next !== undefined && next < before ? { sinceSeq: event.seq } : null };
      }
    }
    return { events, more: null };
  }

  private backward(before: number, filter: EventFilter, limit: number): { events: LogEvent[]; more: EventCursor | null } {
    const newestFirst: LogEvent[] = [];
    const end = this.fileRegionEnd();
    for (let i = this.ring.lowerBound(before) - 1; i >= 0; i--) {
      const { event, lower }: RingEntry = this.ring.at(i);
      if (!filter.matches(event, lower)) continue;
      newestFirst.push(event);
      if (newestFirst.length >= limit) return { events: newestFirst.reverse(), more: i > 0 || end > 0 ? { beforeSeq: event.seq } : null };
    }
    let more: EventCursor | null = null;
    if (this.scan !== null && this.jsonl !== null && end > 0) {
      const upper = Math.min(before, this.ring.oldestSeq() ?? Number.POSITIVE_INFINITY);
      const r = this.scan.backward(upper, end, filter, limit - newestFirst.length, new ReadBudget(this.jsonl, this.queryReadBytes));
      newestFirst.push(...r.events);
      if (!r.done && r.lastSeq !== undefined) more = { beforeSeq: r.lastSeq };
    }
    return { events: newestFirst.reverse(), more };
  }
}

/** the event with its data replaced by a note of what was dropped, and a message cut short */
function withoutBulk(e: LogEvent, bytes: number): LogEvent {
  const message = e.message.slice(0, 4096);
  // a kernel record is one printk line (at most 1 KiB): only its message could be long
  if (e.kind === 'kernel') return { ...e, message };
  const { seq, ts, data: _dropped, ...fields } = e;
  const note = { omitted: `event of ${bytes} bytes, more than the log keeps (${MAX_EVENT_LINE_BYTES})` };
  return { ...fields, message, data: note, seq, ts };
}

/** The last seq in an archive: a log whose current file is empty (just rotated) continues from there. */
function lastSeqOfArchive(path: string | undefined): number {
  if (path === undefined) return 0;
  const lines = readJsonLinesTail(path, { maxBytes: 64 * 1024 });
  for (let i = lines.length - 1; i >= 0; i--) {
    const e = parseEventLine(lines[i]?.text ?? '');
    if (e !== undefined) return e.seq;
  }
  return 0;
}
