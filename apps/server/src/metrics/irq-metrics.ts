/**
 * Interrupt metrics: counters per vector (the busiest N, top-vectors.ts) and
 * per device, vectors in use against the host's limit, and the storm
 * detector's verdicts. Rates are Prometheus's to take (rate() over the
 * counters): a rate gauge sampled once per scrape would show one tick out of
 * hundreds.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StormReason, VectorOwner } from '@vfioscope/telemetry';
import type { ServerContext } from '../context.ts';
import { interruptsByDevice, topVectors } from './top-vectors.ts';

// every reason has a series, 0 while none is active: a record over the type, so a new reason cannot be left out
const STORM_REASONS = Object.keys({ absolute: 0, baseline: 0, 'intx-unmask-loop': 0 } satisfies Record<StormReason, 0>) as StormReason[];

/**
 * The VM's name, else the process name: stable across a VM's restarts (a pid
 * label would start new series each time), empty when nobody holds the vector.
 */
export function ownerLabel(owner: VectorOwner | null): string {
  return owner ? (owner.vm ?? owner.comm) : '';
}

export function registerIrqMetrics(registry: Registry, ctx: ServerContext, maxVectors: number | null): void {
  new Counter({
    name: 'vfioscope_interrupts_total',
    help:
      'Interrupts on a VFIO vector (owned: counted from our eventfds since wired; observed: the kernel count in ' +
      '/proc/interrupts). Only the busiest --metrics-max-vectors vectors by rate have a series; ' +
      'vfioscope_device_interrupts_total counts them all',
    labelNames: ['bdf', 'index', 'vector', 'source', 'owner'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of topVectors(ctx.telemetry.vectorRates(), maxVectors).shown) {
        this.inc({ bdf: r.bdf, index: r.index, vector: String(r.vector), source: r.source, owner: ownerLabel(r.owner) }, r.count);
      }
    },
  });
  new Counter({
    name: 'vfioscope_device_interrupts_total',
    help: 'Interrupts on every vector of a device and IRQ index (INTX, MSI, MSIX), whether or not each vector has a series',
    labelNames: ['bdf', 'index', 'owner'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of interruptsByDevice(ctx.telemetry.vectorRates())) {
        this.inc({ bdf: d.bdf, index: d.index, owner: ownerLabel(d.owner) }, d.count);
      }
    },
  });
  new Gauge({
    name: 'vfioscope_irq_vectors_omitted',
    help: 'Vectors with no vfioscope_interrupts_total series of their own (over --metrics-max-vectors)',
    registers: [registry],
    collect() {
      this.set(topVectors(ctx.telemetry.vectorRates(), maxVectors).omitted);
    },
  });
  new Gauge({
    name: 'vfioscope_irq_vectors',
    help: 'Interrupt vectors a device has in use',
    labelNames: ['bdf'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of ctx.telemetry.vectorUsage().perDevice) this.set({ bdf: d.bdf }, d.vectors);
    },
  });
  new Gauge({
    name: 'vfioscope_irq_vectors_limit',
    help: 'Interrupt vectors available to devices on the host (per-CPU vectors times CPUs; absent when unknown)',
    registers: [registry],
    collect() {
      this.reset();
      const limit = ctx.telemetry.vectorUsage().limit;
      if (limit !== null) this.set(limit);
    },
  });
  new Gauge({
    name: 'vfioscope_storms_active',
    help: 'Interrupt storm alerts raised and not cleared, by reason (absolute rate, far above baseline, INTx unmask loop)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      const active = ctx.telemetry.alerts().filter((a) => a.clearedAt === null);
      for (const reason of STORM_REASONS) this.set({ reason }, active.filter((a) => a.reason === reason).length);
    },
  });
  new Gauge({
    name: 'vfioscope_irq_storming',
    help: 'Set to 1 for each vector with an active storm alert (every such vector, over the vector limit or not)',
    labelNames: ['bdf', 'index', 'vector', 'owner', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of ctx.telemetry.alerts()) {
        if (a.clearedAt !== null) continue;
        this.set({ bdf: a.bdf, index: a.index, vector: String(a.vector), owner: ownerLabel(a.owner), reason: a.reason }, 1);
      }
    },
  });
}
