/**
 * The event log, alerts (storms and the kernel's) and pinned-memory accounting as REST reads
 * (the stream carries the same live).
 */
import type { FastifyInstance } from 'fastify';
import { routes } from '@vfioscope/protocol';
import type { ServerContext } from '../context.ts';
import { registerRoute } from '../http/route-registry.ts';
import { ApiProblem } from '../errors.ts';
import { alertViews, pinnedView } from '../views/telemetry-view.ts';
import { intParam } from '../validation.ts';
import { eventView } from '../views/event-view.ts';

export function registerTelemetryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerRoute(app, routes.events, async (req) => {
    const q = req.query;
    if (q.sinceSeq !== undefined && q.beforeSeq !== undefined) {
      throw new ApiProblem('EVALIDATION', 'sinceSeq and beforeSeq page in opposite directions: give one', 'beforeSeq');
    }
    // bounded: at most a few MiB of the file per request, with a cursor for the rest
    const page = ctx.eventLog.page({
      ...(q.sinceSeq !== undefined ? { sinceSeq: intParam(q.sinceSeq, 'sinceSeq', 0, 0, Number.MAX_SAFE_INTEGER) } : {}),
      ...(q.beforeSeq !== undefined ? { beforeSeq: intParam(q.beforeSeq, 'beforeSeq', 0, 0, Number.MAX_SAFE_INTEGER) } : {}),
      ...(q.kinds !== undefined ? { kinds: q.kinds.split(',') } : {}),
      ...(q.text !== undefined ? { text: q.text } : {}),
      limit: intParam(q.limit, 'limit', 200, 1, 1000),
    });
    return {
      events: page.events.map(eventView),
      more: page.more,
      oldestAvailableSeq: page.oldestAvailableSeq,
      newestSeq: page.newestSeq,
    };
  });

  registerRoute(app, routes.alerts, async () => ({ alerts: alertViews(ctx.telemetry) }));

  registerRoute(app, routes.pinned, async () => ({
    stats: ctx.telemetry.pinned().map(pinnedView),
    dmaEntries: ctx.telemetry.dmaEntries(),
  }));
}
