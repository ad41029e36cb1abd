/**
 * IOMMU faults per device, as the kernel logged them: when each of the last
 * minute's came (for the rate an operator reads, and the fault-storm window
 * inside it) and how many since following began. The kernel ratelimits its
 * fault prints (drivers/iommu/intel/dmar.c dmar_fault() uses
 * __ratelimit), so a minute's worth of times stays small.
 */
import type { IommuFaultRate } from './telemetry-types.ts';

export const FAULT_RATE_WINDOW_MS = 60_000;

interface DeviceFaults {
  /** times within the rate window, oldest first */
  times: number[];
  total: number;
}

export class IommuFaults {
  private readonly byDevice = new Map<string, DeviceFaults>();

  record(bdf: string, now: number): void {
    const d = this.byDevice.get(bdf) ?? { times: [], total: 0 };
    d.times.push(now);
    d.total++;
    this.prune(d, now);
    this.byDevice.set(bdf, d);
  }

  /** faults from the device within the last `ms` (at most the rate window) */
  within(bdf: string, now: number, ms: number): number {
    const d = this.byDevice.get(bdf);
    return d ? d.times.filter((t) => now - t < ms).length : 0;
  }

  /** every device that has faulted since following began, with its faults in the last minute */
  rates(now: number): IommuFaultRate[] {
    const out: IommuFaultRate[] = [];
    for (const [bdf, d] of this.byDevice) {
      this.prune(d, now);
      out.push({ bdf, perMinute: d.times.length, total: d.total });
    }
    return out.sort((a, b) => b.perMinute - a.perMinute || a.bdf.localeCompare(b.bdf));
  }

  private prune(d: DeviceFaults, now: number): void {
    let i = 0;
    while (i < d.times.length && now - (d.times[i] as number) >= FAULT_RATE_WINDOW_MS) i++;
    if (i > 0) d.times.splice(0, i);
  }
}
