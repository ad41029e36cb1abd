/**
 * The facts of one report, from an alert or a time range: the window around
 * the storm (a minute before it began, a minute after it cleared), the
 * charted vector's rate, the storm intervals to shade, the measured peak,
 * and the kernel messages, actions and alerts in the window.
 *
 * A storm alert is raised once the rate has stayed over its threshold for
 * the detector's sustain window (telemetry storm-detector.ts), so raisedAt
 * is not when the storm began: the band starts at the first point of the
 * run over the threshold that leads up to raisedAt, read from the rate
 * history itself — which a recording carries as well as a live server.
 */
import { type Alert, type HistoryPoint, type LogEvent, REPORT_MAX_SPAN_MS, type StormAlert } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import type { ReportBand, ReportFacts, ReportSource, ReportVector } from './report-facts.ts';

export type ReportRequest = { alert: string } | { from: number; to: number; key?: string };

/** how much of the time before a storm and after it the report shows */
export const LEAD_MS = 60_000;
export const TRAIL_MS = 60_000;
/** how far back from raisedAt the start of a storm is looked for */
const STORM_LOOKBACK_MS = 10 * 60_000;
/** events per list; a storm's kernel messages can run to thousands */
export const EVENTS_PER_LIST = 200;

/** The first point of the unbroken run over `threshold` that reaches `at` (or `at` itself when none does). */
export function runStart(points: readonly HistoryPoint[], threshold: number, at: number): number {
  let i = points.findLastIndex((p) => p.t <= at);
  let start = at;
  while (i >= 0 && points[i]!.rate > threshold) {
    start = points[i]!.t;
    i--;
  }
  return start;
}

function stormBand(a: StormAlert, points: readonly HistoryPoint[], now: number): ReportBand {
  return { from: runStart(points, a.threshold, a.raisedAt), to: a.clearedAt ?? now, ongoing: a.clearedAt === null };
}

function peakOf(points: readonly HistoryPoint[], from: number, to: number): HistoryPoint | null {
  let best: HistoryPoint | null = null;
  for (const p of points) if (p.t >= from && p.t <= to && (best === null || p.rate > best.rate)) best = p;
  return best;
}

function vectorOf(key: string, known: readonly ReportVector[]): ReportVector {
  const v = known.find((k) => k.key === key);
  if (v) return v;
  const [bdf = key, index = '', vector = '0'] = key.split('/');
  return { key, bdf, index, vector: Number(vector), owner: null };
}

function capped(events: readonly LogEvent[]): { shown: LogEvent[]; omitted: number } {
  // the newest are kept: what led up to the end of the window matters more than its start
  return { shown: events.slice(-EVENTS_PER_LIST), omitted: Math.max(0, events.length - EVENTS_PER_LIST) };
}

/** The window an alert's report covers, and the vector it charts. */
async function alertWindow(src: ReportSource, alert: Alert, now: number): Promise<{ from: number; to: number; key: string | null }> {
  if (alert.kind === 'storm') {
    const before = await src.rates(alert.key, alert.raisedAt - STORM_LOOKBACK_MS, alert.raisedAt);
    const start = runStart(before, alert.threshold, alert.raisedAt);
    const to = Math.min(now, (alert.clearedAt ?? now) + TRAIL_MS);
    // not before the vector's first sample: a chart of nothing before the server (or the device) was there says nothing
    const first = before[0]?.t ?? start;
    return { from: Math.max(start - LEAD_MS, first, to - REPORT_MAX_SPAN_MS), to, key: alert.key };
  }
  const to = Math.min(now, (alert.clearedAt ?? now) + TRAIL_MS);
  const from = Math.max(alert.raisedAt - LEAD_MS, to - REPORT_MAX_SPAN_MS);
  return { from, to, key: alert.bdf === null ? null : await src.busiest(from, to, alert.bdf) };
}

export async function gatherReport(src: ReportSource, req: ReportRequest, generatedAt: number): Promise<ReportFacts> {
  const now = src.now();
  const alerts = await src.alerts();
  let alert: Alert | null = null;
  let window: { from: number; to: number; key: string | null };
  if ('alert' in req) {
    alert = alerts.find((a) => a.id === req.alert) ?? null;
    if (!alert) throw new ApiProblem('ENOTFOUND', `no alert ${req.alert} (GET /api/v1/alerts lists those this server keeps)`, 'alert');
    window = await alertWindow(src, alert, now);
  } else {
    window = { from: req.from, to: req.to, key: req.key ?? (await src.busiest(req.from, req.to, null)) };
  }
  const { from, to, key } = window;
  const series = key === null ? [] : await src.rates(key, from, to);
  const vector = key === null ? null : vectorOf(key, await src.vectors());
  // the charted vector's storms that overlap the window (the asked-for alert's among them)
  const bands = alerts
    .filter((a): a is StormAlert => a.kind === 'storm' && a.key === key && a.raisedAt <= to && (a.clearedAt ?? now) >= from)
    .sort((a, b) => a.raisedAt - b.raisedAt)
    .map((a) => stormBand(a, series, now));
  if (vector && alert?.kind === 'storm' && vector.owner === null) vector.owner = alert.owner;
  const main = alert?.kind === 'storm' ? bands.find((b) => b.to === (alert.clearedAt ?? now)) : bands[0];
  const events = await src.events(from, to);
  const kernel = capped(events.filter((e) => e.kind === 'kernel'));
  const actions = capped(events.filter((e) => e.kind === 'action' || (e.kind === 'error' && e.actor !== undefined)));
  const alertEvents = capped(events.filter((e) => e.kind === 'alert' || e.kind === 'alert-cleared'));
  return {
    generatedAt,
    origin: src.origin,
    from,
    to,
    alert,
    vector,
    bands,
    series,
    measuredPeak: peakOf(series, main?.from ?? from, main?.to ?? to),
    kernel: kernel.shown,
    actions: actions.shown,
    alertEvents: alertEvents.shown,
    omitted: { kernel: kernel.omitted, actions: actions.omitted, alertEvents: alertEvents.omitted },
    host: await src.host(),
  };
}
