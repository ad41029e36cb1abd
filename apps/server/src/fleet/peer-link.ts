/**
 * The hub's one stream connection to a peer: the peer's own WebSocket
 * (/api/v1/stream) with the hub's token, which both feeds the peer's fleet
 * figures and carries the topics browsers subscribe to through the hub.
 *
 * Health is the stream itself: the link pings every second and expects to
 * hear something (a heartbeat answering the ping, or any message) within
 * the deadline (3 s); a link that is silent that long, closed or refused is
 * `down`, and is dialled again with backoff (capped at a couple of seconds)
 * until the peer answers. Every message is validated against the protocol
 * before anything reads it. Upstream topics are reference-counted: the
 * figures keep four always, relayed ones come and go with browsers; each is
 * subscribed again on every reconnect.
 */
import WebSocket from 'ws';
import {
  MAX_TOPICS_PER_MESSAGE,
  parseServerMessage,
  STREAM_PATH,
  type DeltaMessage,
  type ErrorMessage,
  type Role,
  type SnapshotMessage,
} from '@vfioscope/protocol';
import type { PeerConfig } from './peers-file.ts';

export interface LinkTimings {
  /** how often the link pings (default 1 s) */
  pingMs: number;
  /** silence after which the peer is down (default 3 s) */
  deadlineMs: number;
  /** first and longest wait before dialling again */
  backoffMinMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_LINK_TIMINGS: LinkTimings = { pingMs: 1000, deadlineMs: 3000, backoffMinMs: 250, backoffMaxMs: 2000 };

/** A peer's answer about one topic: its snapshot or delta, or the error it refused the topic with. */
export type TopicMessage = SnapshotMessage | DeltaMessage | (ErrorMessage & { topic: string });

/** The largest message accepted from a peer (a whole topology of a big host, with room to spare). */
const MAX_PEER_MESSAGE_BYTES = 64 * 1024 * 1024;

export class PeerLink {
  state: 'up' | 'down' = 'down';
  since: number;
  reason: string | undefined = 'not connected yet';
  /** the hub token's role on the peer, from its hello */
  access: Role | null = null;
  reconnects = 0;
  /** messages from the peer that did not match the protocol (dropped) */
  invalidMessages = 0;

  private ws: WebSocket | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lastHeard = 0;
  private pingId = 0;
  private closed = false;
  private readonly wanted = new Map<string, number>();
  private readonly topicListeners = new Set<(m: TopicMessage) => void>();
  private readonly stateListeners = new Set<(state: 'up' | 'down') => void>();

  constructor(
    readonly peer: PeerConfig,
    private readonly timings: LinkTimings = DEFAULT_LINK_TIMINGS,
    private readonly clock: () => number = Date.now,
  ) {
    this.since = clock();
  }

  start(): void {
    if (this.pingTimer || this.closed) return;
    this.pingTimer = setInterval(() => this.checkHealth(), this.timings.pingMs);
    this.pingTimer.unref();
    this.dial();
  }

  close(): void {
    this.closed = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.pingTimer = this.retryTimer = null;
    this.ws?.terminate();
    this.ws = null;
  }

  onTopic(fn: (m: TopicMessage) => void): () => void {
    this.topicListeners.add(fn);
    return () => this.topicListeners.delete(fn);
  }

  onState(fn: (state: 'up' | 'down') => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Hold an upstream topic (subscribed now if the link is up, and on every reconnect). */
  want(topic: string): void {
    const n = this.wanted.get(topic) ?? 0;
    this.wanted.set(topic, n + 1);
    if (n === 0) this.send({ type: 'subscribe', topics: [topic] });
  }

  /** Let go of an upstream topic; the last holder's release unsubscribes it. */
  unwant(topic: string): void {
    const n = this.wanted.get(topic) ?? 0;
    if (n <= 1) {
      this.wanted.delete(topic);
      if (n === 1) this.send({ type: 'unsubscribe', topics: [topic] });
    } else this.wanted.set(topic, n - 1);
  }

  /** Ask the peer for a fresh snapshot of a held topic (a subscribe it already has answers with one). */
  resnapshot(topic: string): void {
    if (this.wanted.has(topic)) this.send({ type: 'subscribe', topics: [topic] });
  }

  private dial(): void {
    if (this.closed) return;
    const url = new URL(STREAM_PATH, this.peer.url);
    url.protocol = this.peer.url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url.toString(), {
      headers: { authorization: `Bearer ${this.peer.token}` },
      handshakeTimeout: this.timings.deadlineMs,
      maxPayload: MAX_PEER_MESSAGE_BYTES,
      ...(this.peer.ca ? { ca: this.peer.ca } : {}),
    });
    this.ws = ws;
    this.lastHeard = this.clock();
    let why: string | undefined;
    ws.on('unexpected-response', (_req, res) => {
      why = `the peer refused the stream: HTTP ${res.statusCode ?? '?'}${res.statusCode === 401 || res.statusCode === 403 ? ' (check its token file)' : ''}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      why ??= err.code ?? err.message;
    });
    ws.on('message', (raw, isBinary) => {
      if (this.ws !== ws) return;
      this.lastHeard = this.clock();
      const parsed = isBinary ? null : parseServerMessage(String(raw));
      if (!parsed?.ok) {
        this.invalidMessages++;
        return;
      }
      const m = parsed.value;
      if (m.type === 'hello') {
        this.access = m.role;
        this.attempt = 0;
        this.setState('up', undefined);
        this.subscribeAll();
      } else if (m.type === 'snapshot' || m.type === 'delta' || (m.type === 'error' && m.topic !== undefined)) {
        for (const fn of this.topicListeners) fn(m as TopicMessage);
      }
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('down', why ?? (code === 1001 ? 'the peer shut down' : `the stream closed (${code})`));
      this.scheduleDial();
    });
  }

  private scheduleDial(): void {
    if (this.closed || this.retryTimer) return;
    const { backoffMinMs: min, backoffMaxMs: max } = this.timings;
    const delay = Math.min(max, min * 2 ** this.attempt) + Math.random() * min;
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.reconnects++;
      this.dial();
    }, delay);
    this.retryTimer.unref();
  }

  private checkHealth(): void {
    const ws = this.ws;
    if (!ws) return;
    if (this.clock() - this.lastHeard > this.timings.deadlineMs) {
      // close() would wait for the peer's close frame, which a hung peer never sends
      ws.terminate();
      if (this.ws === ws) {
        this.ws = null;
        this.setState('down', `no answer within ${this.timings.deadlineMs} ms`);
        this.scheduleDial();
      }
      return;
    }
    if (ws.readyState === WebSocket.OPEN) this.send({ type: 'ping', id: ++this.pingId });
  }

  private subscribeAll(): void {
    const topics = [...this.wanted.keys()];
    for (let i = 0; i < topics.length; i += MAX_TOPICS_PER_MESSAGE)
      this.send({ type: 'subscribe', topics: topics.slice(i, i + MAX_TOPICS_PER_MESSAGE) });
  }

  private send(msg: object): void {
    if (this.state === 'up' && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private setState(state: 'up' | 'down', reason: string | undefined): void {
    this.reason = reason;
    if (state === this.state) return;
    this.state = state;
    this.since = this.clock();
    for (const fn of this.stateListeners) fn(state);
  }
}
