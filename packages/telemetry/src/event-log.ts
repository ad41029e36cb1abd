/**
 * The event log: every action, error and alert, as append-only JSON lines
 * (one event per line, written synchronously so a line is in the file before
 * append() returns). On open it reads the existing file and continues its
 * sequence, so a restarted server keeps one history. A torn last line (a
 * crash mid-write) is skipped, never fatal.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogEventKind = 'action' | 'error' | 'alert' | 'alert-cleared' | 'info';

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
  kinds?: string[];
  /** case-insensitive substring of the event's JSON */
  text?: string;
  /** default 100; without sinceSeq the newest `limit` matches are returned (oldest first) */
  limit?: number;
}

export interface EventLogOptions {
  /** events kept in memory for queries; older ones are read back from the file (default 100 000) */
  memoryLimit?: number;
  /** fsync after each append (survives power loss, costs a disk flush) */
  fsync?: boolean;
  clock?: () => number;
}

export class EventLog {
  private fd: number | null = null;
  private readonly memory: LogEvent[] = [];
  private readonly memoryLimit: number;
  private readonly listeners = new Set<(e: LogEvent) => void>();
  private lastSeq = 0;
  /** true when older events than memory holds exist in the file */
  private truncated = false;

  constructor(
    readonly file: string | null,
    private readonly opts: EventLogOptions = {},
  ) {
    this.memoryLimit = opts.memoryLimit ?? 100_000;
    if (file === null) return;
    mkdirSync(dirname(file), { recursive: true });
    const { events, tornTail } = parseFile(file);
    for (const e of events) {
      this.lastSeq = Math.max(this.lastSeq, e.seq);
      this.remember(e);
    }
    this.fd = openSync(file, 'a', 0o600);
    // end a torn line so the next event starts on its own line
    if (tornTail) writeSync(this.fd, '\n');
  }

  get seq(): number {
    return this.lastSeq;
  }

  append(input: LogEventInput): LogEvent {
    const e: LogEvent = { ...input, seq: this.lastSeq + 1, ts: input.ts ?? (this.opts.clock ?? Date.now)() };
    if (this.fd !== null) {
      writeSync(this.fd, `${JSON.stringify(e)}\n`);
      if (this.opts.fsync) fsyncSync(this.fd);
    }
    this.lastSeq = e.seq;
    this.remember(e);
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // a listener's failure is not the log's
      }
    }
    return e;
  }

  query(q: EventLogQuery = {}): LogEvent[] {
    const limit = Math.max(0, q.limit ?? 100);
    const kinds = q.kinds && q.kinds.length > 0 ? new Set(q.kinds) : null;
    const text = q.text ? q.text.toLowerCase() : null;
    const match = (e: LogEvent) =>
      (q.sinceSeq === undefined || e.seq > q.sinceSeq) &&
      (q.beforeSeq === undefined || e.seq < q.beforeSeq) &&
      (kinds === null || kinds.has(e.kind)) &&
      (text === null || JSON.stringify(e).toLowerCase().includes(text));
    const oldestInMemory = this.memory[0]?.seq ?? this.lastSeq + 1;
    const needsFile = this.truncated && this.file !== null && (q.sinceSeq === undefined ? false : q.sinceSeq + 1 < oldestInMemory);
    const source = needsFile ? readEvents(this.file as string) : this.memory;
    if (q.sinceSeq !== undefined) {
      const out: LogEvent[] = [];
      for (const e of source) {
        if (out.length >= limit) break;
        if (match(e)) out.push(e);
      }
      return out;
    }
    const out: LogEvent[] = [];
    for (let i = source.length - 1; i >= 0 && out.length < limit; i--) if (match(source[i])) out.push(source[i]);
    if (out.length < limit && this.truncated && this.file !== null && source === this.memory) {
      // the newest matches run past what memory holds: look further back in the file
      const older = readEvents(this.file).filter((e) => e.seq < oldestInMemory);
      for (let i = older.length - 1; i >= 0 && out.length < limit; i--) if (match(older[i])) out.push(older[i]);
    }
    return out.reverse();
  }

  on(fn: (e: LogEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    this.listeners.clear();
  }

  private remember(e: LogEvent): void {
    this.memory.push(e);
    if (this.memory.length > this.memoryLimit) {
      // drop a chunk at once so appends stay O(1) amortised
      this.memory.splice(0, Math.max(1, Math.floor(this.memoryLimit / 10)));
      this.truncated = true;
    }
  }
}

function readEvents(file: string): LogEvent[] {
  return parseFile(file).events;
}

function parseFile(file: string): { events: LogEvent[]; tornTail: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], tornTail: false };
    throw err;
  }
  const out: LogEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      const e = JSON.parse(line) as LogEvent;
      if (typeof e.seq === 'number' && typeof e.kind === 'string') out.push(e);
    } catch {
      // torn line from a crash mid-write
    }
  }
  return { events: out, tornTail: text.length > 0 && !text.endsWith('\n') };
}
