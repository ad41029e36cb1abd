/** The server's own health: refused requests, lost audit and event writes, stream clients. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServerContext } from '../context.ts';
import type { StreamHub } from '../stream/hub.ts';

export function registerServerMetrics(registry: Registry, ctx: ServerContext, hub: StreamHub): void {
  new Counter({
    name: 'vfioscope_http_refused_total',
    help: 'Requests refused for who sent them: no token (401), role or origin (403), foreign Host (421)',
    labelNames: ['status', 'code'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of ctx.refusals.counts()) this.inc({ status: String(c.status), code: c.errno }, c.n);
    },
  });
  new Counter({
    name: 'vfioscope_audit_write_failures_total',
    help: 'Audit records that could not be written (actions refused with 503, or results lost after an action)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(ctx.auditWriteFailures + ctx.refusals.writeFailures);
    },
  });
  new Counter({
    name: 'vfioscope_event_log_write_errors_total',
    help: 'Events that could not be written to events.jsonl (kept in memory)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(ctx.eventLog.stats().writeErrors);
    },
  });
  new Gauge({
    name: 'vfioscope_stream_clients',
    help: 'Connected WebSocket stream clients',
    registers: [registry],
    collect() {
      this.set(hub.snapshotStats().clients);
    },
  });
}
