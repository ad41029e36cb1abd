/**
 * GET /metrics: Prometheus text format, so fleets scrape many vfioscope hosts
 * with Prometheus + Grafana. Values are read from telemetry at scrape time
 * (collect callbacks), never accumulated here: IRQ rate and count per vector,
 * pinned / locked bytes against the memlock limit, mappings and DMA entries
 * per container, active storms, groups and devices, kernel messages per
 * device and kind.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { routes } from '@vfioscope/protocol';
import { registerRoute } from './http/route-registry.ts';
import type { ServerContext } from './context.ts';
import type { StreamHub } from './stream/hub.ts';

export function createMetrics(ctx: ServerContext, hub: StreamHub): Registry {
  const registry = new Registry();
  const vectorLabels = ['bdf', 'index', 'vector', 'source', 'owner'] as const;
  const labelsOf = (r: { bdf: string; index: string; vector: number; source: string; owner: { comm: string; pid: number } | null }) => ({
    bdf: r.bdf,
    index: r.index,
    vector: String(r.vector),
    source: r.source,
    owner: r.owner ? `${r.owner.comm}/${r.owner.pid}` : '',
  });

  new Gauge({
    name: 'vfioscope_irq_rate',
    help: 'Interrupts per second on a VFIO vector over the last tick',
    labelNames: vectorLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of ctx.telemetry.vectorRates()) this.set(labelsOf(r), r.rate);
    },
  });
  new Gauge({
    name: 'vfioscope_irq_count',
    help: 'Interrupts counted on a VFIO vector since sampling began',
    labelNames: vectorLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of ctx.telemetry.vectorRates()) this.set(labelsOf(r), r.count);
    },
  });
  const pinLabels = ['scope', 'id', 'comm'] as const;
  const pinOf = (p: { scope: string; id: number; comm?: string }) => ({ scope: p.scope, id: String(p.id), comm: p.comm ?? '' });
  new Gauge({
    name: 'vfioscope_pinned_bytes',
    help: 'Bytes pinned for DMA, per vfioscope container and per owning process',
    labelNames: pinLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of ctx.telemetry.pinned()) this.set(pinOf(p), Number(p.pinnedBytes));
    },
  });
  new Gauge({
    name: 'vfioscope_locked_bytes',
    help: 'Bytes locked (VmLck), per owning process',
    labelNames: pinLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of ctx.telemetry.pinned()) this.set(pinOf(p), Number(p.lockedBytes));
    },
  });
  new Gauge({
    name: 'vfioscope_memlock_limit_bytes',
    help: 'RLIMIT_MEMLOCK the pinned bytes count against (absent = unlimited)',
    labelNames: pinLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of ctx.telemetry.pinned()) if (p.limitBytes !== null) this.set(pinOf(p), Number(p.limitBytes));
    },
  });
  new Gauge({
    name: 'vfioscope_dma_mappings',
    help: 'DMA mappings in a vfioscope container',
    labelNames: ['container'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of ctx.session.containers()) this.set({ container: String(c.id) }, c.mappingCount);
    },
  });
  new Gauge({
    name: 'vfioscope_dma_entries_used',
    help: 'type1 DMA entries used by a container',
    labelNames: ['container'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of ctx.telemetry.dmaEntries()) this.set({ container: String(d.container) }, d.used);
    },
  });
  new Gauge({
    name: 'vfioscope_dma_entries_limit',
    help: 'type1 dma_entry_limit for a container',
    labelNames: ['container'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of ctx.telemetry.dmaEntries()) if (d.limit !== null) this.set({ container: String(d.container) }, d.limit);
    },
  });
  new Gauge({
    name: 'vfioscope_storms_active',
    help: 'Interrupt storm alerts currently raised',
    registers: [registry],
    collect() {
      this.set(ctx.telemetry.alerts().filter((a) => a.clearedAt === null).length);
    },
  });
  new Gauge({
    name: 'vfioscope_iommu_groups',
    help: 'IOMMU groups on the host, by viability',
    labelNames: ['viable'],
    registers: [registry],
    async collect() {
      const topo = (await ctx.observed.read()).topology;
      this.set({ viable: 'true' }, topo.groups.filter((g) => g.viable).length);
      this.set({ viable: 'false' }, topo.groups.filter((g) => !g.viable).length);
    },
  });
  new Gauge({
    name: 'vfioscope_pci_devices',
    help: 'PCI devices in IOMMU groups',
    registers: [registry],
    async collect() {
      this.set((await ctx.observed.read()).topology.devices.length);
    },
  });
  new Counter({
    name: 'vfioscope_http_refused_total',
    help: 'Requests refused for who sent them: no token (401), role or origin (403), foreign Host (421)',
    labelNames: ['status', 'code'],
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
  new Counter({
    name: 'vfioscope_kernel_messages_total',
    help: 'Kernel log messages vfioscope parsed, per device (bdf, empty when none is named) and kind (iommu-fault, memlock-exceeded, irq-disabled, aer-error, …)',
    labelNames: ['bdf', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of ctx.telemetry.kernelLog.countsByDevice()) this.inc({ bdf: c.bdf, kind: c.kind }, c.n);
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
