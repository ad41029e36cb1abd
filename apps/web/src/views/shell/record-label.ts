/** The Record button's words while it records: "Stop · 1m 20s · 812 KiB". */
import { formatBytes } from '../../format/units.ts';

/** "45s", "1m 20s", "2h 05m": short enough for the host bar */
export function recordedFor(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function stopLabel(recording: { startedAt: number; bytes: number }, now: number): string {
  return `Stop · ${recordedFor(now - recording.startedAt)} · ${formatBytes(recording.bytes)}`;
}
