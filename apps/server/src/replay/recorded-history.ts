/**
 * A vector's rate history as the recording saw it up to the replay's
 * position — what GET /irqs/history answers live from the sampler's rings
 * (telemetry irq-rate-sampler.ts): at tick resolution the last 60 s of
 * recorded rates; at 1 s resolution each second's mean of its tick rates,
 * here over the last 10 minutes (the live ring keeps an hour; a replay
 * inflates every member it reads, so it reads at most ten minutes of them).
 */
import { applyIrqRatesDelta, type HistoryPoint, isDeltaOf, isSnapshotOf, type VectorRate } from '@vfioscope/protocol';
import type { RecordingIndex } from './recording-index.ts';

export const TICK_WINDOW_MS = 60_000;
export const SECOND_WINDOW_MS = 600_000;

/**
 * Every vector's recorded rates at each irq-rates message in [from, to], member by member from a
 * keyframe's snapshot (a delta that does not fit waits for the next snapshot, as a client does).
 */
export function forEachRecordedRates(
  rec: RecordingIndex,
  from: number,
  to: number,
  visit: (t: number, rows: readonly VectorRate[]) => void,
): void {
  let first = 0;
  while (first + 1 < rec.members.length && rec.members[first + 1]!.firstT <= from) first++;
  let rows: VectorRate[] | null = null;
  for (let i = first; i < rec.members.length && rec.members[i]!.firstT <= to; i++) {
    for (const line of rec.memberLines(i)) {
      if (!('m' in line) || line.t > to) continue;
      const m = line.m;
      if (m.type !== 'snapshot' && m.type !== 'delta') continue;
      if (isSnapshotOf(m, 'irq-rates')) rows = m.data.rates;
      else if (isDeltaOf(m, 'irq-rates') && rows) rows = applyIrqRatesDelta(rows, m.data);
      else continue;
      if (rows && line.t >= from) visit(line.t, rows);
    }
  }
}

/** the key's recorded (t, rate) at every irq-rates message in (from, to] */
function recordedRates(rec: RecordingIndex, key: string, from: number, to: number): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  let at = -1;
  forEachRecordedRates(rec, from, to, (t, rows) => {
    if (t <= from) return;
    if (at < 0 || rows[at]?.key !== key) at = rows.findIndex((r) => r.key === key);
    if (at >= 0) out.push({ t, rate: rows[at]!.rate });
  });
  return out;
}

export function recordedHistory(rec: RecordingIndex, position: number, key: string, resolution: 'tick' | '1s'): HistoryPoint[] {
  if (resolution === 'tick') return recordedRates(rec, key, position - TICK_WINDOW_MS, position);
  const seconds = new Map<number, { sum: number; n: number }>();
  for (const p of recordedRates(rec, key, position - SECOND_WINDOW_MS, position)) {
    const s = Math.ceil(p.t / 1000) * 1000;
    const b = seconds.get(s) ?? { sum: 0, n: 0 };
    b.sum += p.rate;
    b.n++;
    seconds.set(s, b);
  }
  return [...seconds].map(([t, b]) => ({ t, rate: b.sum / b.n }));
}
