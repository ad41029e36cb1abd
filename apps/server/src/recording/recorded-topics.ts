/**
 * Which topics a recording follows: every host-wide topic the UI shows, plus
 * those it finds as it goes — the mappings of each container vfioscope holds
 * (from the pinned topic's container rows) and the details of each device
 * whose interrupts fire (from irq-rates), so a replay can open the DMA view
 * of a held container and the page of a device with activity.
 */
import {
  deviceTopic,
  forEachSteppedPair,
  HOST_WIDE_TOPICS,
  type HostWideTopic,
  mappingsTopic,
  type ServerMessage,
} from '@vfioscope/protocol';

// the list is the protocol's (the Record route's body names them too)
export { HOST_WIDE_TOPICS, type HostWideTopic };

/** the only kinds discover() reads: a recorder parses these messages and passes the rest through as text */
export const DISCOVERY_KINDS = ['pinned', 'irq-rates'] as const;

/** device pages followed at most (each costs the server a producer every tick) */
export const MAX_RECORDED_DEVICES = 64;

export class RecordedTopics {
  readonly followed = new Set<string>();
  /** the irq-rates rows' devices, in the rows' (the deltas' index) order */
  private bdfs: string[] = [];
  private devices = 0;
  /** the devices (as the rows spell them) seen firing: followed, or past MAX_RECORDED_DEVICES */
  private readonly fired = new Set<string>();

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
      // which rows fired, by index — only the devices' names are kept, not the rows (a recorder must stay cheap)
      if (msg.type === 'snapshot') {
        this.bdfs = msg.data.rates.map((r) => r.bdf);
        return found;
      }
      const d = msg.data;
      if (d.remove?.length) {
        const gone = new Set(d.remove);
        this.bdfs = this.bdfs.filter((_, i) => !gone.has(i));
      }
      for (const r of d.add ?? []) this.bdfs.push(r.bdf);
      if (this.devices >= MAX_RECORDED_DEVICES) return found;
      // a device is looked at once: every tick hundreds of vectors fire, nearly all of devices already followed
      const fired = (bdf: string) => {
        if (this.fired.has(bdf)) return;
        this.fired.add(bdf);
        if (this.devices < MAX_RECORDED_DEVICES && !this.followed.has(deviceTopic(bdf))) {
          this.devices++;
          add(deviceTopic(bdf));
        }
      };
      forEachSteppedPair(d.n, this.bdfs.length, (i, increment) => {
        if (increment > 0) fired(this.bdfs[i]!);
      });
      // a whole row carries its own rate (increment / dt), and its increment is never in `n`: a vector added as
      // it fired (the sim's edu), and one whose other fields changed in the tick it fired (the 6.1 bed's edu
      // INTx got its IRQ number and affinity with its first count: only in `rows`)
      for (const r of d.add ?? []) if (r.rate > 0) fired(r.bdf);
      for (const [, r] of d.rows ?? []) if (r.rate > 0) fired(r.bdf);
    }
    return found;
  }
}
