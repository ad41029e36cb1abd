/**
 * A peer's fleet figures, kept from four of its stream topics (host,
 * topology, pinned, alerts) the link holds for as long as the hub runs. The
 * topics are applied as any client applies them — a snapshot replaces, a
 * delta applies only on the next sequence number, and a gap waits for the
 * snapshot the peer sends to heal it. What was last known stays when the
 * peer goes down.
 */
import type { Alert, HostFigures, HostSnapshot, PinnedSnapshot, TopologyResponse } from '@vfioscope/protocol';
import { hostFigures } from './figures.ts';
import type { PeerLink, TopicMessage } from './peer-link.ts';

export const FIGURE_TOPICS = ['host', 'topology', 'pinned', 'alerts'] as const;

/** cleared alerts kept past this many are forgotten, oldest first (active ones always stay) */
const MAX_ALERTS = 500;

export class PeerFigures {
  private host: HostSnapshot | null = null;
  private topology: TopologyResponse | null = null;
  private pinned: PinnedSnapshot | null = null;
  private alerts: Map<string, Alert> | null = null;
  private readonly seq = new Map<string, number>();

  constructor(link: PeerLink) {
    link.onTopic((m) => this.apply(m));
    for (const t of FIGURE_TOPICS) link.want(t);
  }

  apply(m: TopicMessage): void {
    if (m.type === 'error' || !(FIGURE_TOPICS as readonly string[]).includes(m.topic)) return;
    if (m.type === 'delta' && this.seq.get(m.topic) !== m.seq - 1) return; // a gap: the peer heals it with a snapshot
    this.seq.set(m.topic, m.seq);
    switch (m.kind) {
      case 'host':
        if (m.type === 'snapshot') this.host = m.data;
        else if (this.host) this.host = { ...this.host, live: m.data.live };
        break;
      case 'topology':
        this.topology = m.data;
        break;
      case 'pinned':
        this.pinned = m.data;
        break;
      case 'alerts':
        if (m.type === 'snapshot') this.alerts = new Map(m.data.alerts.map((a) => [a.id, a]));
        else if (this.alerts) {
          for (const a of m.data.upsert) this.alerts.set(a.id, a);
          this.trimAlerts(this.alerts);
        }
        break;
      default:
        break;
    }
  }

  /** null until each of the four topics has arrived once */
  figures(): HostFigures | null {
    const { host, topology, pinned, alerts } = this;
    if (!host || !topology || !pinned || !alerts) return null;
    return hostFigures({
      t: host.live.t,
      info: host.info,
      vectorsInUse: host.live.vectorsInUse,
      iommuFaults: host.live.iommuFaults,
      topology,
      pinned: pinned.stats,
      dmaEntries: pinned.dmaEntries,
      alerts: [...alerts.values()],
    });
  }

  private trimAlerts(alerts: Map<string, Alert>): void {
    if (alerts.size <= MAX_ALERTS) return;
    for (const [id, a] of alerts) {
      if (alerts.size <= MAX_ALERTS) break;
      if (a.clearedAt !== null) alerts.delete(id);
    }
  }
}
