/**
 * One event as a line of the log file, and the cheap tests a file scan runs
 * on raw lines before it pays for JSON.parse: a 4 MiB window holds ~15 000
 * events, and parsing only the candidates keeps a scan within a few ms.
 */
import type { EventLogQuery, LogEvent } from './event-log-types.ts';
import type { LineSearch } from './jsonl-search.ts';

/**
 * EventLog writes `{...input, seq, ts}`, so its lines end in
 * `,"seq":N,"ts":M}` — the only place a top-level seq can end a line (a
 * nested object would add another '}'). Lines of any other shape are parsed.
 */
const SEQ_TS_SUFFIX = /[{,]"seq":(\d{1,15}),"ts":-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\}$/;

export function parseEventLine(text: string): LogEvent | undefined {
  if (text.length === 0) return undefined;
  try {
    const e = JSON.parse(text) as Partial<LogEvent> | null;
    if (e !== null && typeof e === 'object' && typeof e.seq === 'number' && typeof e.kind === 'string') return e as LogEvent;
  } catch {
    // a line torn by a crash mid-write
  }
  return undefined;
}

/** The line's seq without parsing the whole line when it has our shape; undefined for a line that is no event. */
export function seqOfLine(text: string): number | undefined {
  const m = SEQ_TS_SUFFIX.exec(text.length > 80 ? text.slice(-80) : text);
  if (m?.[1] !== undefined) return Number(m[1]);
  return parseEventLine(text)?.seq;
}

/** A query's kinds and text, tested on a raw line before it is parsed, or on an event in memory. */
export class EventFilter {
  private readonly kinds: ReadonlySet<string> | null;
  /** each kind as a JSON string: a line without one of them cannot be of that kind */
  private readonly kindNeedles: readonly string[];
  private readonly text: string | null;

  constructor(q: Pick<EventLogQuery, 'kinds' | 'text'>) {
    this.kinds = q.kinds && q.kinds.length > 0 ? new Set(q.kinds) : null;
    this.kindNeedles = this.kinds ? [...this.kinds].map((k) => JSON.stringify(k)) : [];
    this.text = q.text ? q.text.toLowerCase() : null;
  }

  /**
   * What a file line must contain to be a candidate — the text, else one of
   * the kinds as a JSON string — for a chunked search; null when every line is.
   */
  lineSearch(): LineSearch | null {
    if (this.text !== null) return { needles: [this.text], ignoreCase: true };
    return this.kindNeedles.length > 0 ? { needles: this.kindNeedles } : null;
  }

  /** The event on a file line if it matches; the line is parsed only when the cheap tests pass. */
  matchLine(line: string): LogEvent | undefined {
    if (this.kinds !== null && !this.kindNeedles.some((k) => line.includes(k))) return undefined;
    if (this.text !== null && !line.toLowerCase().includes(this.text)) return undefined;
    const e = parseEventLine(line);
    return e !== undefined && (this.kinds === null || this.kinds.has(e.kind)) ? e : undefined;
  }

  /** An event in memory; `lower` is its JSON line in lower case. */
  matches(e: LogEvent, lower: string): boolean {
    return (this.kinds === null || this.kinds.has(e.kind)) && (this.text === null || lower.includes(this.text));
  }
}
