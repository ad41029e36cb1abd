/**
 * Reading the part of the event log's current file that is older than the
 * in-memory ring, within a byte budget per query. A seek starts from the
 * sparse index and, where the index has no entries yet (the part of the
 * file before the tail read at startup), binary-searches the file by byte
 * offset — seqs increase through the file — reading a few KiB per probe and
 * remembering each probe in the index. Then lines are read forwards or
 * backwards from there until the query's limit, the range or the budget
 * ends; with a text or kind filter only the lines containing it are split
 * out and parsed (jsonl-search.ts).
 */
import type { LogEvent } from './event-log-types.ts';
import { type EventFilter, seqOfLine } from './event-line.ts';
import type { JsonLinesFile } from './jsonl-file.ts';
import type { SeqIndex } from './seq-index.ts';

const PROBE_CHUNK_BYTES = 4096;

/** The bytes one query may still read from the file. */
export class ReadBudget {
  private readonly until: number;

  constructor(
    private readonly file: JsonLinesFile,
    maxBytes: number,
  ) {
    this.until = file.bytesRead + maxBytes;
  }

  remaining(): number {
    return Math.max(0, this.until - this.file.bytesRead);
  }
}

export interface ScanResult {
  /** matches in scan order */
  events: LogEvent[];
  /** the last seq examined, where the next page picks up; undefined when no event was examined */
  lastSeq: number | undefined;
  /** the whole range was examined */
  done: boolean;
}

export class EventFileScan {
  constructor(
    private readonly file: JsonLinesFile,
    private readonly index: SeqIndex,
  ) {}

  /** the seq of the first event in the file's [0, end) */
  firstSeq(end: number, budget: ReadBudget): number | undefined {
    return this.probe(0, end, budget)?.seq;
  }

  /** Matches with after < seq < upper among the lines in [0, end), oldest first. */
  forward(after: number, upper: number, end: number, filter: EventFilter, limit: number, budget: ReadBudget): ScanResult {
    const { lo } = this.bracket(after + 1, end, budget);
    const windowEnd = Math.min(end, lo + budget.remaining());
    const search = filter.lineSearch();
    const opts = { maxBytes: windowEnd - lo };
    const lines = search ? this.file.searchFrom(lo, search, opts) : this.file.linesFrom(lo, opts);
    const events: LogEvent[] = [];
    let lastSeq: number | undefined;
    for (let r = lines.next(); ; r = lines.next()) {
      if (r.done) {
        // every line up to the window's last one was examined, matching or not
        const seq = r.value === undefined ? undefined : seqOfLine(r.value.text);
        if (seq !== undefined && seq >= upper) return { events, lastSeq, done: true };
        if (seq !== undefined && seq > after) lastSeq = seq;
        return { events, lastSeq, done: windowEnd >= end };
      }
      const seq = seqOfLine(r.value.text);
      if (seq === undefined || seq <= after) continue;
      if (seq >= upper) return { events, lastSeq, done: true };
      lastSeq = seq;
      const e = filter.matchLine(r.value.text);
      if (e === undefined) continue;
      events.push(e);
      if (events.length >= limit) return { events, lastSeq, done: false };
    }
  }

  /** Matches with seq < before among the lines in [0, end), newest first. */
  backward(before: number, end: number, filter: EventFilter, limit: number, budget: ReadBudget): ScanResult {
    const { hi } = this.bracket(before, end, budget);
    const floor = Math.max(0, hi - budget.remaining());
    const search = filter.lineSearch();
    const opts = { maxBytes: hi - floor };
    const lines = search ? this.file.searchBefore(hi, search, opts) : this.file.linesBefore(hi, opts);
    const events: LogEvent[] = [];
    let lastSeq: number | undefined;
    for (let r = lines.next(); ; r = lines.next()) {
      if (r.done) {
        // every line down to the window's oldest one was examined
        const seq = r.value === undefined ? undefined : seqOfLine(r.value.text);
        if (seq !== undefined && seq < before) lastSeq = seq;
        return { events, lastSeq, done: floor === 0 };
      }
      const seq = seqOfLine(r.value.text);
      if (seq === undefined || seq >= before) continue;
      lastSeq = seq;
      const e = filter.matchLine(r.value.text);
      if (e === undefined) continue;
      events.push(e);
      if (events.length >= limit) return { events, lastSeq, done: false };
    }
  }

  /**
   * Line starts lo <= hi in [0, end] around the first event with seq >=
   * target: every line before lo is older, every line from hi on is not.
   * They end up at most a stride apart unless a line longer than half a
   * stride or the budget stops the search.
   */
  private bracket(target: number, end: number, budget: ReadBudget): { lo: number; hi: number } {
    const above = this.index.atOrAbove(target);
    let hi = above !== undefined && above.offset < end ? above.offset : end;
    let lo = Math.min(this.index.below(target)?.offset ?? 0, hi);
    while (hi - lo > this.index.strideBytes) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const p = this.probe(mid, hi, budget);
      if (p === undefined) break;
      this.index.insert(p.seq, p.offset);
      if (p.seq < target) lo = p.offset;
      else hi = p.offset;
    }
    return { lo, hi };
  }

  /** the first event whose line starts in [from, to); `to` must be a line start */
  private probe(from: number, to: number, budget: ReadBudget): { seq: number; offset: number } | undefined {
    // from - 1 rather than from: if that byte is '\n', a line starts exactly at `from`
    const start = from === 0 ? 0 : from - 1;
    let partial = from !== 0;
    const maxBytes = Math.min(to - start, budget.remaining());
    for (const line of this.file.linesFrom(start, { maxBytes, chunkBytes: PROBE_CHUNK_BYTES })) {
      if (partial) {
        partial = false;
        continue;
      }
      const seq = seqOfLine(line.text);
      if (seq !== undefined) return { seq, offset: line.offset };
    }
    return undefined;
  }
}
