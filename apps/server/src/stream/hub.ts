/**
 * The stream hub: topic subscriptions (reference-counted — a topic's producer
 * exists while someone subscribes and is disposed after the last one leaves),
 * a snapshot on subscribe, then one delta per topic per tick with a per-topic
 * sequence number, encoded once and sent to every subscriber.
 *
 * Backpressure: before each send the hub looks at the client's socket
 * bufferedAmount. Over the cap, the client's deltas are skipped and its
 * topics marked stale; once its buffer has drained below half the cap, it
 * gets a fresh snapshot of each stale topic. Memory per client is thus
 * bounded by the cap plus one message, however slow the client reads.
 */
import { hostTopic, parseTopic, type ServerMessage, type TopicKind } from '@vfioscope/protocol';
import type { Principal } from '../auth/tokens.ts';
import type { ServerContext } from '../context.ts';
import { ApiProblem } from '../errors.ts';
import { StreamClient, type StreamSocket } from './client.ts';
import { helloMessage, type StreamService } from './stream-service.ts';
import { DeviceProducer } from './producers/device-producer.ts';
import { EventsProducer } from './producers/events-producer.ts';
import type { TopicProducer } from './producers/producer.ts';
import { hostProducer, pinnedProducer, topologyProducer } from './producers/state-producers.ts';
import { MappingsProducer } from './producers/mappings-producer.ts';
import { AlertsProducer, IrqRatesProducer } from './producers/table-producers.ts';
import { knownDevice } from '../validation.ts';

/** each device or mappings topic costs work every tick: a connection may hold this many */
export const MAX_TOPICS_PER_CLIENT = 256;

/** Topics of other hosts ("hosts/<name>/…", a hub's peers): served by the fleet's relay, not by producers here. */
export interface RemoteTopics {
  /** add a subscriber (a fresh snapshot follows); a problem when the topic cannot be had */
  subscribe(client: StreamClient, topic: string): ApiProblem | null;
  release(client: StreamClient, topic: string): void;
}

/** A topic's one spelling: a BDF in lowercase, on this host or a peer. */
function canonicalTopic(raw: string): string {
  const remote = hostTopic(raw);
  if (remote) return `hosts/${remote.host}/${remote.topic}`;
  const parsed = parseTopic(raw);
  return parsed?.kind === 'device' ? `device:${parsed.bdf}` : raw;
}

interface TopicState {
  topic: string;
  kind: TopicKind;
  producer: TopicProducer;
  seq: number;
  subscribers: Set<StreamClient>;
  ticks: number;
  dirty: boolean;
  /** the snapshot message at the current seq, encoded on first need */
  snapshotText: string | null;
}

export interface HubStats {
  clients: number;
  topics: number;
  ticks: number;
  lastTickMs: number;
  skippedDeltas: number;
  healingSnapshots: number;
}

export class StreamHub implements StreamService {
  private readonly clients = new Set<StreamClient>();
  private readonly topics = new Map<string, TopicState>();
  private nextClientId = 1;
  private running: Promise<void> | null = null;
  private readonly failing = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly stats: HubStats = { clients: 0, topics: 0, ticks: 0, lastTickMs: 0, skippedDeltas: 0, healingSnapshots: 0 };
  /** the fleet's relay of peer topics (set when the app is built) */
  remote: RemoteTopics | null = null;

  constructor(private readonly ctx: ServerContext) {}

  start(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.sendHeartbeats(), this.ctx.stream.heartbeatMs);
    this.heartbeat.unref();
  }

  connect(socket: StreamSocket, principal: Principal): StreamClient {
    const client = new StreamClient(this.nextClientId++, socket, principal, this.ctx.stream.bufferCapBytes);
    this.clients.add(client);
    socket.on('close', () => this.disconnect(client));
    this.sendTo(
      client,
      helloMessage(principal, { backend: this.ctx.host.backend, tickHz: this.ctx.tickHz, heartbeatMs: this.ctx.stream.heartbeatMs }),
    );
    return client;
  }

  disconnect(client: StreamClient): void {
    if (!this.clients.delete(client)) return;
    for (const topic of client.topics.keys()) this.release(topic, client);
    client.topics.clear();
  }

  async subscribe(client: StreamClient, topics: readonly string[]): Promise<void> {
    for (const raw of topics) {
      if (this.remote && hostTopic(raw)) {
        this.subscribeRemote(client, raw, this.remote);
        continue;
      }
      const parsed = parseTopic(raw);
      if (!parsed) {
        this.sendTo(client, {
          type: 'error',
          topic: raw,
          error: { errno: 'EVALIDATION', message: `unknown topic "${raw}"`, field: 'topics' },
        });
        continue;
      }
      const topic = parsed.kind === 'device' ? `device:${parsed.bdf}` : raw;
      if (!client.topics.has(topic) && client.topics.size >= MAX_TOPICS_PER_CLIENT) {
        this.sendTo(client, {
          type: 'error',
          topic: raw,
          error: { errno: 'E2BIG', message: `at most ${MAX_TOPICS_PER_CLIENT} topics per connection`, field: 'topics' },
        });
        continue;
      }
      if (client.topics.has(topic)) {
        this.sendSnapshot(client, this.topics.get(topic)!); // a re-subscribe asks for a fresh snapshot
        continue;
      }
      let state: TopicState;
      try {
        state = await this.acquire(topic);
      } catch (err) {
        const p = err instanceof ApiProblem ? err : new ApiProblem('EINTERNAL', (err as Error).message);
        this.sendTo(client, { type: 'error', topic: raw, error: { errno: p.errno, message: p.message, field: 'topics' } });
        continue;
      }
      if (!this.clients.has(client)) {
        this.release(topic, client); // it left while the producer was starting
        return;
      }
      state.subscribers.add(client);
      client.topics.set(topic, false);
      this.sendSnapshot(client, state);
    }
  }

  private subscribeRemote(client: StreamClient, raw: string, remote: RemoteTopics): void {
    const topic = canonicalTopic(raw);
    if (!client.topics.has(topic) && client.topics.size >= MAX_TOPICS_PER_CLIENT) {
      this.sendTo(client, {
        type: 'error',
        topic: raw,
        error: { errno: 'E2BIG', message: `at most ${MAX_TOPICS_PER_CLIENT} topics per connection`, field: 'topics' },
      });
      return;
    }
    const problem = remote.subscribe(client, topic);
    if (problem) {
      this.sendTo(client, { type: 'error', topic: raw, error: { errno: problem.errno, message: problem.message, field: 'topics' } });
      return;
    }
    client.topics.set(topic, false); // its staleness is the relay's to track
  }

  unsubscribe(client: StreamClient, topics: readonly string[]): void {
    const done: string[] = [];
    for (const raw of topics) {
      const topic = canonicalTopic(raw);
      if (client.topics.delete(topic)) {
        this.release(topic, client);
        done.push(topic);
      }
    }
    this.sendTo(client, { type: 'unsubscribed', topics: done });
  }

  /** Mark topics whose sources an action just changed, so the next tick recomputes them whatever their period. */
  invalidate(kinds: readonly TopicKind[]): void {
    for (const s of this.topics.values()) if (kinds.includes(s.kind)) s.dirty = true;
  }

  /**
   * One stream step: recompute subscribed topics, send deltas, heal stale
   * clients. A tick that arrives while one runs joins it instead of queueing.
   */
  tick(): Promise<void> {
    this.running ??= this.runTick().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runTick(): Promise<void> {
    const started = performance.now();
    try {
      for (const state of [...this.topics.values()]) {
        state.ticks++;
        if (!state.dirty && state.ticks % state.producer.everyTicks !== 0) continue;
        state.dirty = false;
        let delta: unknown;
        try {
          delta = await state.producer.update();
          this.failing.delete(state.topic);
        } catch (err) {
          this.ctxLogError(state.topic, err);
          continue;
        }
        if (delta === null || !this.topics.has(state.topic)) continue;
        state.seq++;
        state.snapshotText = null;
        const text = JSON.stringify({ type: 'delta', kind: state.kind, topic: state.topic, seq: state.seq, data: delta });
        for (const client of state.subscribers) {
          // stale (waiting for a snapshot) or backed up right now: this delta is skipped
          if (client.topics.get(state.topic) === true || client.backedUp) {
            client.topics.set(state.topic, true);
            client.skippedDeltas++;
            this.stats.skippedDeltas++;
            continue;
          }
          client.send(text);
        }
      }
      this.healStale();
    } finally {
      this.stats.ticks++;
      this.stats.lastTickMs = performance.now() - started;
    }
  }

  private healStale(): void {
    for (const client of this.clients) {
      for (const [topic, stale] of client.topics) {
        if (!stale) continue;
        if (!client.drained) break;
        const state = this.topics.get(topic);
        if (!state) continue;
        client.topics.set(topic, false);
        client.healingSnapshots++;
        this.stats.healingSnapshots++;
        this.sendSnapshot(client, state);
      }
    }
  }

  private async acquire(topic: string): Promise<TopicState> {
    const existing = this.topics.get(topic);
    if (existing) return existing;
    const producer = await this.createProducer(topic);
    const raced = this.topics.get(topic); // another client created it while we awaited
    if (raced) {
      producer.dispose();
      return raced;
    }
    const state: TopicState = {
      topic,
      kind: producer.kind,
      producer,
      seq: 0,
      subscribers: new Set(),
      ticks: 0,
      dirty: false,
      snapshotText: null,
    };
    this.topics.set(topic, state);
    return state;
  }

  private release(topic: string, client: StreamClient): void {
    const state = this.topics.get(topic);
    if (!state) {
      this.remote?.release(client, topic);
      return;
    }
    state.subscribers.delete(client);
    if (state.subscribers.size === 0) {
      this.topics.delete(topic);
      state.producer.dispose();
    }
  }

  private async createProducer(topic: string): Promise<TopicProducer> {
    const parsed = parseTopic(topic)!;
    let p: TopicProducer;
    switch (parsed.kind) {
      case 'topology':
        p = topologyProducer(this.ctx);
        break;
      case 'host':
        p = hostProducer(this.ctx);
        break;
      case 'pinned':
        p = pinnedProducer(this.ctx);
        break;
      case 'irq-rates':
        p = new IrqRatesProducer(this.ctx);
        break;
      case 'alerts':
        p = new AlertsProducer(this.ctx);
        break;
      case 'events':
        p = new EventsProducer(this.ctx);
        break;
      case 'device': {
        const dev = await knownDevice(this.ctx, parsed.bdf);
        p = new DeviceProducer(this.ctx, dev);
        break;
      }
      case 'mappings':
        if (!this.ctx.session.containers().some((c) => c.id === parsed.container)) {
          throw new ApiProblem('ENOTFOUND', `vfioscope holds no container ${parsed.container}`, 'topics');
        }
        p = new MappingsProducer(this.ctx, parsed.container);
        break;
    }
    await p.init();
    return p;
  }

  private sendSnapshot(client: StreamClient, state: TopicState): void {
    if (client.backedUp) {
      client.topics.set(state.topic, true); // it gets one once it has drained
      return;
    }
    state.snapshotText ??= JSON.stringify({
      type: 'snapshot',
      kind: state.kind,
      topic: state.topic,
      seq: state.seq,
      data: state.producer.snapshot(),
    });
    client.send(state.snapshotText);
  }

  /** Control messages (hello, errors, acks) to one client; dropped while it is backed up, so a client that floods requests without reading cannot grow our buffers. */
  sendTo(client: StreamClient, msg: ServerMessage): void {
    if (!client.backedUp) client.send(JSON.stringify(msg));
  }

  private sendHeartbeats(): void {
    const text = JSON.stringify({ type: 'heartbeat', ts: this.ctx.now() });
    for (const c of this.clients) if (!c.backedUp) c.send(text);
  }

  /** Log a failing topic once, not every tick. */
  private ctxLogError(topic: string, err: unknown): void {
    if (this.failing.has(topic)) return;
    this.failing.add(topic);
    this.ctx.eventLog.append({ kind: 'error', message: `stream topic ${topic} failed to update: ${(err as Error).message}` });
  }

  snapshotStats(): HubStats & { perClient: { id: number; maxBuffered: number; skippedDeltas: number; healingSnapshots: number }[] } {
    return {
      ...this.stats,
      clients: this.clients.size,
      topics: this.topics.size,
      perClient: [...this.clients].map((c) => ({
        id: c.id,
        maxBuffered: c.maxBuffered,
        skippedDeltas: c.skippedDeltas,
        healingSnapshots: c.healingSnapshots,
      })),
    };
  }

  /** Close every socket (server shutdown). */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of [...this.clients]) {
      c.socket.close(1001, 'server shutting down');
      this.disconnect(c);
    }
  }
}
