/**
 * GET /api/v1/report: one alert's report (?alert=ID), or a time range's
 * (?from=&to=[&key=]), as an HTML attachment. The query's schema checks
 * shapes; what it cannot say — one form or the other, from before to, a
 * span of at most an hour — is refused here naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { REPORT_MAX_SPAN_MS, type ReportQuery, routes } from '@vfioscope/protocol';
import { ApiProblem } from '../errors.ts';
import { registerRoute } from '../http/route-registry.ts';
import { gatherReport, type ReportRequest } from './gather-report.ts';
import type { ReportSource } from './report-facts.ts';
import { reportFileName, reportHtml } from './report-html.ts';

export function reportRequest(q: ReportQuery): ReportRequest {
  if (q.alert !== undefined) {
    for (const field of ['from', 'to', 'key'] as const)
      if (q[field] !== undefined) throw new ApiProblem('EVALIDATION', `${field}: give an alert or a time range, not both`, field);
    return { alert: q.alert };
  }
  if (q.from === undefined)
    throw new ApiProblem('EVALIDATION', 'from: give an alert (alert=ID) or a time range (from, to: ms since the epoch)', 'from');
  if (q.to === undefined) throw new ApiProblem('EVALIDATION', 'to: a time range needs its end (ms since the epoch)', 'to');
  const from = Number(q.from);
  const to = Number(q.to);
  if (to <= from) throw new ApiProblem('EVALIDATION', `to (${to}) must be after from (${from})`, 'to');
  if (to - from > REPORT_MAX_SPAN_MS)
    throw new ApiProblem(
      'EVALIDATION',
      `to: a report covers at most ${REPORT_MAX_SPAN_MS / 60_000} minutes (the history kept at 1 s)`,
      'to',
    );
  return { from, to, ...(q.key !== undefined ? { key: q.key } : {}) };
}

/** `source`: where the facts come from, or how to find it at each request (a replay's recording can change) */
export function registerReportRoute(
  app: FastifyInstance,
  source: ReportSource | (() => ReportSource),
  clock: () => number = Date.now,
): void {
  registerRoute(app, routes.report, async (req, reply) => {
    const facts = await gatherReport(typeof source === 'function' ? source() : source, reportRequest(req.query), clock());
    void reply
      .type('text/html; charset=utf-8')
      .header('content-disposition', `attachment; filename="${reportFileName(facts)}"`)
      .header('cache-control', 'no-store');
    return reportHtml(facts);
  });
}
