/**
 * The server's settings and where its state lives. State (audit log, event
 * log) goes under a data dir in the user's state directory — never into the
 * install tree, so vfioscope runs from a read-only checkout.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StormConfig } from '@vfioscope/telemetry';

export interface StreamLimits {
  /** bytes queued on one socket beyond which its deltas are skipped (default 1 MiB) */
  bufferCapBytes: number;
  /** heartbeat period (default 5 s) */
  heartbeatMs: number;
  /** events sent in an events snapshot (default 200) */
  eventsSnapshotSize: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  bufferCapBytes: 1 << 20,
  heartbeatMs: 5000,
  eventsSnapshotSize: 200,
};

export const DEFAULT_TICK_HZ = 10;
/** the busiest vectors with a vfioscope_interrupts_total series each (--metrics-max-vectors) */
export const DEFAULT_METRICS_MAX_VECTORS = 1000;
/** rotated events.jsonl files kept (--log-keep); audit files are never deleted */
export const DEFAULT_LOG_KEEP = 5;
export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 7070 };

/** $XDG_STATE_HOME/vfioscope, else ~/.local/state/vfioscope */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg?.startsWith('/')) return join(xdg, 'vfioscope');
  return join(homedir(), '.local', 'state', 'vfioscope');
}

/** Resolve and create the data dir (0700: it holds the audit log). */
export function ensureDataDir(dir: string): string {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  return abs;
}

/** "127.0.0.1:7070", "[::1]:7070", ":7070" (loopback), "7070" → host and port */
export function parseListen(s: string): { host: string; port: number } | null {
  let host: string;
  let portStr: string;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portStr = v6[2]!;
  } else if (/^\d+$/.test(s)) {
    host = DEFAULT_LISTEN.host;
    portStr = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i < 0) return null;
    host = s.slice(0, i) || DEFAULT_LISTEN.host;
    portStr = s.slice(i + 1);
    if (!/^[A-Za-z0-9.-]+$/.test(host)) return null;
  }
  if (!/^\d{1,5}$/.test(portStr)) return null;
  const port = Number(portStr);
  if (port > 65535) return null;
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export type StormOverrides = Partial<StormConfig>;
