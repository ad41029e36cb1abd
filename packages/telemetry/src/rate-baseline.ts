/**
 * A vector's normal interrupt rate, learned from its own history. Devices
 * often alternate between phases (a NIC VF flapping between busy and idle, an
 * NVMe queue in bursts), so "normal" must include the regular highs, or every
 * busy phase would look like a storm. The baseline is therefore a high
 * percentile of the per-second peak rates over a long window: a pattern that
 * recurs within the window becomes normal; a one-off surge does not.
 *
 * The top `protectTop` buckets never decide the baseline, so the seconds a
 * storm spends inside its sustain window (the caller keeps teaching until an
 * alert is raised) cannot lift the threshold away from the storm itself.
 */

export interface RateBaselineOptions {
  /** how much history the percentile covers, ms */
  windowMs: number;
  /** percentile of the per-bucket peaks, in (0, 1] */
  percentile: number;
  /** how many of the highest buckets are never the baseline */
  protectTop: number;
  /** bucket length, ms */
  bucketMs?: number;
}

export class RateBaseline {
  private readonly bucketMs: number;
  private readonly peaks: Float64Array;
  private count = 0;
  private head = 0;
  private bucketStart: number | null = null;
  private bucketPeak = 0;
  private current = 0;
  /** how long this baseline has been learning, ms (paused time does not count) */
  ageMs = 0;

  constructor(private readonly opts: RateBaselineOptions) {
    this.bucketMs = opts.bucketMs ?? 1000;
    this.peaks = new Float64Array(Math.max(1, Math.ceil(opts.windowMs / this.bucketMs)));
  }

  /** The learned rate; before the first bucket closes, the peak seen so far. */
  get value(): number {
    return this.count === 0 ? this.bucketPeak : this.current;
  }

  /** Enough closed buckets that the protected top ones leave something to choose from. */
  get settled(): boolean {
    return this.count > this.opts.protectTop;
  }

  learn(now: number, dtMs: number, rate: number): void {
    this.ageMs += dtMs;
    if (this.bucketStart === null) {
      this.bucketStart = now;
      this.bucketPeak = rate;
      return;
    }
    if (now - this.bucketStart < this.bucketMs) {
      this.bucketPeak = Math.max(this.bucketPeak, rate);
      return;
    }
    this.push(this.bucketPeak);
    this.bucketStart = now;
    this.bucketPeak = rate;
  }

  private push(peak: number): void {
    this.peaks[this.head] = peak;
    this.head = (this.head + 1) % this.peaks.length;
    this.count = Math.min(this.count + 1, this.peaks.length);
    // at most ~30 numbers, once a second per vector: sorting is cheap enough
    const sorted = Array.from(this.peaks.subarray(0, this.count)).sort((a, b) => a - b);
    const rank = Math.min(Math.floor(this.opts.percentile * (this.count - 1)), this.count - 1 - this.opts.protectTop);
    this.current = sorted[Math.max(0, rank)] as number;
  }
}
