/**
 * Client state outside React. Each stream topic has an entry holding the
 * latest state (snapshot + deltas applied in sequence order); subscriptions
 * are reference-counted and the topic is unsubscribed on the wire when the
 * last component leaves. Messages are applied at once, listeners hear of a
 * change at most once per animation frame. A gap in sequence numbers asks the
 * server for a fresh snapshot instead of applying a delta to stale state.
 */
import { frameScheduler } from './frame-scheduler.ts';
import { StreamClient, type ConnectionStatus, type StreamClientOptions } from './stream-client.ts';

/** The socket side the store needs (StreamClient; a fake in tests). */
export type StreamTransport = Pick<StreamClient, 'start' | 'stop' | 'restart' | 'send'>;

/** How one topic's snapshot and delta payloads become client state. */
export interface TopicReducer<S> {
  snapshot(data: unknown, prev: S | undefined): S;
  delta(state: S, data: unknown): S;
}

export interface TopicState<S> {
  state: S | undefined;
  seq: number;
  /** time the last snapshot or delta arrived */
  updatedAt: number;
  /** the server's answer to our subscribe, when it refused (e.g. unknown device) */
  error: string | null;
}

interface Entry {
  reducer: TopicReducer<unknown>;
  view: TopicState<unknown>;
  listeners: Set<() => void>;
  refs: number;
  /** when deltas stopped fitting the sequence (waiting for a snapshot) */
  gapSince: number | null;
}

const GAP_RESUBSCRIBE_MS = 3000;

/** Wire shape adapter: how topics are subscribed and how messages are read. */
export interface WireCodec {
  subscribe(topic: string): unknown;
  unsubscribe(topic: string): unknown;
  /** classify an inbound message; null for messages the store ignores */
  decode(
    msg: unknown,
  ):
    | { kind: 'snapshot' | 'delta'; topic: string; seq: number; data: unknown }
    | { kind: 'hello'; data: unknown }
    | { kind: 'error'; topic: string | null; message: string }
    | null;
}

export class LiveStore {
  private topics = new Map<string, Entry>();
  private statusListeners = new Set<() => void>();
  private helloListeners = new Set<(data: unknown) => void>();
  private status: ConnectionStatus = { state: 'closed', attempt: 0, retryAt: null, reason: null };
  private client: StreamTransport;
  /** when the last snapshot or delta arrived: "as of" while the stream is down */
  private lastDataAt: number | null = null;

  constructor(
    private readonly codec: WireCodec,
    createClient: (opts: StreamClientOptions) => StreamTransport = (opts) => new StreamClient(opts),
  ) {
    this.client = createClient({
      onMessage: (m) => this.onMessage(m),
      onOpen: () => {
        for (const topic of this.topics.keys()) this.client.send(this.codec.subscribe(topic));
      },
      onStatus: (s) => {
        this.status = s;
        frameScheduler.schedule(this.notifyStatus);
      },
    });
  }

  start(): void {
    this.lastDataAt = null;
    this.client.start();
  }

  stop(): void {
    this.client.stop();
  }

  restart(): void {
    this.client.restart();
  }

  connection(): ConnectionStatus {
    return this.status;
  }

  /** when live data last arrived (ms epoch); null before the first since start() */
  dataAt(): number | null {
    return this.lastDataAt;
  }

  onConnection(fn: () => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  onHello(fn: (data: unknown) => void): () => void {
    this.helloListeners.add(fn);
    return () => this.helloListeners.delete(fn);
  }

  /** current state of a topic (stable identity until the next change) */
  read<S>(topic: string): TopicState<S> | undefined {
    return this.topics.get(topic)?.view as TopicState<S> | undefined;
  }

  /** reference-counted: the first subscriber subscribes on the wire, the last unsubscribes */
  subscribe<S>(topic: string, reducer: TopicReducer<S>, listener: () => void): () => void {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = {
        reducer: reducer as TopicReducer<unknown>,
        view: { state: undefined, seq: -1, updatedAt: 0, error: null },
        listeners: new Set(),
        refs: 0,
        gapSince: null,
      };
      this.topics.set(topic, entry);
      this.client.send(this.codec.subscribe(topic));
    }
    entry.refs++;
    entry.listeners.add(listener);
    const e = entry;
    return () => {
      e.listeners.delete(listener);
      if (--e.refs > 0) return;
      // Deferred so a component that re-mounts in the same frame keeps the topic.
      window.setTimeout(() => {
        if (e.refs > 0 || this.topics.get(topic) !== e) return;
        this.topics.delete(topic);
        this.client.send(this.codec.unsubscribe(topic));
      }, 1000);
    };
  }

  private onMessage(raw: unknown): void {
    const msg = this.codec.decode(raw);
    if (!msg) return;
    if (msg.kind === 'hello') {
      for (const fn of this.helloListeners) fn(msg.data);
      return;
    }
    if (msg.kind === 'error') {
      const entry = msg.topic === null ? undefined : this.topics.get(msg.topic);
      if (entry) {
        entry.view = { ...entry.view, error: msg.message };
        this.changed(entry);
      }
      return;
    }
    this.lastDataAt = Date.now();
    const entry = this.topics.get(msg.topic);
    if (!entry) return;
    const view = entry.view;
    if (msg.kind === 'snapshot') {
      entry.gapSince = null;
      entry.view = { state: entry.reducer.snapshot(msg.data, view.state), seq: msg.seq, updatedAt: Date.now(), error: null };
    } else {
      if (msg.seq <= view.seq) return; // a duplicate or an old delta
      if (view.state === undefined || msg.seq !== view.seq + 1) {
        // Lost deltas: the server sends a fresh snapshot when a client fell
        // behind; if none came within a few seconds, ask for one.
        const now = Date.now();
        entry.gapSince ??= now;
        if (now - entry.gapSince > GAP_RESUBSCRIBE_MS) {
          entry.gapSince = now;
          this.client.send(this.codec.subscribe(msg.topic));
        }
        return;
      }
      entry.gapSince = null;
      entry.view = { state: entry.reducer.delta(view.state, msg.data), seq: msg.seq, updatedAt: Date.now(), error: null };
    }
    this.changed(entry);
  }

  private changed(entry: Entry): void {
    for (const fn of entry.listeners) frameScheduler.schedule(fn);
  }

  private notifyStatus = () => {
    for (const fn of this.statusListeners) fn();
  };
}
