/**
 * Which topics a recording follows: every host-wide topic the UI shows, plus
 * those it finds as it goes — the mappings of each container vfioscope holds
 * (from the pinned topic's container rows) and the details of each device
 * whose interrupts fire (from irq-rates), so a replay can open the DMA view
 * of a held container and the page of a device with activity.
 */
import {
  applyIrqRatesDelta,
  deviceTopic,
  HOST_WIDE_TOPICS,
  type HostWideTopic,
  mappingsTopic,
  type ServerMessage,
  type VectorRate,
} from '@vfioscope/protocol';

// the list is the protocol's (the Record route's body names them too)
export { HOST_WIDE_TOPICS, type HostWideTopic };

/** device pages followed at most (each costs the server a producer every tick) */
export const MAX_RECORDED_DEVICES = 64;

export class RecordedTopics {
  readonly followed = new Set<string>();
  private rates: VectorRate[] = [];
  private devices = 0;

  constructor(readonly hostWide: readonly HostWideTopic[] = HOST_WIDE_TOPICS) {}

  /** the topics to subscribe at the start */
  initial(): string[] {
    for (const t of this.hostWide) this.followed.add(t);
    return [...this.hostWide];
  }

  /** the topics a message makes worth following that are not yet followed */
  discover(msg: ServerMessage): string[] {
    if (msg.type !== 'snapshot' && msg.type !== 'delta') return [];
    const found: string[] = [];
    const add = (topic: string) => {
      if (this.followed.has(topic)) return;
      this.followed.add(topic);
      found.push(topic);
    };
    if (msg.kind === 'pinned') {
      for (const s of msg.data.stats) if (s.scope === 'container') add(mappingsTopic(s.id));
    } else if (msg.kind === 'irq-rates') {
      const before = new Map(this.rates.map((r) => [r.key, r.count]));
      const next = msg.type === 'snapshot' ? msg.data.rates : applyIrqRatesDelta(this.rates, msg.data);
      if (next === null) return found; // a delta that does not fit: the next keyframe's snapshot resets it
      this.rates = next;
      if (msg.type === 'delta') {
        for (const r of next) {
          const was = before.get(r.key);
          if (was !== undefined && r.count > was && this.devices < MAX_RECORDED_DEVICES && !this.followed.has(deviceTopic(r.bdf))) {
            this.devices++;
            add(deviceTopic(r.bdf));
          }
        }
      }
    }
    return found;
  }
}
