/**
 * Peer topics on the hub's own stream: a browser subscribes to
 * `hosts/<name>/<topic>` and gets that peer's snapshot and deltas under that
 * name. The hub holds each upstream topic once, however many browsers want
 * it (PeerLink.want is reference-counted), and forwards each message to
 * every subscriber, encoded once.
 *
 * The hub's backpressure rule holds here too: a browser whose socket is
 * backed up has the deltas skipped (counted per peer) and, once drained, is
 * healed with a fresh snapshot the relay asks the peer for — at most one
 * request per topic per second. A peer that goes down tells its
 * subscribers so (an error on the topic); when it comes back the link
 * subscribes again and the snapshot reaches them all.
 */
import { hostTopic } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import type { StreamClient } from '../stream/client.ts';
import type { RemoteTopics } from '../stream/hub.ts';
import type { PeerLink, TopicMessage } from './peer-link.ts';

interface Relayed {
  link: PeerLink;
  /** the topic's name on the peer */
  upstream: string;
  /** subscriber → waiting for a snapshot (new, healed after a backlog, or its peer was down) */
  subscribers: Map<StreamClient, boolean>;
  lastResnapshot: number;
}

const HEAL_EVERY_MS = 500;
const RESNAPSHOT_AT_MOST_EVERY_MS = 1000;

export class StreamRelay implements RemoteTopics {
  private readonly topics = new Map<string, Relayed>();
  private readonly skipped = new Map<string, number>();
  private healTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly links: ReadonlyMap<string, PeerLink>,
    private readonly selfName: string,
    private readonly clock: () => number = Date.now,
  ) {
    for (const link of links.values()) {
      link.onTopic((m) => this.onUpstream(link, m));
      link.onState((s) => {
        if (s === 'down') this.onDown(link);
      });
    }
  }

  start(): void {
    this.healTimer ??= setInterval(() => this.heal(), HEAL_EVERY_MS);
    this.healTimer.unref();
  }

  close(): void {
    if (this.healTimer) clearInterval(this.healTimer);
    this.healTimer = null;
  }

  /** relayed deltas a backed-up browser did not get, per peer */
  skippedDeltas(peer: string): number {
    return this.skipped.get(peer) ?? 0;
  }

  subscribe(client: StreamClient, topic: string): ApiProblem | null {
    const ht = hostTopic(topic);
    if (!ht) return new ApiProblem('EVALIDATION', `unknown topic "${topic}"`, 'topics');
    if (ht.host === this.selfName)
      return new ApiProblem('EVALIDATION', `"${ht.host}" is this server: subscribe to "${ht.topic}" without the hosts/ prefix`, 'topics');
    const link = this.links.get(ht.host);
    if (!link) return new ApiProblem('ENOTFOUND', `no host "${ht.host}" among this server's peers (serve --peers)`, 'topics');
    let r = this.topics.get(topic);
    if (!r) {
      r = { link, upstream: ht.topic, subscribers: new Map(), lastResnapshot: this.clock() };
      this.topics.set(topic, r);
      r.subscribers.set(client, true);
      link.want(ht.topic); // the peer answers the subscribe with a snapshot
    } else {
      r.subscribers.set(client, true);
      this.requestSnapshot(r, true);
    }
    if (link.state === 'down') client.send(JSON.stringify(downError(topic, link)));
    return null;
  }

  release(client: StreamClient, topic: string): void {
    const r = this.topics.get(topic);
    if (!r?.subscribers.delete(client) || r.subscribers.size > 0) return;
    this.topics.delete(topic);
    r.link.unwant(r.upstream);
  }

  private onUpstream(link: PeerLink, m: TopicMessage): void {
    const topic = `hosts/${link.peer.name}/${m.topic}`;
    const r = this.topics.get(topic);
    if (!r) return;
    if (m.type === 'error') {
      // the peer refused the topic (an unknown device, a container it does not hold): so do we
      const text = JSON.stringify({ ...m, topic });
      for (const [client, waiting] of r.subscribers) {
        if (!waiting) continue;
        client.send(text);
        client.topics.delete(topic);
        this.release(client, topic);
      }
      return;
    }
    const text = JSON.stringify({ ...m, topic });
    for (const [client, waiting] of r.subscribers) {
      if (m.type === 'snapshot') {
        if (!waiting || client.backedUp) continue; // current already, or healed once drained
        client.send(text);
        r.subscribers.set(client, false);
      } else if (!waiting) {
        if (client.backedUp) {
          r.subscribers.set(client, true);
          this.skipped.set(link.peer.name, this.skippedDeltas(link.peer.name) + 1);
        } else client.send(text);
      }
    }
  }

  private onDown(link: PeerLink): void {
    for (const [topic, r] of this.topics) {
      if (r.link !== link) continue;
      const text = JSON.stringify(downError(topic, link));
      for (const client of r.subscribers.keys()) {
        if (!client.backedUp) client.send(text);
        r.subscribers.set(client, true);
      }
    }
  }

  /** Ask for snapshots for subscribers that wait for one and can take it now. */
  private heal(): void {
    for (const r of this.topics.values()) {
      if (r.link.state !== 'up') continue;
      if ([...r.subscribers].some(([c, waiting]) => waiting && c.drained)) this.requestSnapshot(r, false);
    }
  }

  private requestSnapshot(r: Relayed, now: boolean): void {
    const t = this.clock();
    if (!now && t - r.lastResnapshot < RESNAPSHOT_AT_MOST_EVERY_MS) return;
    r.lastResnapshot = t;
    r.link.resnapshot(r.upstream);
  }
}

function downError(topic: string, link: PeerLink) {
  return {
    type: 'error' as const,
    topic,
    error: {
      errno: 'EIO' as const,
      message: `${link.peer.name} is down (${link.reason ?? 'unreachable'}); the topic resumes with a snapshot when it is back`,
    },
  };
}
