/**
 * Keyed-table topics: every vector's IRQ rate (keyed by vector key), storm
 * alerts (by id) and a container's DMA mapping table (by IOVA). Deltas carry
 * only rows that were added, changed or removed.
 */
import type {
  AlertsDelta, AlertsSnapshot, IrqRatesDelta, IrqRatesSnapshot, MappingRow, MappingsDelta, MappingsSnapshot, StormAlert, VectorRate,
} from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { mappingRowView } from '../../views/container-view.ts';
import { alertView, rateView } from '../../views/telemetry-view.ts';
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
  private readonly table = new KeyedTable<StormAlert>((a) => a.id);

  constructor(private readonly ctx: ServerContext) {}

  async init(): Promise<void> {
    this.table.replace(this.ctx.telemetry.alerts().map(alertView));
  }

  async update(): Promise<AlertsDelta | null> {
    // alerts that age out of the engine's recent list simply stop being sent; clients keep what they saw
    const d = this.table.replace(this.ctx.telemetry.alerts().map(alertView));
    const upsert = [...d.add, ...d.change];
    return upsert.length ? { upsert } : null;
  }

  snapshot(): AlertsSnapshot {
    return { alerts: this.table.values() };
  }

  dispose(): void {}
}

/** Rows beyond this are not streamed (type1's default dma_entry_limit is 65535). */
const MAPPINGS_STREAM_MAX = 65536;

export class MappingsProducer implements TopicProducer<MappingsSnapshot, MappingsDelta> {
  readonly kind = 'mappings' as const;
  readonly everyTicks = 1;
  private readonly table = new KeyedTable<MappingRow>((r) => r.iova);
  private total = 0;

  constructor(
    private readonly ctx: ServerContext,
    private readonly container: number,
  ) {}

  private rows(): MappingRow[] {
    if (!this.ctx.session.containers().some((c) => c.id === this.container)) {
      this.total = 0;
      return []; // the container was released: an empty table
    }
    const page = this.ctx.session.mappings(this.container, 0, MAPPINGS_STREAM_MAX);
    this.total = page.total;
    return page.rows.map(mappingRowView);
  }

  async init(): Promise<void> {
    this.table.replace(this.rows());
  }

  async update(): Promise<MappingsDelta | null> {
    const before = this.total;
    const d = this.table.replace(this.rows());
    if (isEmptyDiff(d) && before === this.total) return null;
    return { container: this.container, total: this.total, add: d.add, change: d.change, remove: d.remove };
  }

  snapshot(): MappingsSnapshot {
    return { container: this.container, total: this.total, rows: this.table.values() };
  }

  dispose(): void {}
}
