/**
 * device:<bdf> — one device's vector rates every tick (the UI appends them to
 * its charts), their recent history in the snapshot, and the device fd state
 * (enabled / masked IRQs, regions, config) whenever it changes.
 */
import type { PciDevice } from '@vfioscope/host';
import type { DeviceDelta, DeviceSnapshot, DeviceStateView, VectorRate } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { deviceStateFor, fdOpen, groupHeld } from '../../views/device-detail.ts';
import { rateView } from '../../views/telemetry-view.ts';
import type { TopicProducer } from './producer.ts';

/** history is sent for at most this many of the device's busiest vectors */
const HISTORY_VECTORS_MAX = 64;

export class DeviceProducer implements TopicProducer<DeviceSnapshot, DeviceDelta> {
  readonly kind = 'device' as const;
  readonly everyTicks = 1;
  private t = 0;
  private rates: VectorRate[] = [];
  private state: DeviceStateView | null = null;
  private stateJson = 'null';
  private groupOpen = false;

  private readonly bdf: string;

  /** the device as the topology showed it at subscribe time (its group does not change while it exists) */
  constructor(
    private readonly ctx: ServerContext,
    private readonly dev: PciDevice,
  ) {
    this.bdf = dev.bdf;
  }

  private async refresh(): Promise<boolean> {
    this.t = this.ctx.now();
    this.rates = this.ctx.telemetry
      .vectorRates()
      .filter((r) => r.bdf === this.bdf)
      .map(rateView);
    let state: DeviceStateView | null = null;
    this.groupOpen = groupHeld(this.ctx, this.dev);
    if (fdOpen(this.ctx, this.bdf)) {
      try {
        state = await deviceStateFor(this.ctx, this.bdf);
      } catch {
        state = null; // the device fd cannot be had (group released mid-tick, device gone): no fd state to show
      }
    }
    const json = JSON.stringify(state);
    const changed = json !== this.stateJson;
    this.state = state;
    this.stateJson = json;
    return changed;
  }

  async init(): Promise<void> {
    await this.refresh();
  }

  async update(): Promise<DeviceDelta> {
    const changed = await this.refresh();
    return { t: this.t, groupOpen: this.groupOpen, rates: this.rates, ...(changed ? { state: this.state } : {}) };
  }

  snapshot(): DeviceSnapshot {
    const busiest = [...this.rates].sort((a, b) => b.rate - a.rate).slice(0, HISTORY_VECTORS_MAX);
    return {
      bdf: this.bdf,
      t: this.t,
      groupOpen: this.groupOpen,
      rates: this.rates,
      history: busiest.map((r) => ({ key: r.key, points: this.ctx.telemetry.history(r.key, 'tick') })),
      state: this.state,
    };
  }

  dispose(): void {}
}
