/**
 * The server's own recordings (the UI's Record button): one at a time, a
 * stream client of this server's hub (hubTap) written by a Recorder into
 * `<data dir>/recordings/<UTC time>-<host name>.vfr`. A write error (disk
 * full) ends the recording with an error in the event log and nothing else:
 * the server, its stream and its actions go on. The server's shutdown stops
 * a running recording first, so its file ends with an end line.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_KEYFRAME_EVERY_MS,
  type EndedRecording,
  type HostWideTopic,
  RECORDING_NAME_PATTERN,
  type RecordingEndReason,
  type RecordingFile,
  type RecordingProgress,
  type RecordingStatusResponse,
} from '@vfioscope/protocol';
import type { EventLog } from '@vfioscope/telemetry';
import { ApiProblem } from '../errors.ts';
import type { StreamHub } from '../stream/hub.ts';
import { hubTap } from './hub-tap.ts';
import { RecordedTopics } from './recorded-topics.ts';
import { Recorder, type RecorderStatus } from './recorder.ts';
import { recordingHeader, type RecordedHostFacts } from './recording-header.ts';
import { REDACTED_HOST, Redactor } from './redact.ts';
import { RecordingWriter, type WriterFailure } from './recording-writer.ts';

export const RECORDINGS_SUBDIR = 'recordings';

const NAME = new RegExp(RECORDING_NAME_PATTERN);
/** names tried when a recording of the same second exists: -2 … -9 */
const SAME_SECOND_TRIES = 9;

export interface ServerRecordingsOptions {
  /** the server's data dir; null keeps nothing on disk (no recordings) */
  dataDir: string | null;
  hub: StreamHub;
  host: RecordedHostFacts;
  eventLog: EventLog;
  now: () => number;
  /** how a recording file is created (tests: /dev/full); default open(2) with O_EXCL */
  openFile?: (file: string) => number;
}

export interface StartOptions {
  topics?: HostWideTopic[] | undefined;
  redact?: boolean | undefined;
  keyframeEveryMs?: number | undefined;
}

interface Running {
  recorder: Recorder;
  name: string;
  actor: string;
  keyframeEveryMs: number;
  redacted: boolean;
  /** set once it is ending (stopped, or a write error): resolves with how it ended */
  ending: Promise<EndedRecording> | null;
}

/** "20261203T031337Z" for a time: sortable, no characters a file name must avoid */
export function recordingStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** A host name as a file name's part: letters, digits, dots and dashes, at most 64. */
function fileSafe(name: string): string {
  const s = name
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return s === '' ? 'host' : s;
}

export class ServerRecordings {
  private running: Running | null = null;
  private last: EndedRecording | null = null;
  readonly dir: string | null;

  constructor(private readonly opts: ServerRecordingsOptions) {
    this.dir = opts.dataDir === null ? null : join(opts.dataDir, RECORDINGS_SUBDIR);
  }

  status(): RecordingStatusResponse {
    const r = this.running;
    // a recording being stopped shows until its file is closed
    return { recording: r ? this.progress(r, r.recorder.status()) : null, last: this.last };
  }

  /** Starts recording; EBUSY while one runs. */
  start(opts: StartOptions, actor: string): RecordingProgress {
    if (this.running) {
      throw new ApiProblem('EBUSY', `a recording is already running (${this.running.name}); stop it first`, 'recording');
    }
    if (this.dir === null) throw new ApiProblem('EOPNOTSUPP', 'this server keeps nothing on disk (no data dir): it cannot record');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const startedAt = this.opts.now();
    const redact = opts.redact === true;
    const keyframeEveryMs = opts.keyframeEveryMs ?? DEFAULT_KEYFRAME_EVERY_MS;
    const header = recordingHeader(this.opts.host, { startedAt, source: 'server', keyframeEveryMs, redact });
    // a redacted recording does not carry the host's name in its file name either
    const base = `${recordingStamp(startedAt)}-${fileSafe(redact ? REDACTED_HOST : this.opts.host.name)}`;
    let run: Running | null = null;
    const onFailure = (f: WriterFailure) => {
      // the Recorder sees the failure after its next write too; ending here covers a recording that hears nothing more
      if (run && this.running === run) void this.end(run, f.reason);
    };
    let writer: RecordingWriter | null = null;
    let name = '';
    for (let i = 1; writer === null; i++) {
      name = i === 1 ? `${base}.vfr` : `${base}-${i}.vfr`;
      try {
        writer = new RecordingWriter(join(this.dir, name), header, onFailure, this.opts.openFile);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EEXIST' && i < SAME_SECOND_TRIES) continue;
        throw new ApiProblem('EIO', `cannot create ${name} in ${this.dir}: ${err.code ?? ''} ${err.message}`.trim(), 'recording');
      }
    }
    const recorder = new Recorder(hubTap(this.opts.hub), writer, {
      keyframeEveryMs,
      topics: new RecordedTopics(opts.topics ?? undefined),
      redactor: redact ? new Redactor([this.opts.host.name]) : null,
      now: this.opts.now,
      // however it ends (stopped, disk full, the hub closing), the server hears of it once
      onEnd: (s) => {
        if (run) this.ended(run, s);
      },
    });
    run = { recorder, name, actor, keyframeEveryMs, redacted: redact, ending: null };
    this.running = run;
    recorder.start();
    this.opts.eventLog.append({
      kind: 'action',
      op: 'recording.start',
      actor,
      message: `recording started: ${name}`,
      data: { name, topics: opts.topics ?? 'all', redact, keyframeEveryMs },
    });
    return this.progress(run, recorder.status());
  }

  /** Stops the running recording (EINVAL when none runs); resolves once its file is closed. */
  async stop(reason: RecordingEndReason, actor?: string): Promise<EndedRecording> {
    const run = this.running;
    if (!run) {
      const last = this.last ? ` (the last, ${this.last.name}, ended: ${this.last.ended})` : '';
      throw new ApiProblem('EINVAL', `no recording is running${last}`, 'recording');
    }
    const ended = await this.end(run, reason);
    if (actor !== undefined) {
      this.opts.eventLog.append({
        kind: 'action',
        op: 'recording.stop',
        actor,
        message: `recording stopped: ${ended.name}, ${ended.bytes} bytes, ${ended.messages} messages`,
        data: { name: ended.name, bytes: ended.bytes, ended: ended.ended },
      });
    }
    return ended;
  }

  /** The server is closing: a running recording ends cleanly, with its end line. */
  async close(): Promise<void> {
    if (this.running) await this.end(this.running, 'server-gone');
  }

  /** The recordings in the data dir, newest first. */
  list(): RecordingFile[] {
    if (this.dir === null) return [];
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return []; // nothing recorded yet: no directory
    }
    const out: RecordingFile[] = [];
    for (const name of names) {
      if (!NAME.test(name)) continue;
      try {
        const st = statSync(join(this.dir, name));
        if (!st.isFile()) continue;
        out.push({ name, bytes: st.size, modifiedAt: Math.round(st.mtimeMs), recording: this.running?.name === name });
      } catch {
        // removed between the listing and the stat
      }
    }
    return out.sort((a, b) => b.modifiedAt - a.modifiedAt || (a.name < b.name ? 1 : -1));
  }

  /** The path and size of a recording by name; ENOENT when there is none by that name. */
  file(name: string): { path: string; bytes: number } {
    // the route's schema checked the name already; this keeps the directory the only place a name can lead
    if (this.dir === null || !NAME.test(name) || name.includes('/')) throw new ApiProblem('ENOENT', `no recording "${name}"`, 'name');
    const path = join(this.dir, name);
    try {
      const st = statSync(path);
      if (st.isFile()) return { path, bytes: st.size };
    } catch {
      // not there: ENOENT below
    }
    throw new ApiProblem('ENOENT', `no recording "${name}"`, 'name');
  }

  private end(run: Running, reason: RecordingEndReason): Promise<EndedRecording> {
    run.ending ??= run.recorder.stop(reason).then((s) => this.ended(run, s));
    return run.ending;
  }

  /** Once per recording: keep how it ended, free the slot, say a write error in the event log. */
  private ended(run: Running, s: RecorderStatus): EndedRecording {
    if (this.last?.name === run.name && this.running !== run) return this.last;
    const ended: EndedRecording = {
      ...this.progress(run, s),
      endedAt: this.opts.now(),
      ended: s.ended ?? 'stopped',
      ...(s.failure ? { failure: { errno: s.failure.errno, message: s.failure.message } } : {}),
    };
    this.last = ended;
    if (this.running === run) this.running = null;
    if (s.failure) {
      this.opts.eventLog.append({
        kind: 'error',
        op: 'recording',
        errno: s.failure.errno,
        message: `recording ${run.name} stopped: ${s.failure.reason === 'disk-full' ? 'the disk is full' : 'a write failed'} (${s.failure.errno}: ${s.failure.message}); it replays up to that moment`,
        data: { name: run.name, bytes: s.bytes, ended: ended.ended },
      });
    }
    return ended;
  }

  private progress(run: Running, s: RecorderStatus): RecordingProgress {
    return {
      name: run.name,
      startedAt: s.startedAt,
      bytes: s.bytes,
      messages: s.messages,
      topics: s.topics,
      keyframes: s.keyframes,
      keyframeEveryMs: run.keyframeEveryMs,
      redacted: run.redacted,
      actor: run.actor,
    };
  }
}
