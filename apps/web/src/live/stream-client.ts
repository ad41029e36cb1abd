/**
 * The WebSocket to /api/v1/stream. Owns the socket and nothing else: it
 * reconnects with capped exponential backoff and jitter, re-sends the current
 * subscriptions after every reconnect (the server answers each with a fresh
 * snapshot), and hands every decoded message to one handler.
 */
import type { ClientMessage } from '@vfioscope/protocol';
import { authToken } from '../api/auth.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** reconnect attempts since the last successful open */
  attempt: number;
  /** when the next attempt is due (ms epoch), when closed */
  retryAt: number | null;
  /** why the last connection ended, e.g. "401 unauthorised" */
  reason: string | null;
}

export interface StreamClientOptions {
  url?: string;
  /** a frame as JSON.parse gave it: the store checks it against the protocol before use */
  onMessage: (msg: unknown) => void;
  /** called after every (re)open: send the subscriptions again */
  onOpen: () => void;
  onStatus: (s: ConnectionStatus) => void;
}

const BACKOFF_MIN_MS = 500;
/*
 * Capped low: a restarted server should find its pages back within seconds
 * (each attempt is one WebSocket handshake, and the jitter spreads many pages).
 */
const BACKOFF_MAX_MS = 6_000;

export function streamUrl(): string {
  const u = new URL('api/v1/stream', window.location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = authToken();
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

export class StreamClient {
  private ws: WebSocket | null = null;
  private timer: number | null = null;
  private status: ConnectionStatus = { state: 'closed', attempt: 0, retryAt: null, reason: null };
  private stopped = false;

  constructor(private readonly opts: StreamClientOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.ws?.close(1000, 'client stop');
    this.ws = null;
  }

  /** drops the socket and reconnects now (e.g. after the token changed) */
  restart(): void {
    this.ws?.close(1000, 'restart');
    this.ws = null;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.status = { ...this.status, attempt: 0 };
    this.connect();
  }

  send(msg: ClientMessage): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  private setStatus(s: Partial<ConnectionStatus>): void {
    this.status = { ...this.status, ...s };
    this.opts.onStatus(this.status);
  }

  private connect(): void {
    this.timer = null;
    this.setStatus({ state: 'connecting', retryAt: null });
    const ws = new WebSocket(this.opts.url ?? streamUrl());
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.setStatus({ state: 'open', attempt: 0, reason: null });
      this.opts.onOpen();
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return; // a malformed frame is dropped; the next snapshot heals state
      }
      this.opts.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      const attempt = this.status.attempt + 1;
      const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
      const delay = base / 2 + Math.random() * (base / 2);
      this.setStatus({
        state: 'closed',
        attempt,
        retryAt: Date.now() + delay,
        reason: ev.reason || (ev.code === 1000 ? null : `closed (${ev.code})`),
      });
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
  }
}
