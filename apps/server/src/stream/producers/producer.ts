/**
 * A topic producer owns one topic's current state. `init` computes it the
 * first time; each tick `update` recomputes it and returns what changed (null
 * for nothing), which the hub sends as the next delta; `snapshot` rebuilds the
 * whole state from what is stored, without recomputing, so a snapshot always
 * matches the sequence number of the last update.
 */
import type { TopicKind } from '@vfioscope/protocol';

export interface TopicProducer<S = unknown, D = unknown> {
  readonly kind: TopicKind;
  /**
   * Recompute only every N ticks (1 = every tick). Expensive sources
   * (sysfs topology, /proc/interrupts) use more; `invalidate` forces the next.
   */
  readonly everyTicks: number;
  init(): Promise<void>;
  update(): Promise<D | null>;
  snapshot(): S;
  /** release listeners */
  dispose(): void;
}

/** Whole-value producers: small states sent in full whenever they change (JSON-equal check). */
export class WholeValueProducer<S, D = S> implements TopicProducer<S, D> {
  private current!: S;
  private currentJson = '';

  constructor(
    readonly kind: TopicKind,
    private readonly compute: () => Promise<S>,
    private readonly toDelta: (s: S) => D,
    readonly everyTicks = 1,
    /** fields to leave out of the change check (e.g. a timestamp) */
    private readonly fingerprint: (s: S) => unknown = (s) => s,
  ) {}

  async init(): Promise<void> {
    this.current = await this.compute();
    this.currentJson = JSON.stringify(this.fingerprint(this.current));
  }

  async update(): Promise<D | null> {
    const next = await this.compute();
    const json = JSON.stringify(this.fingerprint(next));
    if (json === this.currentJson) return null;
    this.current = next;
    this.currentJson = json;
    return this.toDelta(next);
  }

  snapshot(): S {
    return this.current;
  }

  dispose(): void {}
}
