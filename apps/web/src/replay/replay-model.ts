/**
 * The replay bar's arithmetic: where the replay is between two answers of
 * GET /replay (the position moves at `speed` while playing, up to the end),
 * the recording's wall clock as a person reads it, and the next moment of a
 * kind to jump to.
 */
import type { ReplayMarkView, ReplayStateView } from '@vfioscope/protocol';

/** The position `elapsedMs` of real time after the server said `s`. */
export function positionNow(s: ReplayStateView, elapsedMs: number): number {
  if (!s.playing) return s.position;
  return Math.min(s.endT, s.position + Math.max(0, elapsedMs) * s.speed);
}

/** "14:03:27" within the recording's day, with the date when it spans days. */
export function recordingClock(t: number, spansDays: boolean): string {
  const d = new Date(t);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return spansDays ? `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}` : time;
}

/** "1:04:09" / "4:09": a span of the recording. */
export function spanLabel(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * The first mark of a kind after the position (a second's grace, so that
 * pressing again moves on from the mark just jumped to); null when none is left.
 */
export function nextMark(marks: readonly ReplayMarkView[], kind: ReplayMarkView['kind'], position: number): ReplayMarkView | null {
  return marks.find((m) => m.kind === kind && m.t > position + 1000) ?? null;
}

/** Where the replay shows a moment a little before a mark: the lead-up is what explains it. */
export const MARK_LEAD_MS = 3000;
