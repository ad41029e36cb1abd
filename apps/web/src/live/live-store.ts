/**
 * Client state outside React. Each stream topic has an entry holding the
 * latest state (snapshot + deltas applied in sequence order); subscriptions
 * are reference-counted and the topic is unsubscribed on the wire when the
 * last component leaves. Messages are applied at once, listeners hear of a
 * change at most once per animation frame. A gap in sequence numbers asks the
 * server for a fresh snapshot instead of applying a delta to stale state.
 */
import {
  type DeltaData,
  type DeltaMessage,
  type HelloMessage,
  isDeltaOf,
  isSnapshotOf,
  type SnapshotData,
  type SnapshotMessage,
  type StreamKind,
  type Topic,
} from '@vfioscope/protocol';
import { frameScheduler } from './frame-scheduler.ts';
import { StreamClient, type ConnectionStatus, type StreamClientOptions } from './stream-client.ts';
import type { WireCodec } from './wire-codec.ts';

/** The socket side the store needs (StreamClient; a fake in tests). */
export type StreamTransport = Pick<StreamClient, 'start' | 'stop' | 'restart' | 'send'>;

/** How one kind of topic's snapshot and delta payloads become client state, typed by the kind. */
export interface TopicReducer<K extends StreamKind, S> {
  readonly kind: K;
  snapshot(data: SnapshotData<K>, prev: S | undefined): S;
  delta(state: S, data: DeltaData<K>): S;
  /** the state waits for a fresh snapshot (a delta did not fit it); the store asks for one */
  stale?(state: S): boolean;
}

export interface TopicState<S> {
  state: S | undefined;
  seq: number;
  /** time the last snapshot or delta arrived */
  updatedAt: number;
  /** the server's answer to our subscribe, when it refused (e.g. unknown device) */
  error: string | null;
}

const EMPTY: TopicState<never> = { state: undefined, seq: -1, updatedAt: 0, error: null };

/**
 * A reducer with the state it built, per store and topic. The state lives
 * here, typed by the reducer, so reading a topic needs no cast: a store
 * only hands messages to the models subscribed to the topic, and a model
 * takes only messages of its own kind.
 */
export class TopicModel<K extends StreamKind, S> {
  private readonly states = new WeakMap<LiveStore, Map<string, TopicState<S>>>();

  constructor(readonly reducer: TopicReducer<K, S>) {}

  read(store: LiveStore, topic: string): TopicState<S> {
    return this.states.get(store)?.get(topic) ?? EMPTY;
  }

  /** a snapshot replaces the state; false when the message is not of this model's kind */
  snapshot(store: LiveStore, msg: SnapshotMessage, now: number): boolean {
    if (!isSnapshotOf(msg, this.reducer.kind)) return false;
    const prev = this.read(store, msg.topic).state;
    this.set(store, msg.topic, { state: this.reducer.snapshot(msg.data, prev), seq: msg.seq, updatedAt: now, error: null });
    return true;
  }

  /** a delta applies to the state it follows; false when there is none yet or it is of another kind */
  delta(store: LiveStore, msg: DeltaMessage, now: number): boolean {
    const prev = this.read(store, msg.topic).state;
    if (prev === undefined || !isDeltaOf(msg, this.reducer.kind)) return false;
    this.set(store, msg.topic, { state: this.reducer.delta(prev, msg.data), seq: msg.seq, updatedAt: now, error: null });
    return true;
  }

  /** the state needs a fresh snapshot before deltas can apply again */
  stale(store: LiveStore, topic: string): boolean {
    const state = this.read(store, topic).state;
    return state !== undefined && (this.reducer.stale?.(state) ?? false);
  }

  fail(store: LiveStore, topic: string, error: string): void {
    this.set(store, topic, { ...this.read(store, topic), error });
  }

  forget(store: LiveStore, topic: string): void {
    this.states.get(store)?.delete(topic);
  }

  private set(store: LiveStore, topic: string, view: TopicState<S>): void {
    let byTopic = this.states.get(store);
    if (!byTopic) {
      byTopic = new Map();
      this.states.set(store, byTopic);
    }
    byTopic.set(topic, view);
  }
}

/** What the store needs of a model, whatever its kind and state: it offers every message, a model takes those of its kind. */
interface AnyModel {
  snapshot(store: LiveStore, msg: SnapshotMessage, now: number): boolean;
  delta(store: LiveStore, msg: DeltaMessage, now: number): boolean;
  stale(store: LiveStore, topic: string): boolean;
  fail(store: LiveStore, topic: string, error: string): void;
  forget(store: LiveStore, topic: string): void;
}

interface Entry {
  topic: Topic;
  /** the models subscribed to this topic, each with its listeners */
  models: Map<AnyModel, Set<() => void>>;
  refs: number;
  /** the last sequence number applied */
  seq: number;
  /** when deltas stopped fitting the sequence (waiting for a snapshot) */
  gapSince: number | null;
}

const GAP_RESUBSCRIBE_MS = 3000;

export class LiveStore {
  /** by topic name, as the wire spells it */
  private topics = new Map<string, Entry>();
  private statusListeners = new Set<() => void>();
  private helloListeners = new Set<(hello: HelloMessage) => void>();
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
        for (const e of this.topics.values()) this.client.send(this.codec.subscribe(e.topic));
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

  onHello(fn: (hello: HelloMessage) => void): () => void {
    this.helloListeners.add(fn);
    return () => this.helloListeners.delete(fn);
  }

  /** current state of a topic as a model built it (stable identity until the next change) */
  read<K extends StreamKind, S>(topic: Topic, model: TopicModel<K, S>): TopicState<S> {
    return model.read(this, topic);
  }

  /** reference-counted: the first subscriber subscribes on the wire, the last unsubscribes */
  subscribe<K extends StreamKind, S>(topic: Topic, model: TopicModel<K, S>, listener: () => void): () => void {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { topic, models: new Map(), refs: 0, seq: -1, gapSince: null };
      this.topics.set(topic, entry);
      this.client.send(this.codec.subscribe(topic));
    }
    let listeners = entry.models.get(model);
    if (!listeners) {
      listeners = new Set();
      entry.models.set(model, listeners);
      // a second kind of state for a topic already flowing starts from a fresh snapshot
      if (entry.seq >= 0) this.client.send(this.codec.subscribe(topic));
    }
    entry.refs++;
    listeners.add(listener);
    const e = entry;
    return () => {
      listeners.delete(listener);
      if (--e.refs > 0) return;
      // Deferred so a component that re-mounts in the same frame keeps the topic.
      window.setTimeout(() => {
        if (e.refs > 0 || this.topics.get(topic) !== e) return;
        this.topics.delete(topic);
        for (const m of e.models.keys()) m.forget(this, topic);
        this.client.send(this.codec.unsubscribe(topic));
      }, 1000);
    };
  }

  private onMessage(raw: unknown): void {
    const msg = this.codec.decode(raw);
    if (!msg) return;
    if (msg.kind === 'hello') {
      for (const fn of this.helloListeners) fn(msg.hello);
      return;
    }
    if (msg.kind === 'error') {
      const entry = msg.topic === null ? undefined : this.topics.get(msg.topic);
      if (entry) {
        for (const m of entry.models.keys()) m.fail(this, entry.topic, msg.message);
        this.changed(entry);
      }
      return;
    }
    this.lastDataAt = Date.now();
    const entry = this.topics.get(msg.message.topic);
    if (!entry) return;
    const now = Date.now();
    if (msg.kind === 'snapshot') {
      entry.gapSince = null;
      entry.seq = msg.message.seq;
      for (const m of entry.models.keys()) m.snapshot(this, msg.message, now);
    } else {
      const d = msg.message;
      if (d.seq <= entry.seq) return; // a duplicate or an old delta
      if (entry.seq < 0 || d.seq !== entry.seq + 1) {
        // Lost deltas: the server sends a fresh snapshot when a client fell
        // behind; if none came within a few seconds, ask for one.
        entry.gapSince ??= now;
        if (now - entry.gapSince > GAP_RESUBSCRIBE_MS) {
          entry.gapSince = now;
          this.client.send(this.codec.subscribe(entry.topic));
        }
        return;
      }
      entry.gapSince = null;
      entry.seq = d.seq;
      for (const m of entry.models.keys()) m.delta(this, d, now);
      if ([...entry.models.keys()].some((m) => m.stale(this, entry.topic))) {
        // the delta did not fit the state: deltas wait (as after a gap) for the snapshot asked for now
        entry.seq = -1;
        entry.gapSince = now;
        this.client.send(this.codec.subscribe(entry.topic));
      }
    }
    this.changed(entry);
  }

  private changed(entry: Entry): void {
    for (const listeners of entry.models.values()) for (const fn of listeners) frameScheduler.schedule(fn);
  }

  private notifyStatus = () => {
    for (const fn of this.statusListeners) fn();
  };
}
