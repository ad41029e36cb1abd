/**
 * The newest events in memory, a fixed-capacity ring in seq order. Each entry
 * keeps its JSON line in lower case (text queries test it without
 * re-serialising) and the byte offset the line starts at in the log's
 * current file (-1 when it is not there: the write failed, or the file has
 * rotated since), which tells a query where the file's older part ends.
 */
import type { LogEvent } from './event-log-types.ts';

export interface RingEntry {
  readonly event: LogEvent;
  readonly lower: string;
  offset: number;
}

export class EventRing {
  private readonly slots: (RingEntry | undefined)[];
  /** slot of the oldest entry */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<RingEntry | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** entries must come in increasing seq order; a full ring forgets its oldest */
  push(entry: RingEntry): void {
    this.slots[(this.head + this.count) % this.capacity] = entry;
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** i = 0 is the oldest */
  at(i: number): RingEntry {
    const e = i >= 0 && i < this.count ? this.slots[(this.head + i) % this.capacity] : undefined;
    if (e === undefined) throw new RangeError(`ring index ${i} out of 0..${this.count - 1}`);
    return e;
  }

  oldestSeq(): number | undefined {
    return this.count > 0 ? this.at(0).event.seq : undefined;
  }

  /** index of the first entry with seq >= `seq` (size when none) */
  lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).event.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** the file offset of the oldest entry that is in the current file, if any */
  firstOffset(): number | undefined {
    for (let i = 0; i < this.count; i++) {
      const { offset } = this.at(i);
      if (offset >= 0) return offset;
    }
    return undefined;
  }

  /** after a rotation no entry is in the current file any more */
  forgetOffsets(): void {
    for (let i = 0; i < this.count; i++) this.at(i).offset = -1;
  }
}
