/**
 * Turns a device's scenario load profiles into interrupts on its DeviceBus.
 * Each (index, vector) gets exactly interruptsBetween(profile, last, now)
 * raises per advance, so the total over any run is the profile's integral
 * regardless of how often the kernel advances the device.
 *
 * The device raises whatever the profile says; the kernel decides whether a
 * vector is enabled (a trigger eventfd set, or owned by a simulated QEMU) and
 * applies INTx auto-masking, as DeviceBus.raiseIrq documents.
 */
import { interruptsBetween } from '../scenarios/load-profile.ts';
import type { LoadProfile, ScenarioIrqLoad } from '../scenarios/scenario-types.ts';
import type { DeviceBus, SimIrqIndex } from './device-model.ts';
import { VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX } from '@vfioscope/uapi';

const INDEX_BY_NAME = {
  INTX: VFIO_PCI_INTX_IRQ_INDEX,
  MSI: VFIO_PCI_MSI_IRQ_INDEX,
  MSIX: VFIO_PCI_MSIX_IRQ_INDEX,
} as const;

interface LoadLine {
  index: number;
  vectors: number[];
  profile: LoadProfile;
}

export class IrqLoadDriver {
  private readonly lines: LoadLine[];
  /** scenario time origin on the bus clock (set at attach) */
  private originMs = 0;
  private lastMs = 0;

  constructor(loads: ScenarioIrqLoad[], irqs: SimIrqIndex[]) {
    const countOf = (index: number) => irqs.find((i) => i.index === index)?.count ?? 0;
    this.lines = loads.map((load) => {
      const index = INDEX_BY_NAME[load.index];
      const count = countOf(index);
      // a profile on vectors the function does not have raises nothing, as on hardware
      const vectors = load.vector === 'all' ? Array.from({ length: count }, (_, v) => v) : load.vector < count ? [load.vector] : [];
      return { index, vectors, profile: load.profile };
    });
  }

  get hasLoad(): boolean {
    return this.lines.some((l) => l.vectors.length > 0);
  }

  /** Start counting scenario time at `nowMs` on the bus clock. */
  start(nowMs: number): void {
    this.originMs = nowMs;
    this.lastMs = nowMs;
  }

  /**
   * Raise the interrupts due in [last advance, nowMs). INTx goes out as edges
   * even while the kernel masks it with Interrupt Disable: the kernel keeps
   * one as the pending level, like PCI_STATUS.INTERRUPT on hardware.
   */
  advance(bus: DeviceBus, nowMs: number): void {
    if (nowMs <= this.lastMs) return;
    const t0 = this.lastMs - this.originMs;
    const t1 = nowMs - this.originMs;
    this.lastMs = nowMs;
    for (const line of this.lines) {
      if (line.vectors.length === 0) continue;
      const n = interruptsBetween(line.profile, t0, t1);
      if (n <= 0) continue;
      for (const v of line.vectors) bus.raiseIrq(line.index, v, n);
    }
  }
}
