/**
 * A live server's answers to a report's questions: the sampler's rate rings
 * (an hour at 1 s, the last minute at tick resolution — the finer one where
 * it reaches), the event log read backwards from its newest entry, the
 * alerts the telemetry keeps, and the host as GET /host describes it.
 */
import type { HistoryPoint, LogEvent } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { driveMode } from '../routes/read.ts';
import { eventView } from '../views/event-view.ts';
import { alertViews, rateView } from '../views/telemetry-view.ts';
import type { ReportHost, ReportSource, ReportVector } from './report-facts.ts';

const REPORTED_KINDS = ['kernel', 'action', 'error', 'alert', 'alert-cleared'];
const EVENTS_PAGE = 1000;
/** pages read at most (each reads at most a few MiB of the log): a window's events, not the whole file */
const EVENT_PAGES_MAX = 20;

/** Per-second means where the tick ring does not reach, the tick's own rates where it does. */
export function mergedHistory(seconds: readonly HistoryPoint[], ticks: readonly HistoryPoint[], from: number, to: number): HistoryPoint[] {
  const tickFrom = ticks[0]?.t ?? Number.POSITIVE_INFINITY;
  return [...seconds.filter((p) => p.t < tickFrom), ...ticks].filter((p) => p.t >= from && p.t <= to);
}

export function liveReportSource(ctx: ServerContext): ReportSource {
  const rates = async (key: string, from: number, to: number) =>
    mergedHistory(ctx.telemetry.history(key, '1s'), ctx.telemetry.history(key, 'tick'), from, to);
  return {
    origin: { kind: 'live' },
    now: () => ctx.now(),
    alerts: async () => alertViews(ctx.telemetry),
    vectors: async () =>
      ctx.telemetry.vectorRates().map((r): ReportVector => {
        const v = rateView(r);
        return { key: v.key, bdf: v.bdf, index: v.index, vector: v.vector, owner: v.owner };
      }),
    rates,
    async busiest(from, to, bdf) {
      let best: { key: string; rate: number } | null = null;
      for (const r of ctx.telemetry.vectorRates()) {
        if (bdf !== null && r.bdf.toLowerCase() !== bdf.toLowerCase()) continue;
        for (const p of await rates(r.key, from, to))
          if (p.rate > 0 && (best === null || p.rate > best.rate)) best = { key: r.key, rate: p.rate };
      }
      return best?.key ?? null;
    },
    async events(from, to) {
      const out: LogEvent[] = [];
      let beforeSeq: number | undefined;
      for (let i = 0; i < EVENT_PAGES_MAX; i++) {
        const page = ctx.eventLog.page({ kinds: REPORTED_KINDS, limit: EVENTS_PAGE, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
        for (const e of page.events.toReversed()) if (e.ts >= from && e.ts <= to) out.push(eventView(e));
        const oldest = page.events[0];
        if (!page.more || !('beforeSeq' in page.more) || (oldest !== undefined && oldest.ts < from)) break;
        beforeSeq = page.more.beforeSeq;
      }
      return out.reverse();
    },
    async host(): Promise<ReportHost> {
      const [info, lines] = await Promise.all([ctx.host.hostInfo(), ctx.host.irqLines()]);
      return {
        hostname: info.hostname,
        kernel: info.kernel,
        backend: info.backend,
        scenario: info.scenario ?? null,
        info,
        drive: await driveMode(ctx),
        vectorsInUse: lines.length,
        tickHz: ctx.tickHz,
      };
    },
  };
}
