/**
 * events — the event log live: a snapshot of the latest entries, then every
 * new entry (actions, errors, alerts) in seq order. Events are not droppable
 * telemetry: a client that fell behind gets them back in its next snapshot.
 */
import type { EventsDelta, EventsSnapshot, LogEvent } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import type { TopicProducer } from './producer.ts';
import { eventView } from '../../views/event-view.ts';

export class EventsProducer implements TopicProducer<EventsSnapshot, EventsDelta> {
  readonly kind = 'events' as const;
  readonly everyTicks = 1;
  private recent: LogEvent[] = [];
  private pending: LogEvent[] = [];
  private off: (() => void) | null = null;

  constructor(private readonly ctx: ServerContext) {}

  async init(): Promise<void> {
    const all: LogEvent[] = this.ctx.eventLog.query({ limit: this.ctx.stream.eventsSnapshotSize }).map(eventView);
    this.recent = all.slice(-this.ctx.stream.eventsSnapshotSize);
    const lastSeq = this.recent.at(-1)?.seq ?? -1;
    this.off = this.ctx.eventLog.on((e) => {
      if (e.seq > lastSeq) this.pending.push(e);
    });
  }

  async update(): Promise<EventsDelta | null> {
    if (this.pending.length === 0) return null;
    const events = this.pending;
    this.pending = [];
    this.recent = [...this.recent, ...events].slice(-this.ctx.stream.eventsSnapshotSize);
    return { events };
  }

  snapshot(): EventsSnapshot {
    return { events: this.recent };
  }

  dispose(): void {
    this.off?.();
  }
}
