/**
 * A replayed recording's answers to a report's questions, read from the
 * recording itself (its keyframed members, inflated one at a time): the
 * rates as the irq-rates topic carried them, the events topic's kernel
 * messages and actions, the alerts topic, and the host topic's facts under
 * the header's. "Now" is the recording's end: a report may look past the
 * replay's position — the whole recording is the record.
 */
import { basename } from 'node:path';
import {
  type Alert,
  type HistoryPoint,
  type HostSnapshot,
  isDeltaOf,
  isSnapshotOf,
  type LogEvent,
  type ServerMessage,
} from '@vfioscope/protocol';
import { forEachRecordedRates } from '../replay/recorded-history.ts';
import type { RecordingIndex } from '../replay/recording-index.ts';
import type { ReportHost, ReportSource, ReportVector } from './report-facts.ts';

const REPORTED_KINDS = new Set(['kernel', 'action', 'error', 'alert', 'alert-cleared']);

/** the members whose time spans reach into [from, to] */
function membersIn(rec: RecordingIndex, from: number, to: number): number[] {
  const out: number[] = [];
  rec.members.forEach((m, i) => {
    const nextFirst = rec.members[i + 1]?.firstT ?? Number.POSITIVE_INFINITY;
    if (m.firstT <= to && Math.max(m.lastT, nextFirst) >= from) out.push(i);
  });
  return out;
}

type TopicMessage = Extract<ServerMessage, { type: 'snapshot' | 'delta' }>;

/** the topic messages (snapshots and deltas) of these members, in order */
function* messages(rec: RecordingIndex, members: readonly number[]): Generator<{ t: number; m: TopicMessage }> {
  for (const i of members)
    for (const line of rec.memberLines(i))
      if ('m' in line && (line.m.type === 'snapshot' || line.m.type === 'delta')) yield { t: line.t, m: line.m };
}

/** The report source of whatever `replay` replays now: made again when another recording is opened. */
export function followReplay(replay: { file: string; index: RecordingIndex }): () => ReportSource {
  let made: { index: RecordingIndex; source: ReportSource } | null = null;
  return () => {
    if (made?.index !== replay.index) made = { index: replay.index, source: replayReportSource(replay) };
    return made.source;
  };
}

export function replayReportSource(replay: { file: string; index: RecordingIndex }): ReportSource {
  const rec = replay.index;
  let alertsCache: Alert[] | null = null;
  return {
    origin: { kind: 'replay', file: basename(replay.file) },
    now: () => rec.endT,
    async alerts() {
      if (alertsCache) return alertsCache;
      // each alert as last heard: the members where alerts were raised, then the last one (its keyframe lists
      // the alerts kept at the end, cleared ones with their clearing) — not every member of an hour
      const last = rec.members.length - 1;
      const members = new Set(rec.marks.filter((m) => m.kind === 'alert').flatMap((m) => membersIn(rec, m.t, m.t)));
      members.add(last);
      const byId = new Map<string, Alert>();
      for (const line of messages(
        rec,
        [...members].sort((a, b) => a - b),
      )) {
        const m = line.m;
        if (isSnapshotOf(m, 'alerts')) for (const a of m.data.alerts) byId.set(a.id, a);
        else if (isDeltaOf(m, 'alerts')) for (const a of m.data.upsert) byId.set(a.id, a);
      }
      alertsCache = [...byId.values()];
      return alertsCache;
    },
    async vectors() {
      const out = new Map<string, ReportVector>();
      const last = rec.members[rec.members.length - 1];
      forEachRecordedRates(rec, last?.firstT ?? rec.endT, rec.endT, (_t, rows) => {
        for (const r of rows) out.set(r.key, { key: r.key, bdf: r.bdf, index: r.index, vector: r.vector, owner: r.owner });
      });
      return [...out.values()];
    },
    async rates(key, from, to) {
      const out: HistoryPoint[] = [];
      let at = -1;
      forEachRecordedRates(rec, from, to, (t, rows) => {
        if (at < 0 || rows[at]?.key !== key) at = rows.findIndex((r) => r.key === key);
        if (at >= 0) out.push({ t, rate: rows[at]!.rate });
      });
      return out;
    },
    async busiest(from, to, bdf) {
      let best: { key: string; rate: number } | null = null;
      forEachRecordedRates(rec, from, to, (_t, rows) => {
        for (const r of rows)
          if (r.rate > 0 && (bdf === null || r.bdf.toLowerCase() === bdf.toLowerCase()) && (best === null || r.rate > best.rate))
            best = { key: r.key, rate: r.rate };
      });
      return (best as { key: string } | null)?.key ?? null;
    },
    async events(from, to) {
      // a keyframe's snapshot repeats recent events: one of each seq
      const bySeq = new Map<number, LogEvent>();
      for (const line of messages(rec, membersIn(rec, from, to))) {
        const m = line.m;
        if (!isSnapshotOf(m, 'events') && !isDeltaOf(m, 'events')) continue;
        for (const e of m.data.events) if (e.ts >= from && e.ts <= to && REPORTED_KINDS.has(e.kind)) bySeq.set(e.seq, e);
      }
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    },
    async host(): Promise<ReportHost> {
      const h = rec.header.host;
      let snap: HostSnapshot | null = null;
      let vectorsInUse: number | null = null;
      for (const line of messages(rec, [0])) {
        const m = line.m;
        if (isSnapshotOf(m, 'host')) {
          snap = m.data;
          vectorsInUse = m.data.live.vectorsInUse;
          break;
        }
      }
      return {
        hostname: h.name,
        kernel: h.kernel,
        backend: h.backend,
        scenario: h.scenario ?? null,
        info: snap?.info ?? null,
        drive: snap?.drive ?? null,
        vectorsInUse,
        tickHz: rec.header.tickHz,
      };
    },
  };
}
