/**
 * Keyed-table topics: every vector's IRQ rate (keyed by vector key) and
 * alerts, storms and the kernel's (by id); a container's DMA mapping table is in mappings-producer.ts.
 * Deltas carry only rows that were added, changed or removed.
 */
import type { Alert, AlertsDelta, AlertsSnapshot, IrqRatesDelta, IrqRatesSnapshot, VectorRate } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { alertViews, rateView } from '../../views/telemetry-view.ts';
import { isEmptyDiff, KeyedTable } from './keyed-diff.ts';
import type { TopicProducer } from './producer.ts';

export class IrqRatesProducer implements TopicProducer<IrqRatesSnapshot, IrqRatesDelta> {
  readonly kind = 'irq-rates' as const;
  readonly everyTicks = 1;
  private readonly table = new KeyedTable<VectorRate>((r) => r.key);
  private t = 0;

  constructor(private readonly ctx: ServerContext) {}

  async init(): Promise<void> {
    this.t = this.ctx.now();
    this.table.replace(this.ctx.telemetry.vectorRates().map(rateView));
  }

  async update(): Promise<IrqRatesDelta | null> {
    this.t = this.ctx.now();
    const d = this.table.replace(this.ctx.telemetry.vectorRates().map(rateView));
    if (isEmptyDiff(d)) return null;
    return { t: this.t, upsert: [...d.add, ...d.change], remove: d.remove };
  }

  snapshot(): IrqRatesSnapshot {
    return { t: this.t, rates: this.table.values() };
  }

  dispose(): void {}
}

export class AlertsProducer implements TopicProducer<AlertsSnapshot, AlertsDelta> {
  readonly kind = 'alerts' as const;
  readonly everyTicks = 1;
  private readonly table = new KeyedTable<Alert>((a) => a.id);

  constructor(private readonly ctx: ServerContext) {}

  async init(): Promise<void> {
    this.table.replace(alertViews(this.ctx.telemetry));
  }

  async update(): Promise<AlertsDelta | null> {
    // alerts that age out of the engine's recent list simply stop being sent; clients keep what they saw
    const d = this.table.replace(alertViews(this.ctx.telemetry));
    const upsert = [...d.add, ...d.change];
    return upsert.length ? { upsert } : null;
  }

  snapshot(): AlertsSnapshot {
    return { alerts: this.table.values() };
  }

  dispose(): void {}
}
