/**
 * The stream of a replay: what the recorded host's stream said, sent again
 * at the recording's own pace (or ×4, ×16, ×64), paused, or from any moment.
 * Clients speak the same protocol as live: a subscribe gets the topic's last
 * recorded snapshot at or before the position and the recorded deltas after
 * it up to the position (the recording is gapless: its seqs follow), then the
 * topic's recorded messages as the position moves. A seek sends every
 * client every topic again that way. The recorded seq numbers are kept, so a
 * client's rule (a delta applies when it follows the last seq) holds as live.
 *
 * Only the members (keyframe spans) a catch-up or the position needs are inflated, the last few kept parsed.
 */
import {
  DEVICE_SNAPSHOT_EVERY_MS,
  type RecordingLine,
  type ReplaySpeed,
  type ReplayStateView,
  type ServerMessage,
} from '@vfioscope/protocol';
import type { Principal } from '../auth/tokens.ts';
import { StreamClient, type StreamSocket } from '../stream/client.ts';
import { helloMessage, type StreamService } from '../stream/stream-service.ts';
import type { RecordingIndex } from './recording-index.ts';

type MessageLine = { t: number; m: ServerMessage & { topic: string; seq: number } };

/**
 * Members kept parsed: a catch-up reads from a device page's last snapshot (at most DEVICE_SNAPSHOT_EVERY_MS
 * back) to the position, for every topic of every client — that span's members and two more.
 */
function membersKeptParsed(keyframeEveryMs: number): number {
  return Math.min(256, Math.ceil(DEVICE_SNAPSHOT_EVERY_MS / keyframeEveryMs) + 2);
}

const isTopicLine = (l: RecordingLine): l is MessageLine => 'm' in l && (l.m.type === 'snapshot' || l.m.type === 'delta');

export class ReplayHub implements StreamService {
  private readonly clients = new Set<StreamClient>();
  private nextClientId = 1;
  private position: number;
  private playing = true;
  private speed: ReplaySpeed = 1;
  /** parsed members by index, least recently used first */
  private readonly parsed = new Map<number, MessageLine[]>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastStep = 0;

  constructor(
    private rec: RecordingIndex,
    private readonly opts: { stepMs: number; heartbeatMs: number; bufferCapBytes: number; now?: () => number },
  ) {
    this.position = rec.startT;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  start(): void {
    if (this.timer) return;
    this.lastStep = this.now();
    this.timer = setInterval(() => this.step(), this.opts.stepMs);
    this.timer.unref();
    // as live: a client counts the stream alive by hearing from it
    this.heartbeat = setInterval(() => {
      const text = JSON.stringify({ type: 'heartbeat', ts: this.now() });
      for (const c of this.clients) if (!c.backedUp) c.send(text);
    }, this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = this.heartbeat = null;
    for (const c of [...this.clients]) {
      c.socket.close(1001, 'server shutting down');
      this.disconnect(c);
    }
  }

  state(): ReplayStateView {
    return { startT: this.rec.startT, endT: this.rec.endT, position: this.position, playing: this.playing, speed: this.speed };
  }

  connect(socket: StreamSocket, principal: Principal): StreamClient {
    const client = new StreamClient(this.nextClientId++, socket, principal, this.opts.bufferCapBytes);
    this.clients.add(client);
    socket.on('close', () => this.disconnect(client));
    const { backend } = this.rec.header.host;
    this.sendTo(client, helloMessage(principal, { backend, tickHz: this.rec.header.tickHz, heartbeatMs: this.opts.heartbeatMs }));
    return client;
  }

  disconnect(client: StreamClient): void {
    this.clients.delete(client);
    client.topics.clear();
  }

  async subscribe(client: StreamClient, topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      client.topics.set(topic, false);
      this.catchUp(client, topic);
    }
  }

  unsubscribe(client: StreamClient, topics: readonly string[]): void {
    const done = topics.filter((t) => client.topics.delete(t));
    this.sendTo(client, { type: 'unsubscribed', topics: done });
  }

  sendTo(client: StreamClient, msg: ServerMessage): void {
    if (!client.backedUp) client.send(JSON.stringify(msg));
  }

  /** Play, pause, change speed; the position stays where it is. */
  control(c: { playing?: boolean; speed?: ReplaySpeed }): ReplayStateView {
    this.step(); // the time played so far counts at the old speed
    if (c.speed !== undefined) this.speed = c.speed;
    if (c.playing !== undefined) this.playing = c.playing;
    if (this.playing && this.position >= this.rec.endT) this.position = this.rec.startT; // play at the end starts over
    return this.state();
  }

  /** Jump to a moment of the recording (clamped to it); every client's topics start again from there. */
  seek(t: number): ReplayStateView {
    this.position = Math.min(Math.max(t, this.rec.startT), this.rec.endT);
    this.lastStep = this.now();
    for (const c of this.clients) for (const topic of c.topics.keys()) this.catchUp(c, topic);
    return this.state();
  }

  /** Replays another recording from its start (the timeline bar's Open…): every client's topics start again there. */
  open(rec: RecordingIndex): ReplayStateView {
    this.rec = rec;
    this.parsed.clear();
    this.playing = true;
    return this.seek(rec.startT);
  }

  /** Moves the position by the real time since the last step × speed, sending what was recorded in between. */
  step(): void {
    const now = this.now();
    const real = now - this.lastStep;
    this.lastStep = now;
    if (!this.playing) return;
    const from = this.position;
    const to = Math.min(this.rec.endT, from + real * this.speed);
    this.forward(from, to);
    this.position = to;
    if (to >= this.rec.endT) this.playing = false;
    // a client that drained gets its stale topics again from their last snapshot
    for (const c of this.clients) for (const [topic, stale] of c.topics) if (stale && c.drained) this.catchUp(c, topic);
  }

  /** Each client's topics' messages with from < t ≤ to, member by member. */
  private forward(from: number, to: number): void {
    if (to <= from) return;
    let i = this.memberAt(from);
    for (; i < this.rec.members.length && this.rec.members[i]!.firstT <= to; i++) {
      for (const line of this.member(i)) {
        if (line.t <= from || line.t > to) continue;
        for (const c of this.clients) {
          const stale = c.topics.get(line.m.topic);
          if (stale === undefined) continue;
          if (stale || c.backedUp) {
            c.topics.set(line.m.topic, true);
            continue;
          }
          c.send(JSON.stringify(line.m));
        }
      }
    }
  }

  /**
   * The topic at the position: its last snapshot at or before it, and its deltas since, up to it. The
   * snapshot may be some members back (a device page's is recorded once per DEVICE_SNAPSHOT_EVERY_MS, recorder.ts).
   */
  private catchUp(client: StreamClient, topic: string): void {
    client.topics.set(topic, false);
    const at = this.memberAt(this.position);
    for (let i = at; i >= 0; i--) {
      if (!this.rec.members[i]!.snapshots.has(topic)) continue;
      const mine = this.member(i).filter((l) => l.m.topic === topic && l.t <= this.position);
      const snap = mine.findLastIndex((l) => l.m.type === 'snapshot');
      if (snap < 0) continue; // its snapshot in this member is after the position
      for (const l of mine.slice(snap)) this.sendTo(client, l.m);
      for (let j = i + 1; j <= at; j++)
        for (const l of this.member(j)) if (l.m.topic === topic && l.t <= this.position) this.sendTo(client, l.m);
      return;
    }
    this.sendTo(client, {
      type: 'error',
      topic,
      error: { errno: 'ENODATA', message: `${topic} is not in this recording at this moment`, field: 'topics' },
    });
  }

  private memberAt(t: number): number {
    let i = 0;
    while (i + 1 < this.rec.members.length && this.rec.members[i + 1]!.firstT <= t) i++;
    return i;
  }

  /** Member i's topic lines, inflated and parsed once while it is among the last few used. */
  private member(i: number): MessageLine[] {
    let lines = this.parsed.get(i);
    if (lines) this.parsed.delete(i);
    else lines = this.rec.memberLines(i).filter(isTopicLine);
    this.parsed.set(i, lines); // most recently used last
    if (this.parsed.size > membersKeptParsed(this.rec.header.keyframeEveryMs)) this.parsed.delete(this.parsed.keys().next().value!);
    return lines;
  }
}
