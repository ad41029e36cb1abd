/**
 * A recording's header (the first line of the file): what was recorded,
 * where and how — built in one place for `vfioscope record` and the
 * server's own Record button.
 */
import { PROTOCOL_VERSION, RECORDING_FORMAT, RECORDING_VERSION, type RecordingHeader } from '@vfioscope/protocol';
import { REDACTED_HOST } from './redact.ts';

/** The facts about the recorded host the header keeps (as GET /host or the app's hostInfo say them). */
export interface RecordedHostFacts {
  name: string;
  kernel: string;
  backend: 'sim' | 'linux';
  scenario?: string | undefined;
  tickHz: number;
}

/** The facts from a host's info (HostInfo, or the `info` of GET /host) and the tick it is sampled at. */
export function recordedHostFacts(
  info: { hostname: string; kernel: string; backend: 'sim' | 'linux'; scenario?: string | undefined },
  tickHz: number,
): RecordedHostFacts {
  return {
    name: info.hostname,
    kernel: info.kernel,
    backend: info.backend,
    tickHz,
    ...(info.scenario ? { scenario: info.scenario } : {}),
  };
}

export function recordingHeader(
  host: RecordedHostFacts,
  opts: { startedAt: number; source: RecordingHeader['source']; keyframeEveryMs: number; redact: boolean },
): RecordingHeader {
  return {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    startedAt: opts.startedAt,
    source: opts.source,
    host: {
      name: opts.redact ? REDACTED_HOST : host.name,
      kernel: host.kernel,
      backend: host.backend,
      ...(host.scenario ? { scenario: host.scenario } : {}),
    },
    tickHz: host.tickHz,
    keyframeEveryMs: opts.keyframeEveryMs,
    redacted: opts.redact,
  };
}
