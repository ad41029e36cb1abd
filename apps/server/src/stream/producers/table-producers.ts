/**
 * Table topics: every vector's IRQ rate (by index, in the protocol's compact
 * form: irq-rates-encoder.ts) and alerts, storms and the kernel's (keyed by
 * id); a container's DMA mapping table is in mappings-producer.ts. Deltas
 * carry only rows that were added, changed or removed.
 */
import type { Alert, AlertsDelta, AlertsSnapshot, IrqRatesDelta, IrqRatesSnapshot } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { alertViews, rateView } from '../../views/telemetry-view.ts';
import { IrqRatesEncoder } from './irq-rates-encoder.ts';
import { KeyedTable } from './keyed-diff.ts';
import type { TopicProducer } from './producer.ts';

export class IrqRatesProducer implements TopicProducer<IrqRatesSnapshot, IrqRatesDelta> {
  readonly kind = 'irq-rates' as const;
  readonly everyTicks = 1;
  private readonly encoder = new IrqRatesEncoder();
  private t = 0;

  constructor(private readonly ctx: ServerContext) {}

  async init(): Promise<void> {
    this.t = this.ctx.now();
    this.encoder.reset(this.ctx.telemetry.vectorRates().map(rateView));
  }

  async update(): Promise<IrqRatesDelta | null> {
    this.t = this.ctx.now();
    return this.encoder.next(this.ctx.telemetry.vectorRates().map(rateView), this.t);
  }

  snapshot(): IrqRatesSnapshot {
    return { t: this.t, rates: this.encoder.rows() };
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
