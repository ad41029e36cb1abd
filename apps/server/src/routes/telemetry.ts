/**
 * The event log, storm alerts and pinned-memory accounting as REST reads
 * (the stream carries the same live).
 */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, EventsQuery, type AlertsResponse, type EventsResponse, type LogEvent, type PinnedResponse } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { alertView, pinnedView } from '../views/telemetry-view.ts';
import { intParam } from '../validation.ts';

export function registerTelemetryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: EventsQuery }>(
    `${API_PREFIX}/events`,
    { schema: { querystring: EventsQuery } },
    async (req): Promise<EventsResponse> => {
      const q = req.query;
      const events = ctx.eventLog.query({
        ...(q.sinceSeq !== undefined ? { sinceSeq: intParam(q.sinceSeq, 'sinceSeq', 0, 0, Number.MAX_SAFE_INTEGER) } : {}),
        ...(q.kinds !== undefined ? { kinds: q.kinds.split(',') } : {}),
        ...(q.text !== undefined ? { text: q.text } : {}),
        limit: intParam(q.limit, 'limit', 200, 1, 1000),
      });
      return { events: events as unknown as LogEvent[] };
    },
  );

  app.get(`${API_PREFIX}/alerts`, async (): Promise<AlertsResponse> => ({ alerts: ctx.telemetry.alerts().map(alertView) }));

  app.get(`${API_PREFIX}/pinned`, async (): Promise<PinnedResponse> => ({
    stats: ctx.telemetry.pinned().map(pinnedView),
    dmaEntries: ctx.telemetry.dmaEntries(),
  }));
}
