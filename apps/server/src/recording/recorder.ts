/**
 * Records a stream into a recording file: the messages a tap hears (the
 * hub in-process, or a server's WebSocket), each line stamped with the time
 * it was heard, the topics widened as RecordedTopics finds them, a keyframe
 * (fresh snapshots of every followed topic) every keyframeEveryMs. Lines
 * heard within FLUSH_EVERY_MS (a second of ticks) are written and
 * flushed together. A write error (disk full) ends the recording and is
 * reported through onEnd — the server it records goes on.
 */
import type { RecordingEndReason, ServerMessage } from '@vfioscope/protocol';
import { DEVICE_SNAPSHOT_EVERY_MS, deviceTopic, messageLine } from '@vfioscope/protocol';
import { DISCOVERY_KINDS, RecordedTopics } from './recorded-topics.ts';
import type { Redactor } from './redact.ts';
import type { RecordingWriter, WriterFailure } from './recording-writer.ts';

/** Where the messages come from. */
export interface StreamTap {
  /** start hearing messages (each as the stream's JSON text) */
  open(onText: (text: string) => void, onGone: (why: string) => void): void;
  /** subscribe to topics; subscribing again to a followed topic asks for a fresh snapshot (the hub's rule) */
  subscribe(topics: readonly string[]): void;
  close(): void;
}

/**
 * Lines are gathered and written (compressed, flushed) at most this often: a
 * crash loses at most this much, and a flush per tick would cost the server
 * a compressor flush and a write(2) ten times a second (bench/recording.bench.ts).
 */
export const FLUSH_EVERY_MS = 1000;

/** what a recording leaves out: the stream's own chatter */
const SKIPPED = ['{"type":"heartbeat"', '{"type":"hello"', '{"type":"unsubscribed"'];
const DISCOVERY = DISCOVERY_KINDS.map((k) => `"kind":"${k}"`);
const DEVICE_TOPIC_PREFIX = deviceTopic('');

/** The topics keyframe n (from 1) snapshots: every followed one, a device page's every DEVICE_SNAPSHOT_EVERY_MS (Recorder.keyframe). */
export function keyframeTopics(followed: Iterable<string>, n: number, keyframeEveryMs: number): string[] {
  const devicesToo = n % Math.max(1, Math.floor(DEVICE_SNAPSHOT_EVERY_MS / keyframeEveryMs)) === 0;
  return [...followed].filter((topic) => devicesToo || !topic.startsWith(DEVICE_TOPIC_PREFIX));
}

export interface RecorderStatus {
  file: string;
  startedAt: number;
  bytes: number;
  messages: number;
  keyframes: number;
  topics: number;
  /** why it stopped; null while recording */
  ended: RecordingEndReason | null;
  /** the write error that ended it */
  failure: WriterFailure | null;
}

export interface RecorderOptions {
  keyframeEveryMs: number;
  /** false: no timer of its own — the caller makes each keyframe (a test on a manual clock) */
  keyframeTimer?: boolean;
  topics?: RecordedTopics;
  redactor?: Redactor | null;
  now?: () => number;
  /** hears once how the recording ended */
  onEnd?: (status: RecorderStatus) => void;
}

export class Recorder {
  private readonly topics: RecordedTopics;
  private readonly now: () => number;
  private pending = '';
  private flushScheduled = false;
  /** every write goes through this chain, in order */
  private chain: Promise<void> = Promise.resolve();
  private keyframeTimer: NodeJS.Timeout | null = null;
  private messages = 0;
  private readonly startedAt: number;
  private ended: RecordingEndReason | null = null;
  private keyframesAsked = 0;

  constructor(
    private readonly tap: StreamTap,
    private readonly writer: RecordingWriter,
    private readonly opts: RecorderOptions,
  ) {
    this.topics = opts.topics ?? new RecordedTopics();
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
  }

  start(): void {
    this.tap.open(
      (text) => this.hear(text),
      () => void this.stop('server-gone'),
    );
    this.tap.subscribe(this.topics.initial());
    if (this.opts.keyframeTimer === false) return;
    this.keyframeTimer = setInterval(() => this.keyframe(), this.opts.keyframeEveryMs);
    this.keyframeTimer.unref();
  }

  status(): RecorderStatus {
    return {
      file: this.writer.file,
      startedAt: this.startedAt,
      bytes: this.writer.bytes,
      messages: this.messages,
      keyframes: this.writer.keyframeCount,
      topics: this.topics.followed.size,
      ended: this.ended ?? (this.writer.failure ? this.writer.failure.reason : null),
      failure: this.writer.failure,
    };
  }

  /** Stops: what was heard is written, then the end line; resolves once the file is closed. */
  async stop(reason: RecordingEndReason): Promise<RecorderStatus> {
    if (this.ended === null) {
      this.ended = this.writer.failure?.reason ?? reason;
      if (this.keyframeTimer) clearInterval(this.keyframeTimer);
      this.tap.close();
      this.flushNow();
      const t = this.now();
      this.chain = this.chain.then(() => this.writer.close(t, this.ended!));
      const done = this.status();
      await this.chain;
      this.opts.onEnd?.({ ...done, bytes: this.writer.bytes });
    }
    await this.chain;
    return this.status();
  }

  private hear(text: string): void {
    if (this.ended !== null) return;
    // the hub writes "type" and "kind" first: most messages (a device's per-tick delta) need no parse at all
    const head = text.slice(0, 48);
    if (SKIPPED.some((p) => head.startsWith(p))) return;
    if (DISCOVERY.some((k) => head.includes(k))) {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(text) as ServerMessage;
      } catch {
        return; // the stream only sends JSON; nothing to record otherwise
      }
      const more = this.topics.discover(msg);
      if (more.length > 0) this.tap.subscribe(more);
    }
    this.pending += messageLine(this.now(), this.opts.redactor ? this.opts.redactor.redactText(text) : text);
    this.messages++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setTimeout(() => this.flushNow(), FLUSH_EVERY_MS);
    }
  }

  /** Writes what was heard so far now (the recorder does so by itself at most every FLUSH_EVERY_MS). */
  flushNow(): void {
    this.flushScheduled = false;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.chain = this.chain.then(() => this.writer.append(text)).then(() => this.checkWriter());
  }

  /**
   * A keyframe now (the timer makes one every keyframeEveryMs): a new gzip member, fresh snapshots of the
   * followed topics — a device page's only every DEVICE_SNAPSHOT_EVERY_MS (keyframeTopics): in between, its
   * deltas since the last one rebuild it exactly (what a replay's catch-up does). Taken every keyframe, those
   * snapshots were nine tenths of a recording's bytes and most of its CPU (bench/recording.bench.ts).
   */
  keyframe(): void {
    if (this.ended !== null) return;
    this.flushNow();
    const t = this.now();
    const topics = keyframeTopics(this.topics.followed, ++this.keyframesAsked, this.opts.keyframeEveryMs);
    // the marker first, then the snapshots the re-subscribe brings: they land after it, in the new member
    this.chain = this.chain.then(async () => {
      await this.writer.keyframe(t);
      this.checkWriter();
      if (this.ended === null) this.tap.subscribe(topics);
    });
  }

  private checkWriter(): void {
    if (this.writer.failure && this.ended === null) void this.stop(this.writer.failure.reason);
  }
}
