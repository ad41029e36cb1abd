/**
 * GET /metrics: Prometheus text format, so fleets scrape many vfioscope hosts
 * with Prometheus + Grafana (deploy/prometheus, deploy/grafana). Values are
 * read from telemetry at scrape time (collect callbacks), never accumulated
 * here. Names follow Prometheus conventions: counters end in `_total`, units
 * in the name, label sets bounded by the host's devices, vectors and
 * holders (and the per-vector series by --metrics-max-vectors).
 */
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { routes } from '@vfioscope/protocol';
import { registerRoute } from './http/route-registry.ts';
import type { ServerContext } from './context.ts';
import type { StreamHub } from './stream/hub.ts';
import { registerHostMetrics } from './metrics/host-metrics.ts';
import { registerIrqMetrics } from './metrics/irq-metrics.ts';
import { registerMemoryMetrics } from './metrics/memory-metrics.ts';
import { registerServerMetrics } from './metrics/server-metrics.ts';

export interface MetricsOptions {
  /** the busiest vectors that get a vfioscope_interrupts_total series each; null = every vector */
  maxVectors: number | null;
}

export function createMetrics(ctx: ServerContext, hub: StreamHub, opts: MetricsOptions): Registry {
  const registry = new Registry();
  registerHostMetrics(registry, ctx);
  registerIrqMetrics(registry, ctx, opts.maxVectors);
  registerMemoryMetrics(registry, ctx);
  registerServerMetrics(registry, ctx, hub);
  return registry;
}

/** /metrics needs a viewer token (Prometheus: `authorization: credentials_file`) unless made public. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, opts: { public: boolean }): void {
  registerRoute(
    app,
    routes.metrics,
    async (_req, reply) => {
      void reply.type(registry.contentType);
      return registry.metrics();
    },
    opts.public ? { role: 'public' } : {},
  );
}
