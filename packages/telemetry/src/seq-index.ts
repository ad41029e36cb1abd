/**
 * A sparse index of the log's current file: seq → byte offset of that
 * event's line, one entry per `strideBytes` of file (plus whatever the
 * file scan's binary-search probes found), so a query seeks to an old event
 * by reading at most about a stride, not the file. Seqs increase through
 * the file, so entries sorted by seq are sorted by offset too.
 */

export interface IndexEntry {
  readonly seq: number;
  readonly offset: number;
}

export class SeqIndex {
  private seqs: number[] = [];
  private offsets: number[] = [];

  constructor(readonly strideBytes: number) {}

  get size(): number {
    return this.seqs.length;
  }

  /** a line appended (or read in file order): indexed when it starts a stride past the newest entry */
  noteLine(seq: number, offset: number): void {
    const lastSeq = this.seqs.at(-1);
    const lastOffset = this.offsets.at(-1);
    if (lastSeq !== undefined && lastOffset !== undefined && (seq <= lastSeq || offset - lastOffset < this.strideBytes)) return;
    this.seqs.push(seq);
    this.offsets.push(offset);
  }

  /** a line found anywhere in the file */
  insert(seq: number, offset: number): void {
    const i = this.lowerBound(seq);
    if (this.seqs[i] === seq) return;
    this.seqs.splice(i, 0, seq);
    this.offsets.splice(i, 0, offset);
  }

  /** the entry with the greatest seq below `seq` */
  below(seq: number): IndexEntry | undefined {
    return this.entry(this.lowerBound(seq) - 1);
  }

  /** the entry with the least seq at or above `seq` */
  atOrAbove(seq: number): IndexEntry | undefined {
    return this.entry(this.lowerBound(seq));
  }

  /** the file rotated: its offsets are void */
  clear(): void {
    this.seqs = [];
    this.offsets = [];
  }

  private entry(i: number): IndexEntry | undefined {
    const seq = this.seqs[i];
    const offset = this.offsets[i];
    return seq === undefined || offset === undefined ? undefined : { seq, offset };
  }

  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.seqs[mid] ?? Number.POSITIVE_INFINITY) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
