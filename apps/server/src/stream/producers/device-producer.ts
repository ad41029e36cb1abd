/**
 * device:<bdf> — one device's vector rates every tick (the UI appends them to
 * its charts; in irq-rates's compact form, irq-rates-encoder.ts), their
 * recent history in the snapshot, the device fd state
 * (enabled / masked IRQs, regions, config) and its reset section (methods,
 * hot-reset dependencies, the last reset's verification, whoever reset it)
 * whenever they change.
 */
import type { PciDevice } from '@vfioscope/host';
import type { DeviceDelta, DeviceResetView, DeviceSnapshot, DeviceStateView, IrqRatesDelta } from '@vfioscope/protocol';
import type { ServerContext } from '../../context.ts';
import { deviceStateFor, fdOpen, groupHeld } from '../../views/device-detail.ts';
import { type HotResetView, hotResetView, resetView } from '../../views/device-reset.ts';
import { rateView } from '../../views/telemetry-view.ts';
import { IrqRatesEncoder } from './irq-rates-encoder.ts';
import type { TopicProducer } from './producer.ts';

/** history is sent for at most this many of the device's busiest vectors */
const HISTORY_VECTORS_MAX = 64;

export class DeviceProducer implements TopicProducer<DeviceSnapshot, DeviceDelta> {
  readonly kind = 'device' as const;
  readonly everyTicks = 1;
  private t = 0;
  private readonly rates = new IrqRatesEncoder();
  /** this tick's rates against the last tick's */
  private ratesDelta: IrqRatesDelta | null = null;
  private state: DeviceStateView | null = null;
  private stateJson = 'null';
  private groupOpen = false;
  private reset!: DeviceResetView;
  private resetJson = 'null';
  /** GET_PCI_HOT_RESET_INFO's answer, asked again only when what vfioscope holds changes (it names owned groups) */
  private hotReset: { heldJson: string; view: HotResetView } | null = null;

  private readonly bdf: string;

  /** the device as the topology showed it at subscribe time (its group does not change while it exists) */
  constructor(
    private readonly ctx: ServerContext,
    private readonly dev: PciDevice,
  ) {
    this.bdf = dev.bdf;
  }

  /** whether the fd state and the reset section changed */
  private async refresh(): Promise<{ state: boolean; reset: boolean }> {
    this.t = this.ctx.now();
    const rates = this.ctx.telemetry
      .vectorRates()
      .filter((r) => r.bdf === this.bdf)
      .map(rateView);
    this.ratesDelta = this.rates.next(rates, this.t);
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
    const reset = resetView(this.ctx, this.dev, state, state === null ? null : await this.hotResetOf());
    const resetJson = JSON.stringify(reset);
    const resetChanged = resetJson !== this.resetJson;
    this.reset = reset;
    this.resetJson = resetJson;
    return { state: changed, reset: resetChanged };
  }

  private async hotResetOf(): Promise<HotResetView | null> {
    const heldJson = JSON.stringify(this.ctx.session.groups());
    if (this.hotReset?.heldJson === heldJson) return this.hotReset.view;
    let view: HotResetView | null = null;
    try {
      view = await hotResetView(this.ctx, this.bdf);
    } catch {
      view = null; // not a kernel answer (the fd went away mid-tick): asked again next tick
    }
    this.hotReset = view === null ? null : { heldJson, view };
    return view;
  }

  async init(): Promise<void> {
    await this.refresh();
    this.ratesDelta = null;
  }

  async update(): Promise<DeviceDelta> {
    const changed = await this.refresh();
    return {
      t: this.t,
      groupOpen: this.groupOpen,
      // sent every tick all the same: each one is a point on the device's charts (dt is any positive number when n is empty)
      rates: this.ratesDelta ?? { t: this.t, dt: 0.1, n: [] },
      ...(changed.state ? { state: this.state } : {}),
      ...(changed.reset ? { reset: this.reset } : {}),
    };
  }

  snapshot(): DeviceSnapshot {
    const rates = this.rates.rows();
    const busiest = [...rates].sort((a, b) => b.rate - a.rate).slice(0, HISTORY_VECTORS_MAX);
    return {
      bdf: this.bdf,
      t: this.t,
      groupOpen: this.groupOpen,
      rates,
      history: busiest.map((r) => ({ key: r.key, points: this.ctx.telemetry.history(r.key, 'tick') })),
      state: this.state,
      reset: this.reset,
    };
  }

  dispose(): void {}
}
