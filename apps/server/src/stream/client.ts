/**
 * One stream connection: its socket, who it is, and per subscribed topic
 * whether it is current or stale (deltas skipped while its socket was backed
 * up; it needs a fresh snapshot). The socket's bufferedAmount is the measure
 * of "backed up": bytes handed to ws that the kernel has not taken yet.
 */
import type { Principal } from '../auth/tokens.ts';

/** What the hub needs of a connection: a ws WebSocket, or an in-process listener (a recording's tap). */
export interface StreamSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  readonly OPEN: number;
  send(text: string): void;
  close(code: number, reason: string): void;
  on(event: 'close', listener: () => void): unknown;
}

export class StreamClient {
  /** topic → stale */
  readonly topics = new Map<string, boolean>();
  /** diagnostics: deltas not sent because the socket was backed up, snapshots sent to heal */
  skippedDeltas = 0;
  healingSnapshots = 0;
  /** high-water mark of bufferedAmount seen when deciding to send */
  maxBuffered = 0;

  constructor(
    readonly id: number,
    readonly socket: StreamSocket,
    readonly principal: Principal,
    private readonly capBytes: number,
  ) {}

  get buffered(): number {
    const b = this.socket.bufferedAmount;
    if (b > this.maxBuffered) this.maxBuffered = b;
    return b;
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** over the cap: skip deltas */
  get backedUp(): boolean {
    return this.buffered > this.capBytes;
  }

  /** drained below half the cap: safe to send snapshots again */
  get drained(): boolean {
    return this.buffered <= this.capBytes / 2;
  }

  send(text: string): void {
    if (this.open) this.socket.send(text);
  }
}
