/**
 * Time for the simulated host. Devices are advanced lazily to "now" before
 * anything observes their effects, so a test can pass a ManualClock and step
 * time exactly; the default is the wall clock.
 */
export interface SimClock {
  /** milliseconds, monotonic */
  now(): number;
}

export const realClock: SimClock = {
  now: () => performance.now(),
};

/** A clock that moves only when told to. */
export class ManualClock implements SimClock {
  constructor(private ms = 0) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move a clock by ${ms} ms`);
    this.ms += ms;
  }

  set(ms: number): void {
    if (ms < this.ms) throw new RangeError('a clock cannot go backwards');
    this.ms = ms;
  }
}
