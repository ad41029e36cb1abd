/**
 * Fixed-capacity ring buffers over typed arrays: the history of every IRQ
 * vector lives in these, so a sample costs one store and no allocation, and
 * memory per vector is fixed (float32 rates; the shared time axis in float64).
 */

export type RingBufferKind = 'f32' | 'f64';

export class RingBuffer {
  private readonly data: Float32Array | Float64Array;
  /** index the next push writes to */
  private head = 0;
  private filled = 0;

  constructor(
    readonly capacity: number,
    kind: RingBufferKind = 'f64',
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.data = kind === 'f32' ? new Float32Array(capacity) : new Float64Array(capacity);
  }

  get length(): number {
    return this.filled;
  }

  push(value: number): void {
    this.data[this.head] = value;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.filled < this.capacity) this.filled++;
  }

  /** The i-th retained sample, 0 = oldest; undefined outside 0..length-1. */
  at(i: number): number | undefined {
    if (i < 0 || i >= this.filled) return undefined;
    const start = this.head - this.filled;
    const pos = start + i;
    return this.data[pos < 0 ? pos + this.capacity : pos];
  }

  /** The newest sample, undefined when empty. */
  latest(): number | undefined {
    return this.at(this.filled - 1);
  }

  /** The newest `n` samples (fewer if not retained), oldest first. */
  last(n: number): number[] {
    const count = Math.min(Math.max(0, n), this.filled);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.at(this.filled - count + i) as number;
    return out;
  }

  toArray(): number[] {
    return this.last(this.filled);
  }

  clear(): void {
    this.head = 0;
    this.filled = 0;
  }
}
