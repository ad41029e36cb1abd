/**
 * `vfioscope record`: a host's stream into a recording file
 * (packages/protocol/src/recording/format.ts) — in-process on the chosen
 * backend, or from a running server's stream (--server). Progress on stderr
 * every few seconds; SIGINT/SIGTERM stop it cleanly (the file ends with its
 * end line); a kill -9 leaves a file that replays up to its last flush.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_KEYFRAME_EVERY_MS, type HostResponse, type RecordingEndReason } from '@vfioscope/protocol';
import { TokenStore } from '../auth/tokens.ts';
import { DEFAULT_TICK_HZ } from '../config.ts';
import { PeerTransport } from '../fleet/peer-http.ts';
import { parsePeersFile, PeersFileError, type PeerConfig } from '../fleet/peers-file.ts';
import { buildApp } from '../app.ts';
import { hubTap } from '../recording/hub-tap.ts';
import { peerTap } from '../recording/peer-tap.ts';
import { HOST_WIDE_TOPICS, RecordedTopics, type HostWideTopic } from '../recording/recorded-topics.ts';
import { Recorder, type RecorderStatus, type StreamTap } from '../recording/recorder.ts';
import { recordedHostFacts, recordingHeader, type RecordedHostFacts } from '../recording/recording-header.ts';
import { Redactor } from '../recording/redact.ts';
import { RecordingWriter } from '../recording/recording-writer.ts';
import { numberFlag, parseFlags, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import { backendKind, openBackend } from './backend.ts';
import type { CliIo } from './output.ts';

export const RECORD_USAGE = `Usage: vfioscope record --out FILE [options]

Record what a host's VFIO devices do — every topic the UI shows, as the
stream sends it — into FILE (gzip, replayable with "vfioscope serve --replay FILE").

Options:
  --out FILE              the recording to write (never overwritten)
  --duration D            stop after D (e.g. 90s, 10m, 1h; default: until Ctrl-C)
  --topics LIST           host-wide topics to record (comma-separated; default all:
                          ${HOST_WIDE_TOPICS.join(',')}); the mappings of held containers and the
                          details of devices whose interrupts fire are followed as they appear
  --keyframe-every D      full snapshots this often, so a replay seeks quickly (default ${DEFAULT_KEYFRAME_EVERY_MS / 1000}s)
  --redact                leave out process command lines, host and user names; renumber PIDs
  In-process (the default):
  --backend sim|linux     host backend (default sim)
  --scenario NAME|FILE    sim scenario (default "default")
  --tick-hz N             telemetry samples per second (default ${DEFAULT_TICK_HZ})
  From a running server:
  --server URL            the server's origin, e.g. https://gpu-07.lab:7070
  --token-file FILE       a file holding a viewer (or operator) token of that server
  --ca FILE               PEM CA bundle for the server's certificate
  -h, --help              show this help
`;

const SPEC = {
  out: { value: true },
  duration: { value: true },
  topics: { value: true },
  'keyframe-every': { value: true },
  redact: { value: false },
  backend: { value: true },
  scenario: { value: true },
  'tick-hz': { value: true },
  server: { value: true },
  'token-file': { value: true },
  ca: { value: true },
  help: { value: false },
} as const;

const PROGRESS_EVERY_MS = 5000;

/** "90s", "10m", "1h", "500ms" or plain seconds → milliseconds. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = m ? Number(m[1]) * unit[(m[2] ?? 's') as keyof typeof unit] : NaN;
  if (!(ms >= 100 && ms <= 31 * 24 * 3_600_000))
    throw new UsageError(`--${flag} must be a duration like 90s, 10m or 1h (100 ms to 31 days), got "${v}"`);
  return ms;
}

function topicsFlag(args: ParsedArgs): HostWideTopic[] {
  const v = stringFlag(args, 'topics');
  if (v === undefined) return [...HOST_WIDE_TOPICS];
  const list = v.split(',').map((s) => s.trim());
  for (const t of list)
    if (!(HOST_WIDE_TOPICS as readonly string[]).includes(t))
      throw new UsageError(`--topics: "${t}" is not one of ${HOST_WIDE_TOPICS.join(', ')}`);
  return list as HostWideTopic[];
}

/** --server, --token-file and --ca, checked by the peers file's own rules (one place says what a server reference is). */
function serverFlags(args: ParsedArgs): PeerConfig {
  const url = stringFlag(args, 'server')!;
  const tokenFile = stringFlag(args, 'token-file');
  if (tokenFile === undefined) throw new UsageError('--server needs --token-file (a file holding a token of that server)');
  const ca = stringFlag(args, 'ca');
  const entry = { name: 'recorded', url: url.replace(/\/+$/, ''), tokenFile, ...(ca !== undefined ? { ca } : {}) };
  try {
    return parsePeersFile(JSON.stringify([entry]), { file: 'record', baseDir: process.cwd(), selfName: 'vfioscope-recorder' })[0]!;
  } catch (e) {
    if (!(e instanceof PeersFileError)) throw e;
    const flag = { url: '--server', tokenFile: '--token-file', ca: '--ca' } as Record<string, string>;
    throw new UsageError(e.message.replace(/^record: peers\[0\] \("recorded"\)\.(\w+)/, (_m, f: string) => flag[f] ?? f));
  }
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function progressLine(s: RecorderStatus, now: number): string {
  const secs = Math.round((now - s.startedAt) / 1000);
  return `recording ${s.file}: ${Math.floor(secs / 60)}m ${secs % 60}s, ${kib(s.bytes)}, ${s.messages} messages, ${s.topics} topics, ${s.keyframes} keyframes\n`;
}

export async function runRecordCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseFlags(argv, SPEC);
  if (args.flags.help) {
    io.out(RECORD_USAGE);
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const out = stringFlag(args, 'out');
  if (out === undefined) throw new UsageError('--out FILE is required (where the recording goes)');
  const durationFlag = stringFlag(args, 'duration');
  const duration = durationFlag === undefined ? null : parseDuration('duration', durationFlag);
  const keyframeFlag = stringFlag(args, 'keyframe-every');
  const keyframeEveryMs = keyframeFlag === undefined ? DEFAULT_KEYFRAME_EVERY_MS : parseDuration('keyframe-every', keyframeFlag);
  const topics = new RecordedTopics(topicsFlag(args));
  const redact = args.flags.redact === true;
  const remote = stringFlag(args, 'server') !== undefined;
  if (remote)
    for (const f of ['backend', 'scenario', 'tick-hz'] as const)
      if (args.flags[f] !== undefined) throw new UsageError(`--${f} is for recording in-process; with --server the server's own apply`);
  if (!remote && (args.flags['token-file'] !== undefined || args.flags.ca !== undefined))
    throw new UsageError('--token-file and --ca go with --server');

  // what is being recorded: the tap, the header's facts about the host, and how to let go of it afterwards
  let tap: StreamTap;
  let hostFacts: RecordedHostFacts;
  let release: () => Promise<void>;
  if (remote) {
    const peer = serverFlags(args);
    const answer = await new PeerTransport(peer)
      .request({ method: 'GET', path: '/api/v1/host', headers: { accept: 'application/json' }, timeoutMs: 10_000 })
      .catch((e: Error & { code?: string }) => {
        throw Object.assign(new Error(`--server ${peer.url.origin}: ${e.message}`), { errno: e.code ?? 'EIO' });
      });
    if (answer.status !== 200)
      throw Object.assign(
        new Error(
          `--server ${peer.url.origin}: GET /api/v1/host answered HTTP ${answer.status}${answer.status === 401 ? ' (check --token-file)' : ''}`,
        ),
        {
          errno: answer.status === 401 ? 'EAUTH' : 'EIO',
        },
      );
    const host = JSON.parse(answer.body.toString('utf8')) as HostResponse & { tickHz?: number };
    hostFacts = recordedHostFacts(host.info, DEFAULT_TICK_HZ);
    tap = peerTap(peer);
    release = async () => undefined;
  } else {
    const kind = backendKind(stringFlag(args, 'backend'));
    const tickHz = numberFlag(args, 'tick-hz', 0.1, 100) ?? DEFAULT_TICK_HZ;
    const host = await openBackend(kind, stringFlag(args, 'scenario'));
    // the in-process server's own logs (audit, events) are not the recording: they go to a scratch dir
    const scratch = mkdtempSync(join(tmpdir(), 'vfioscope-record-'));
    const app = await buildApp({ host, tokens: new TokenStore([]), dataDir: scratch, tickHz, logger: false });
    await app.ready();
    hostFacts = recordedHostFacts(app.vfio.ctx.hostInfo, tickHz);
    tap = hubTap(app.vfio.hub);
    release = async () => {
      await app.close();
      await host.close();
      rmSync(scratch, { recursive: true, force: true });
    };
  }

  const header = recordingHeader(hostFacts, {
    startedAt: Date.now(),
    source: remote ? 'server' : 'in-process',
    keyframeEveryMs,
    redact,
  });
  let writer: RecordingWriter;
  try {
    writer = new RecordingWriter(out, header);
  } catch (e) {
    await release();
    const err = e as NodeJS.ErrnoException;
    throw Object.assign(
      new Error(`--out ${out}: ${err.code === 'EEXIST' ? 'the file exists (a recording is never overwritten)' : err.message}`),
      { errno: err.code ?? 'EIO' },
    );
  }
  const recorder = new Recorder(tap, writer, { keyframeEveryMs, topics, redactor: redact ? new Redactor([hostFacts.name]) : null });

  let finish: (why: RecordingEndReason) => void = () => undefined;
  const ended = new Promise<RecordingEndReason>((resolve) => {
    finish = resolve;
  });
  recorder.start();
  const progress = setInterval(() => io.err(progressLine(recorder.status(), Date.now())), PROGRESS_EVERY_MS);
  const timer = duration === null ? null : setTimeout(() => finish('duration'), duration);
  // a write error (disk full) ends the recording by itself
  const watch = setInterval(() => {
    const s = recorder.status();
    if (s.ended) finish(s.ended);
  }, 200);
  const onSignal = () => finish('signal');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const reason = await ended;
  clearInterval(progress);
  clearInterval(watch);
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const final = await recorder.stop(reason);
  await release();
  io.err(progressLine(final, Date.now()));
  if (final.failure) {
    io.err(`vfioscope record: stopped: ${final.failure.errno}: ${final.failure.message} — ${out} replays up to that moment\n`);
    return 1;
  }
  io.out(`${out}: ${kib(final.bytes)}, ${final.messages} messages, ended: ${final.ended}\n`);
  return 0;
}
